// Build history retention (pure): which finished builds of a project go, by the project's
// spec.history merged over the operator's default, and when the next one expires. Brigade 1's
// `brig vacuum --max N --age D` as a policy the operator applies on its own, per outcome.
import type { Build, Project } from '../../api/types.ts';
import { TERMINAL_BUILD_PHASES } from '../../api/types.ts';
import { isRerunRequest } from '../../api/rerun.ts';

export interface HistoryBounds {
  /** Finished builds kept, newest first; undefined: no limit. */
  limit?: number;
  /** How long a finished build is kept after it completed, in ms; undefined: for ever. */
  ttlMs?: number;
}

export interface HistoryPolicy {
  succeeded: HistoryBounds;
  /** Failed, timed-out and cancelled builds. */
  failed: HistoryBounds;
}

export type Outcome = keyof HistoryPolicy;
export type CollectReason = 'Limit' | 'TTL';

export interface Collection {
  build: Build;
  outcome: Outcome;
  reason: CollectReason;
}

/** The project's bounds where it sets them, field by field, else the operator's. */
export function effectiveHistory(project: Project, defaults: HistoryPolicy): HistoryPolicy {
  const own = project.spec.history;
  const merge = (o: Outcome): HistoryBounds => {
    const limit = own?.[o]?.limit ?? defaults[o].limit;
    const ttlSeconds = own?.[o]?.ttlSeconds;
    const ttlMs = ttlSeconds !== undefined ? ttlSeconds * 1000 : defaults[o].ttlMs;
    return { ...(limit !== undefined ? { limit } : {}), ...(ttlMs !== undefined ? { ttlMs } : {}) };
  };
  return { succeeded: merge('succeeded'), failed: merge('failed') };
}

export function isUnbounded(policy: HistoryPolicy): boolean {
  return Object.values(policy).every((b: HistoryBounds) => b.limit === undefined && b.ttlMs === undefined);
}

function outcomeOf(build: Build): Outcome | undefined {
  const phase = build.status?.phase;
  if (!phase || !TERMINAL_BUILD_PHASES.includes(phase)) return undefined;
  return phase === 'Succeeded' ? 'succeeded' : 'failed';
}

/** When the build finished (epoch ms): its completionTime, else (never written) its creation. */
function finishedAt(build: Build): number {
  const done = Date.parse(build.status?.completionTime ?? '');
  return Number.isNaN(done) ? Date.parse(build.metadata.creationTimestamp ?? '') || 0 : done;
}

const newestFirst = (a: Build, b: Build): number =>
  (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') ||
  (b.metadata.name ?? '').localeCompare(a.metadata.name ?? '');

/**
 * Builds a rerun still needs: the original of a rerun that has not finished (it reads the original's
 * job results). They are kept, and they still count towards the limit.
 */
export function rerunOriginals(builds: readonly Build[]): Set<string> {
  const out = new Set<string>();
  for (const b of builds) {
    const of = b.spec.rerunOf?.build;
    if (of && (isRerunRequest(b) || outcomeOf(b) === undefined)) out.add(of);
  }
  return out;
}

export interface HistoryPlan {
  /** Oldest first, at most `max`. */
  collect: Collection[];
  /** More builds are due than `max`: reconcile again at once. */
  more: boolean;
  /** When the next kept build's TTL runs out (epoch ms), if one has a TTL. */
  nextExpiry?: number;
}

/**
 * The builds to delete now. A build goes when it is finished and beyond its outcome's limit (the
 * newest are kept) or older than its outcome's TTL. Running and queued builds never go, nor one
 * already being deleted, nor the original of an unfinished rerun.
 */
export function planHistory(input: {
  builds: readonly Build[];
  policy: HistoryPolicy;
  now: number;
  max: number;
}): HistoryPlan {
  const { builds, policy, now, max } = input;
  const keep = rerunOriginals(builds);
  const due: Collection[] = [];
  let nextExpiry: number | undefined;
  for (const outcome of ['succeeded', 'failed'] as const) {
    const bounds = policy[outcome];
    const finished = builds.filter((b) => outcomeOf(b) === outcome).sort(newestFirst);
    finished.forEach((build, index) => {
      if (build.metadata.deletionTimestamp || keep.has(build.metadata.name ?? '')) return;
      if (bounds.limit !== undefined && index >= bounds.limit) {
        due.push({ build, outcome, reason: 'Limit' });
        return;
      }
      if (bounds.ttlMs === undefined) return;
      const expires = finishedAt(build) + bounds.ttlMs;
      if (expires <= now) due.push({ build, outcome, reason: 'TTL' });
      else nextExpiry = Math.min(nextExpiry ?? expires, expires);
    });
  }
  // Oldest first, so a pass cut short by `max` has removed the ones that were due longest.
  due.sort((a, b) => newestFirst(b.build, a.build));
  return {
    collect: due.slice(0, max),
    more: due.length > max,
    ...(nextExpiry !== undefined ? { nextExpiry } : {}),
  };
}
