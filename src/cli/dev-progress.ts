// Prints how builds and their jobs progress, one line per change, for `brigade-operator dev`.
// It watches Builds and Job CRs through informers (no polling) and reports transitions only.
import { CustomObjectsApi, makeInformer, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Writable } from 'node:stream';
import { GROUP, VERSION, KINDS } from '../api/constants.ts';
import type { Build, JobCR } from '../api/types.ts';
import { TERMINAL_BUILD_PHASES } from '../api/types.ts';

export interface ProgressOptions {
  kubeConfig: KubeConfig;
  out: Writable;
  /** Called whenever a build reaches a terminal phase. */
  onBuildFinished?: (build: Build) => void;
}

function stamp(): string {
  return new Date().toISOString().slice(11, 19);
}

function informerFor(kubeConfig: KubeConfig, plural: string) {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const path = `/apis/${GROUP}/${VERSION}/${plural}`;
  return makeInformer<KubernetesObject>(kubeConfig, path, () => api.listClusterCustomObject({ group: GROUP, version: VERSION, plural }) as never);
}

function describeBuild(b: Build): string {
  const s = b.status ?? {};
  const parts = [`build ${b.metadata.namespace}/${b.metadata.name}`, `project=${b.spec.project}`, `type=${b.spec.type ?? ''}`, s.phase ?? 'Pending'];
  if (s.jobsSummary) parts.push(`jobs ${s.jobsSummary}`);
  if (s.duration) parts.push(`in ${s.duration}`);
  if (s.reason && s.phase !== 'Succeeded' && s.phase !== 'Running') parts.push(`(${s.reason}${s.message ? `: ${s.message}` : ''})`);
  return parts.join('  ');
}

function describeJob(j: JobCR): string {
  const s = j.status ?? {};
  const where = s.nodeName ? ` on ${s.nodeName}` : '';
  const took = s.duration ? ` in ${s.duration}` : '';
  const why = s.phase !== 'Succeeded' && s.reason ? ` (${s.reason}${s.message ? `: ${s.message}` : ''})` : '';
  return `  job ${j.spec.name ?? j.metadata.name}  ${s.phase ?? 'Pending'}${where}${took}${why}`;
}

/** Starts printing; returns a function that stops the informers. */
export async function printProgress(opts: ProgressOptions): Promise<() => Promise<void>> {
  let stopping = false;
  const lastBuild = new Map<string, string>();
  const lastJob = new Map<string, string>();
  const builds = informerFor(opts.kubeConfig, KINDS.Build.plural);
  const jobs = informerFor(opts.kubeConfig, KINDS.Job.plural);
  const onBuild = (obj: KubernetesObject): void => {
    const b = obj as unknown as Build;
    const key = `${b.metadata.namespace}/${b.metadata.name}`;
    const phase = b.status?.phase ?? 'Pending';
    const line = describeBuild(b);
    // Print phase changes, and progress of running builds when their job count moves.
    const signature = `${phase} ${b.status?.jobsSummary ?? ''}`;
    if (lastBuild.get(key) === signature) return;
    lastBuild.set(key, signature);
    opts.out.write(`${stamp()} ${line}\n`);
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
  builds.on('add', onBuild);
  builds.on('update', onBuild);
  jobs.on('add', onJob);
  jobs.on('update', onJob);
  for (const informer of [builds, jobs]) {
    informer.on('error', (err: unknown) => {
      if (stopping) return;
      // client-node informers stop on errors: say so and restart after a pause.
      opts.out.write(`${stamp()} progress watch interrupted (${err instanceof Error ? err.message : String(err)}); restarting\n`);
      setTimeout(() => {
        informer.start().catch((restartErr: unknown) => opts.out.write(`${stamp()} progress watch could not restart: ${String(restartErr)}\n`));
      }, 1000).unref();
    });
  }
  await builds.start();
  await jobs.start();
  return async () => {
    stopping = true;
    await builds.stop();
    await jobs.stop();
  };
}
