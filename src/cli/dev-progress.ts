// Prints how builds and their jobs progress, one line per change, for `brigade-operator dev`.
// It watches Builds and Job CRs through informers (no polling) and reports transitions only.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Writable } from 'node:stream';
import type { Build, JobCR } from '../api/types.ts';
import { TERMINAL_BUILD_PHASES } from '../api/types.ts';
import type { ChangeHandler } from '../controller/runtime/informer.ts';

/** A watched cache to follow: the operator's own informers, so progress costs no extra watch. */
export interface ChangeSource {
  onChange(handler: ChangeHandler<KubernetesObject>): void;
}

export interface ProgressOptions {
  builds: ChangeSource;
  jobs: ChangeSource;
  out: Writable;
  /** Called whenever a build reaches a terminal phase. */
  onBuildFinished?: (build: Build) => void;
}

function stamp(): string {
  return new Date().toISOString().slice(11, 19);
}

function describeBuild(b: Build): string {
  const s = b.status ?? {};
  const parts = [
    `build ${b.metadata.namespace}/${b.metadata.name}`,
    `project=${b.spec.project}`,
    `type=${b.spec.type}`,
    s.phase ?? 'Pending',
  ];
  if (s.jobsSummary) parts.push(`jobs ${s.jobsSummary}`);
  if (s.duration) parts.push(`in ${s.duration}`);
  if (s.reason && s.phase !== 'Succeeded' && s.phase !== 'Running')
    parts.push(`(${s.reason}${s.message ? `: ${s.message}` : ''})`);
  return parts.join('  ');
}

function describeJob(j: JobCR): string {
  const s = j.status ?? {};
  const where = s.nodeName ? ` on ${s.nodeName}` : '';
  const took = s.duration ? ` in ${s.duration}` : '';
  const why = s.phase !== 'Succeeded' && s.reason ? ` (${s.reason}${s.message ? `: ${s.message}` : ''})` : '';
  return `  job ${j.spec.name}  ${s.phase ?? 'Pending'}${where}${took}${why}`;
}

/** Prints transitions from now on; it ends with the caches it follows. */
export function printProgress(opts: ProgressOptions): void {
  const lastBuild = new Map<string, string>();
  const lastJob = new Map<string, string>();
  const onBuild = (obj: KubernetesObject): void => {
    const b = obj as unknown as Build;
    const key = `${b.metadata.namespace}/${b.metadata.name}`;
    const phase = b.status?.phase ?? 'Pending';
    // Print phase changes, and progress of running builds when their job count moves.
    const signature = `${phase} ${b.status?.jobsSummary ?? ''}`;
    if (lastBuild.get(key) === signature) return;
    lastBuild.set(key, signature);
    opts.out.write(`${stamp()} ${describeBuild(b)}\n`);
    if ((TERMINAL_BUILD_PHASES as readonly string[]).includes(phase)) opts.onBuildFinished?.(b);
  };
  const onJob = (obj: KubernetesObject): void => {
    const j = obj as unknown as JobCR;
    const key = `${j.metadata.namespace}/${j.metadata.name}`;
    const phase = j.status?.phase ?? 'Pending';
    if (lastJob.get(key) === phase || phase === 'Pending') return;
    lastJob.set(key, phase);
    opts.out.write(`${stamp()} ${describeJob(j)}\n`);
  };
  opts.builds.onChange((obj, verb) => {
    if (verb !== 'delete') onBuild(obj);
  });
  opts.jobs.onChange((obj, verb) => {
    if (verb !== 'delete') onJob(obj);
  });
}
