// The resource types the commands read, and small pure readers over them (what to print, when a build
// is over), kept apart from I/O so they are unit-tested directly.
import {
  TERMINAL_BUILD_PHASES,
  TERMINAL_JOB_PHASES,
  type Build,
  type BrigadeEvent,
  type JobCR,
  type Project,
} from '../../api/types.ts';
import { span } from './table.ts';

export type ProjectObject = Project;
export type EventObject = BrigadeEvent;
export type BuildObject = Build;
export type JobObject = JobCR;

export function isBuildOver(build: BuildObject): boolean {
  const phase = build.status?.phase;
  return phase !== undefined && TERMINAL_BUILD_PHASES.includes(phase);
}

export function isJobOver(job: JobObject): boolean {
  const phase = job.status?.phase;
  return phase !== undefined && TERMINAL_JOB_PHASES.includes(phase);
}

/** The job's name as the script gave it (the CRD requires it). */
export function jobDisplayName(job: JobObject): string {
  return job.spec.name;
}

export function isReady(project: ProjectObject): string {
  const ready = project.status?.conditions?.find((c) => c.type === 'Ready');
  return ready?.status ?? 'Unknown';
}

export function buildRow(build: BuildObject, now: number): string[] {
  const s = build.status ?? {};
  return [
    build.metadata.name ?? '',
    build.spec.project,
    build.spec.type,
    s.phase ?? 'Pending',
    s.jobsSummary ?? '-',
    span(s.startTime, s.completionTime, now),
    span(build.metadata.creationTimestamp, undefined, now),
  ];
}

export const BUILD_HEADER = ['NAME', 'PROJECT', 'TYPE', 'PHASE', 'JOBS', 'DURATION', 'AGE'];

export function jobSummaryRow(job: JobObject, now: number): string[] {
  const s = job.status ?? {};
  return [
    jobDisplayName(job),
    s.phase ?? 'Pending',
    s.nodeName ?? '-',
    span(s.startTime, s.completionTime, now),
    s.reason ?? '',
  ];
}

export const JOB_SUMMARY_HEADER = ['JOB', 'PHASE', 'NODE', 'DURATION', 'REASON'];

export function projectRow(project: ProjectObject): string[] {
  const handlers = project.status?.handlersSummary ?? project.status?.handlers?.join(',') ?? '';
  const gateways = Object.entries(project.spec.gateways ?? {})
    .filter(([, intake]) => (intake as { enabled?: boolean } | undefined)?.enabled)
    .map(([name]) => name);
  return [project.metadata.name ?? '', isReady(project), handlers || '-', gateways.join(',') || '-'];
}

export const PROJECT_HEADER = ['NAME', 'READY', 'HANDLERS', 'INTAKES'];

/** Sort newest first by creation time, then by name. */
export function newestFirst<T extends { metadata: { creationTimestamp?: string; name?: string } }>(items: T[]): T[] {
  return [...items].sort(
    (a, b) =>
      (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') ||
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
  );
}
