// Defaults and initial status the real apiserver applies to the built-in kinds on create, limited
// to the fields that clients of the simulator (kubectl, the operator, the workloads) look at.

import type { KubeObject } from '../types.ts';
import { nameOf, uidOf } from './meta.ts';

type Obj = Record<string, unknown>;

function asObj(v: unknown): Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {};
}

function defaultContainer(c: Obj): void {
  const image = typeof c['image'] === 'string' ? c['image'] : '';
  const tag = image.includes('@')
    ? 'digest'
    : image
        .slice(image.lastIndexOf('/') + 1)
        .split(':')
        .at(1);
  c['imagePullPolicy'] ??= !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
  c['terminationMessagePath'] ??= '/dev/termination-log';
  c['terminationMessagePolicy'] ??= 'File';
}

export function defaultPodSpec(spec: Obj): void {
  spec['restartPolicy'] ??= 'Always';
  spec['dnsPolicy'] ??= 'ClusterFirst';
  spec['schedulerName'] ??= 'default-scheduler';
  spec['terminationGracePeriodSeconds'] ??= 30;
  spec['securityContext'] ??= {};
  for (const list of ['containers', 'initContainers']) {
    const containers = spec[list];
    if (Array.isArray(containers)) for (const c of containers) defaultContainer(asObj(c));
  }
}

function defaultJob(job: KubeObject): void {
  const spec = asObj(job['spec']);
  job['spec'] = spec;
  const uid = uidOf(job);
  const name = nameOf(job);
  spec['parallelism'] ??= 1;
  spec['completions'] ??= 1;
  spec['backoffLimit'] ??= 6;
  spec['completionMode'] ??= 'NonIndexed';
  spec['suspend'] ??= false;
  spec['podReplacementPolicy'] ??= 'TerminatingOrFailed';
  // Like the real server, tie the pod template to this Job by its uid unless the user chose a selector.
  if (!spec['manualSelector']) {
    const ids = {
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': name,
      'controller-uid': uid,
      'job-name': name,
    };
    spec['selector'] = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
    const template = asObj(spec['template']);
    spec['template'] = template;
    const meta = asObj(template['metadata']);
    template['metadata'] = meta;
    meta['labels'] = { ...asObj(meta['labels']), ...ids };
  }
  const podSpec = asObj(asObj(spec['template'])['spec']);
  defaultPodSpec(podSpec);
}

/** Applies create-time defaults and the initial status for built-in kinds (CRs are the CRD machinery's job). */
export function applyCreateDefaults(group: string, kind: string, obj: KubeObject): void {
  const key = `${group}/${kind}`;
  switch (key) {
    case '/Pod':
      obj['spec'] = asObj(obj['spec']);
      defaultPodSpec(obj['spec'] as Obj);
      obj['status'] = { phase: 'Pending', qosClass: 'BestEffort' };
      break;
    case 'batch/Job':
      defaultJob(obj);
      obj['status'] = {};
      break;
    case '/Namespace':
      obj['spec'] = { finalizers: ['kubernetes'] };
      obj['status'] = { phase: 'Active' };
      break;
    case '/Secret':
      obj['type'] ??= 'Opaque';
      break;
    case '/PersistentVolumeClaim':
      obj['status'] = { phase: 'Pending' };
      break;
    default:
      break;
  }
}

/**
 * What the real server's conversion does on every write of a built-in kind, create or update:
 * a Secret's `stringData` is merged into `data` (base64, winning over the same key in `data`) and is
 * never stored or returned.
 */
export function normalizeBuiltin(group: string, kind: string, obj: KubeObject): void {
  if (group !== '' || kind !== 'Secret' || obj['stringData'] === undefined) return;
  const data = { ...asObj(obj['data']) };
  for (const [key, value] of Object.entries(asObj(obj['stringData'])))
    data[key] = Buffer.from(String(value), 'utf8').toString('base64');
  obj['data'] = data;
  delete obj['stringData'];
}
