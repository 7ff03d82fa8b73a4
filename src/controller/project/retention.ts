// Applying a project's build history policy: delete the finished builds it no longer keeps, and
// their Event when no other build of it is left. Garbage collection does the rest (Build -> Job CRs
// -> batch Jobs -> pods; Job CRs -> env Secrets and kept-log ConfigMaps; Build -> build storage PVC).
// What is due is recomputed from the cache on every pass, so a restart between two deletes converges.
import { API_VERSION } from '../../api/constants.ts';
import type { Build, Project } from '../../api/types.ts';
import { INDEX, nsKey } from '../caches.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { effectiveHistory, isUnbounded, planHistory } from './history.ts';
import type { CollectReason, HistoryPolicy } from './history.ts';

/** Builds deleted per pass at most: a project with a long backlog is trimmed over several passes. */
export const MAX_COLLECTED_PER_PASS = 20;

/** Counts what retention deleted, by kind (Build, Event, Job) and reason (Limit, TTL). */
export type CollectedCounter = (kind: 'Build' | 'Event' | 'Job', reason: CollectReason, count: number) => void;

export interface RetentionResult {
  /** When to look again: the next TTL expiry, or at once when the pass was cut short. */
  requeueAfterMs?: number;
}

export async function applyHistory(
  deps: ControllerDeps,
  project: Project,
  builds: readonly Build[],
  defaults: HistoryPolicy,
  collected: CollectedCounter | undefined,
): Promise<RetentionResult> {
  const policy = effectiveHistory(project, defaults);
  if (isUnbounded(policy)) return {};
  const now = deps.clock.now();
  const plan = planHistory({ builds, policy, now, max: MAX_COLLECTED_PER_PASS });
  const gone = new Set<string>();
  for (const { build, reason } of plan.collect) {
    await collectBuild(deps, build, builds, gone, reason, collected);
    gone.add(build.metadata.name ?? '');
  }
  if (plan.collect.length > 0) {
    const byReason = (r: CollectReason): number => plan.collect.filter((c) => c.reason === r).length;
    const parts = [
      byReason('Limit') ? `${byReason('Limit')} beyond the history limit` : '',
      byReason('TTL') ? `${byReason('TTL')} past the history TTL` : '',
    ].filter(Boolean);
    await deps.recorder.normal(
      { apiVersion: API_VERSION, kind: 'Project', metadata: project.metadata },
      'BuildsCollected',
      `deleted ${plan.collect.length} finished build(s): ${parts.join(', ')}`,
    );
  }
  if (plan.more) return { requeueAfterMs: 0 };
  return plan.nextExpiry !== undefined ? { requeueAfterMs: Math.max(1000, plan.nextExpiry - now) } : {};
}

async function collectBuild(
  deps: ControllerDeps,
  build: Build,
  builds: readonly Build[],
  gone: ReadonlySet<string>,
  reason: CollectReason,
  collected: CollectedCounter | undefined,
): Promise<void> {
  const namespace = build.metadata.namespace ?? '';
  const name = build.metadata.name ?? '';
  const jobs = deps.caches.jobs.byIndex(INDEX.build, nsKey(namespace, name)).length;
  if (await deps.objects.delete('Build', namespace, name)) {
    collected?.('Build', reason, 1);
    if (jobs > 0) collected?.('Job', reason, jobs);
  }
  deps.logger.info({ project: build.spec.project, build: name, reason, jobs }, 'build collected (history policy)');
  // The Event goes with its last build (a rerun is a build of the same Event).
  const event = build.spec.event;
  const sharing = builds.some(
    (b) =>
      b.metadata.name !== name &&
      !gone.has(b.metadata.name ?? '') &&
      !b.metadata.deletionTimestamp &&
      b.spec.event === event,
  );
  if (!sharing && (await deps.objects.delete('Event', namespace, event))) collected?.('Event', reason, 1);
}
