// What the dashboard shows, computed from the cached objects: pure functions, so the pages' content
// is tested without a server, and the JSON shapes the browser receives are declared in one place
// (the front end imports these types).
import type { Build, Condition, JobCR, Project } from '../api/types.ts';
import { TERMINAL_BUILD_PHASES, TERMINAL_JOB_PHASES } from '../api/types.ts';
import { VIRTUAL_NODE_NAME, VIRTUAL_NODE_TYPE_LABEL } from '../jobs/placement.ts';

/** Where a job ran: the virtual-kubelet node, an ordinary node, or not known (yet). */
export type NodeKind = 'virtual' | 'regular' | 'unknown';

export interface ConditionView {
  status: string;
  reason?: string;
  message?: string;
}

export interface BuildRef {
  name: string;
  phase: string;
  type: string;
  created?: string;
}

export interface ProjectView {
  namespace: string;
  name: string;
  ready: ConditionView;
  handlers: string[];
  lastBuild?: BuildRef;
  counts?: { running: number; queued: number; succeeded: number; failed: number };
}

export interface BuildRow {
  namespace: string;
  name: string;
  project: string;
  event: string;
  type: string;
  provider: string;
  ref?: string;
  commit?: string;
  phase: string;
  jobs?: string;
  created?: string;
  startTime?: string;
  completionTime?: string;
  duration?: string;
}

export interface TimelineBar {
  /** The job's name in the script. */
  name: string;
  /** The Job (jobs.brigade.sh) resource. */
  resource: string;
  phase: string;
  image?: string;
  created?: string;
  startTime?: string;
  completionTime?: string;
  duration?: string;
  node?: string;
  nodeKind: NodeKind;
  reason?: string;
  message?: string;
  exitCode?: number;
  /** Over: its log is the kept one, not the pod's live log. */
  over: boolean;
  /** In a rerun: the build whose recorded result this job returned instead of running again. */
  reusedFrom?: string;
}

export interface BuildView extends BuildRow {
  reason?: string;
  message?: string;
  /** This build reruns that one (`all`: every job ran again). */
  rerunOf?: { build: string; all: boolean };
  succeeded?: ConditionView;
  /** The script's console (bounded tail, secret values redacted by the operator). */
  console: string;
  /** The jobs, in the order they were created (then by name, numbers in order). */
  timeline: TimelineBar[];
  over: boolean;
  /** What this dashboard lets the user do with the build now (the API server still authorises it). */
  actions: { cancel: boolean; rerun: boolean };
}

export interface BuildFilter {
  phase?: string;
  type?: string;
  ref?: string;
}

/** The dashboard's settings that change what the views offer. */
export interface ViewSettings {
  actions: { cancel: boolean; rerun: boolean };
}

/** Labels of the nodes by name, when the nodes can be read; undefined when they cannot. */
export type NodeLabels = (name: string) => Record<string, string> | undefined;

const condition = (conditions: readonly Condition[] | undefined, type: string): ConditionView | undefined => {
  const c = conditions?.find((x) => x.type === type);
  return c ? { status: c.status, reason: c.reason, message: c.message } : undefined;
};

export const isBuildOver = (b: Build): boolean => TERMINAL_BUILD_PHASES.some((p) => p === b.status?.phase);
export const isJobOver = (j: JobCR): boolean => TERMINAL_JOB_PHASES.some((p) => p === j.status?.phase);

const created = (o: { metadata: { creationTimestamp?: string } }): string => o.metadata.creationTimestamp ?? '';
const newestFirst = (a: Build, b: Build): number =>
  created(b).localeCompare(created(a)) || (b.metadata.name ?? '').localeCompare(a.metadata.name ?? '');

export function projectView(project: Project, builds: readonly Build[]): ProjectView {
  const last = builds.find((b) => b.metadata.name === project.status?.lastBuild) ?? [...builds].sort(newestFirst).at(0);
  return {
    namespace: project.metadata.namespace ?? '',
    name: project.metadata.name ?? '',
    ready: condition(project.status?.conditions, 'Ready') ?? { status: 'Unknown', reason: 'NotObserved' },
    handlers: project.status?.handlers ?? [],
    ...(last
      ? {
          lastBuild: {
            name: last.metadata.name ?? '',
            phase: last.status?.phase ?? 'Pending',
            type: last.spec.type,
            created: last.metadata.creationTimestamp,
          },
        }
      : {}),
    ...(project.status?.buildCounts ? { counts: project.status.buildCounts } : {}),
  };
}

export function buildRow(b: Build): BuildRow {
  return {
    namespace: b.metadata.namespace ?? '',
    name: b.metadata.name ?? '',
    project: b.spec.project,
    event: b.spec.event,
    type: b.spec.type,
    provider: b.spec.provider,
    ref: b.spec.revision?.ref,
    commit: b.spec.revision?.commit,
    phase: b.status?.phase ?? 'Pending',
    jobs: b.status?.jobsSummary,
    created: b.metadata.creationTimestamp,
    startTime: b.status?.startTime,
    completionTime: b.status?.completionTime,
    duration: b.status?.duration,
  };
}

/** The builds that pass the filter, newest first. A ref matches exactly or as the branch/tag name. */
export function filterBuilds(builds: readonly Build[], filter: BuildFilter): BuildRow[] {
  const refMatches = (ref: string | undefined): boolean =>
    !filter.ref || ref === filter.ref || ref?.replace(/^refs\/(heads|tags)\//, '') === filter.ref;
  return builds
    .filter((b) => !filter.phase || (b.status?.phase ?? 'Pending') === filter.phase)
    .filter((b) => !filter.type || b.spec.type === filter.type)
    .filter((b) => refMatches(b.spec.revision?.ref))
    .sort(newestFirst)
    .map(buildRow);
}

/**
 * Where the job's pod ran. The node's `type=virtual-kubelet` label decides when the nodes can be
 * read; without them, the job's own placement (or the virtual node's well-known name) does, and a
 * burst job, which may land on either, stays unknown.
 */
export function nodeKind(job: JobCR, nodes: NodeLabels | undefined): NodeKind {
  const node = job.status?.nodeName;
  if (!node) return 'unknown';
  const labels = nodes?.(node);
  if (labels) return labels[VIRTUAL_NODE_TYPE_LABEL] === VIRTUAL_NODE_NAME ? 'virtual' : 'regular';
  const host = job.spec.host ?? {};
  if (host.name === VIRTUAL_NODE_NAME || host.placement === 'virtual' || node === VIRTUAL_NODE_NAME) return 'virtual';
  return host.placement === 'burst' ? 'unknown' : 'regular';
}

export function timelineBar(job: JobCR, nodes: NodeLabels | undefined): TimelineBar {
  const s = job.status;
  return {
    name: job.spec.name,
    resource: job.metadata.name ?? '',
    phase: s?.phase ?? 'Pending',
    image: job.spec.image,
    created: job.metadata.creationTimestamp,
    startTime: s?.startTime,
    completionTime: s?.completionTime,
    duration: s?.duration,
    node: s?.nodeName,
    nodeKind: nodeKind(job, nodes),
    reason: s?.reason,
    message: s?.message,
    exitCode: s?.exitCode,
    over: isJobOver(job),
    ...(job.spec.reusedFrom ? { reusedFrom: job.spec.reusedFrom.build } : {}),
  };
}

// Creation times have one-second resolution: within a second, "job-2" comes before "job-10".
const byCreation = (a: JobCR, b: JobCR): number =>
  created(a).localeCompare(created(b)) || a.spec.name.localeCompare(b.spec.name, 'en', { numeric: true });

export function buildView(
  build: Build,
  jobs: readonly JobCR[],
  o: { nodes?: NodeLabels; settings: ViewSettings },
): BuildView {
  const over = isBuildOver(build);
  return {
    ...buildRow(build),
    reason: build.status?.reason,
    message: build.status?.message,
    ...(build.spec.rerunOf
      ? { rerunOf: { build: build.spec.rerunOf.build, all: build.spec.rerunOf.all === true } }
      : {}),
    succeeded: condition(build.status?.conditions, 'Succeeded'),
    console: build.status?.logTail ?? '',
    timeline: [...jobs].sort(byCreation).map((j) => timelineBar(j, o.nodes)),
    over,
    actions: {
      cancel: o.settings.actions.cancel && !over && build.spec.cancel !== true,
      rerun: o.settings.actions.rerun && over,
    },
  };
}
