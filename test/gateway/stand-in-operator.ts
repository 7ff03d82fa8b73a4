// A stand-in for the operator, for testing the CLI before and apart from the real one: it answers
// each new Event the way the operator's contract says (status.phase/build, a Build, one Job CR per
// job with podName/nodeName/logTail, build phases), running each job as a real pod on the
// simulator so the CLI's pod-log streaming is exercised. Reacts to watches; never polls.
import { buildName, jobCrName } from '../../src/api/names.ts';
import { LABELS } from '../../src/api/constants.ts';
import type { BrigadeEvent, Build, JobCR } from '../../src/api/types.ts';
import type { KubeObject } from '../../src/sim/types.ts';
import type { TestCluster } from './cluster.ts';

/** What the stand-in does for a project: reject its events, or run these jobs (shell scripts) in order. */
export type Plan = { reject: { reason: string; message: string } } | { jobs: Array<{ name: string; script: string }> };

const gvr = (resource: string) => ({ group: 'brigade.sh', version: 'v1alpha1', resource });
const PODS = { group: '', version: 'v1', resource: 'pods' };

export function startStandInOperator(cluster: TestCluster, plans: Record<string, Plan>): { stop(): void; errors: unknown[] } {
  const errors: unknown[] = [];
  const seen = new Set<string>();
  // From now: the tests create their Events after the stand-in started.
  const stop = cluster.sim.store.watch(gvr('events'), { namespace: cluster.namespace }, (type, obj) => {
    const event = obj as unknown as BrigadeEvent;
    const name = event.metadata.name ?? '';
    if (type !== 'ADDED' || seen.has(name)) return;
    seen.add(name);
    handle(cluster, event, plans[event.spec.project]).catch((err: unknown) => errors.push(err));
  });
  return { stop, errors };
}

async function setEventStatus(cluster: TestCluster, event: BrigadeEvent, status: BrigadeEvent['status']): Promise<void> {
  await cluster.objects.patchStatus('Event', cluster.namespace, event.metadata.name ?? '', status);
}

async function handle(cluster: TestCluster, event: BrigadeEvent, plan: Plan | undefined): Promise<void> {
  if (!plan) return setEventStatus(cluster, event, { phase: 'Rejected', reason: 'ProjectNotFound', message: 'no plan' });
  if ('reject' in plan) return setEventStatus(cluster, event, { phase: 'Rejected', ...plan.reject });
  const name = buildName(event);
  const ns = cluster.namespace;
  await cluster.objects.create('Build', {
    apiVersion: 'brigade.sh/v1alpha1', kind: 'Build',
    metadata: { name, namespace: ns, labels: { [LABELS.project]: event.spec.project, [LABELS.event]: event.metadata.name ?? '' } },
    spec: { project: event.spec.project, event: event.metadata.name ?? '', type: event.spec.type, provider: event.spec.provider, script: '//', scriptOrigin: 'project', cancel: false },
  } as Build);
  await setEventStatus(cluster, event, { phase: 'Accepted', build: name });
  const start = new Date().toISOString();
  await cluster.objects.patchStatus('Build', ns, name, { phase: 'Running', startTime: start });
  let failed: string | undefined;
  for (const job of plan.jobs) {
    const result = await runJob(cluster, { build: name, project: event.spec.project, job });
    if (result !== 0) { failed = job.name; break; }
  }
  await cluster.objects.patchStatus('Build', ns, name, {
    phase: failed ? 'Failed' : 'Succeeded', completionTime: new Date().toISOString(),
    ...(failed ? { reason: 'JobFailed', message: `job ${failed} failed` } : {}),
  });
}

async function runJob(cluster: TestCluster, opts: { build: string; project: string; job: { name: string; script: string } }): Promise<number> {
  const ns = cluster.namespace;
  const crName = jobCrName(opts.build, opts.job.name);
  const labels = { [LABELS.project]: opts.project, [LABELS.build]: opts.build, [LABELS.job]: opts.job.name };
  await cluster.objects.create('Job', {
    apiVersion: 'brigade.sh/v1alpha1', kind: 'Job', metadata: { name: crName, namespace: ns, labels },
    spec: { project: opts.project, build: opts.build, name: opts.job.name, image: 'alpine:3', tasks: [opts.job.script] },
  } as JobCR);
  cluster.sim.store.create(PODS, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: crName, namespace: ns, labels },
    // Bound to node-1 up front: scheduling is not what these tests are about.
    spec: { nodeName: 'node-1', restartPolicy: 'Never', containers: [{ name: 'main', image: 'alpine:3', command: ['/bin/sh', '-c', opts.job.script] }] },
  } as KubeObject);
  const started = await podPhase(cluster, crName, (p) => p === 'Running' || p === 'Succeeded' || p === 'Failed');
  const nodeName = (started.spec as { nodeName?: string }).nodeName;
  await cluster.objects.patchStatus('Job', ns, crName, { phase: 'Running', podName: crName, nodeName, startTime: new Date().toISOString() });
  const ended = await podPhase(cluster, crName, (p) => p === 'Succeeded' || p === 'Failed');
  const exitCode = ended.status && (ended.status as any).containerStatuses?.[0]?.state?.terminated?.exitCode;
  const logTail = await cluster.core.readNamespacedPodLog({ namespace: ns, name: crName });
  await cluster.objects.patchStatus('Job', ns, crName, {
    phase: exitCode === 0 ? 'Succeeded' : 'Failed', podName: crName, nodeName, exitCode, logTail, completionTime: new Date().toISOString(),
  });
  return exitCode ?? 1;
}

/** Resolves with the pod once its phase satisfies `done`: its current state, then its changes. */
function podPhase(cluster: TestCluster, name: string, done: (phase: string) => boolean): Promise<KubeObject> {
  const phaseOf = (obj: KubeObject): string => (obj.status as { phase?: string } | undefined)?.phase ?? '';
  return new Promise((resolve, reject) => {
    const current = cluster.sim.store.get(PODS, cluster.namespace, name);
    if (!current) return reject(new Error(`pod ${name} not found`));
    if (done(phaseOf(current))) return resolve(current);
    let settled = false;
    let stop: (() => void) | undefined;
    stop = cluster.sim.store.watch(PODS, { namespace: cluster.namespace, fieldSelector: `metadata.name=${name}`, resourceVersion: current.metadata.resourceVersion }, (_t, obj) => {
      if (settled || !done(phaseOf(obj))) return;
      settled = true;
      resolve(obj);
      // The callback may run before watch() has returned its stop function.
      queueMicrotask(() => stop?.());
    });
    if (settled) stop();
  });
}
