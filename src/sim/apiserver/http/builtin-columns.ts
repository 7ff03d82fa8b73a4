// Table columns for the built-in kinds, modelled on the real apiserver's printers (a subset of the
// wide columns). Each printer returns the column definitions and one row's cells.

import type { TableColumn } from '../../crd/index.ts';
import type { KubeObject } from '../../types.ts';
import { age, humanDuration } from './age.ts';

type Obj = Record<string, unknown>;
export interface Printer {
  columns: TableColumn[];
  cells(obj: KubeObject, now: Date): unknown[];
}

function col(name: string, type = 'string', priority = 0, description = ''): TableColumn {
  return { name, type, format: name === 'Name' ? 'name' : '', description, priority };
}

function o(v: unknown): Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {};
}

/** A scalar field as text; a malformed object value shows as its JSON rather than "[object Object]". */
function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || v === undefined || v === null) return String(v);
  return JSON.stringify(v);
}

function arr(v: unknown): Obj[] {
  return Array.isArray(v) ? (v as Obj[]) : [];
}

const NAME = col('Name', 'string', 0, 'Name must be unique within a namespace.');
const AGE = col(
  'Age',
  'string',
  0,
  'CreationTimestamp is a timestamp representing the server time when this object was created.',
);

function podStatusReason(pod: KubeObject): string {
  const status = o(pod['status']);
  let reason = text(status['reason'] ?? status['phase'] ?? 'Unknown');
  for (const cs of arr(status['containerStatuses'])) {
    const state = o(cs['state']);
    const waiting = o(state['waiting']);
    const terminated = o(state['terminated']);
    if (waiting['reason']) reason = text(waiting['reason']);
    else if (terminated['reason']) reason = text(terminated['reason']);
    else if (state['terminated'])
      reason = terminated['signal']
        ? `Signal:${text(terminated['signal'])}`
        : `ExitCode:${text(terminated['exitCode'])}`;
  }
  if (pod.metadata.deletionTimestamp) reason = 'Terminating';
  return reason;
}

const pods: Printer = {
  columns: [
    NAME,
    col('Ready'),
    col('Status'),
    col('Restarts'),
    AGE,
    col('IP', 'string', 1),
    col('Node', 'string', 1),
    col('Nominated Node', 'string', 1),
    col('Readiness Gates', 'string', 1),
  ],
  cells(pod, now) {
    const status = o(pod['status']);
    const spec = o(pod['spec']);
    const statuses = arr(status['containerStatuses']);
    const ready = statuses.filter((c) => c['ready'] === true).length;
    const restarts = statuses.reduce((n, c) => n + Number(c['restartCount'] ?? 0), 0);
    return [
      pod.metadata.name,
      `${ready}/${arr(spec['containers']).length}`,
      podStatusReason(pod),
      String(restarts),
      age(pod.metadata.creationTimestamp, now),
      status['podIP'] ?? '<none>',
      spec['nodeName'] ?? '<none>',
      status['nominatedNodeName'] ?? '<none>',
      '<none>',
    ];
  },
};

function jobStatus(job: KubeObject): string {
  const conditions = arr(o(job['status'])['conditions'])
    .filter((c) => c['status'] === 'True')
    .map((c) => c['type']);
  if (conditions.includes('Failed')) return 'Failed';
  if (conditions.includes('Complete')) return 'Complete';
  if (conditions.includes('FailureTarget')) return 'FailureTarget';
  if (conditions.includes('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  if (o(job['spec'])['suspend'] === true || conditions.includes('Suspended')) return 'Suspended';
  return 'Running';
}

const jobs: Printer = {
  columns: [
    NAME,
    col('Status'),
    col('Completions'),
    col('Duration'),
    AGE,
    col('Containers', 'string', 1),
    col('Images', 'string', 1),
    col('Selector', 'string', 1),
  ],
  cells(job, now) {
    const spec = o(job['spec']);
    const status = o(job['status']);
    const start = typeof status['startTime'] === 'string' ? Date.parse(status['startTime']) : undefined;
    const end = typeof status['completionTime'] === 'string' ? Date.parse(status['completionTime']) : now.getTime();
    const containers = arr(o(o(spec['template'])['spec'])['containers']);
    const selector = o(o(spec['selector'])['matchLabels']);
    return [
      job.metadata.name,
      jobStatus(job),
      `${Number(status['succeeded'] ?? 0)}/${Number(spec['completions'] ?? 1)}`,
      start === undefined ? '' : humanDuration(end - start),
      age(job.metadata.creationTimestamp, now),
      containers.map((c) => c['name']).join(','),
      containers.map((c) => c['image']).join(','),
      Object.entries(selector)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(',') || '<none>',
    ];
  },
};

const nodes: Printer = {
  columns: [
    NAME,
    col('Status'),
    col('Roles'),
    AGE,
    col('Version'),
    col('Internal-IP', 'string', 1),
    col('External-IP', 'string', 1),
    col('OS-Image', 'string', 1),
    col('Kernel-Version', 'string', 1),
    col('Container-Runtime', 'string', 1),
  ],
  cells(node, now) {
    const status = o(node['status']);
    const ready = arr(status['conditions']).find((c) => c['type'] === 'Ready');
    let state = ready?.['status'] === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown';
    if (o(node['spec'])['unschedulable'] === true) state += ',SchedulingDisabled';
    const labels = node.metadata.labels ?? {};
    const roles = Object.keys(labels)
      .filter((k) => k.startsWith('node-role.kubernetes.io/'))
      .map((k) => k.slice(24));
    if (labels['kubernetes.io/role']) roles.push(labels['kubernetes.io/role']);
    const info = o(status['nodeInfo']);
    const address = (t: string): unknown =>
      arr(status['addresses']).find((a) => a['type'] === t)?.['address'] ?? '<none>';
    return [
      node.metadata.name,
      state,
      roles.join(',') || '<none>',
      age(node.metadata.creationTimestamp, now),
      info['kubeletVersion'] ?? '',
      address('InternalIP'),
      address('ExternalIP'),
      info['osImage'] ?? '<unknown>',
      info['kernelVersion'] ?? '<unknown>',
      info['containerRuntimeVersion'] ?? '<unknown>',
    ];
  },
};

const namespaces: Printer = {
  columns: [NAME, col('Status'), AGE],
  cells: (ns, now) => [ns.metadata.name, o(ns['status'])['phase'] ?? '', age(ns.metadata.creationTimestamp, now)],
};

const configmaps: Printer = {
  columns: [NAME, col('Data', 'integer'), AGE],
  cells: (cm, now) => [
    cm.metadata.name,
    Object.keys(o(cm['data'])).length + Object.keys(o(cm['binaryData'])).length,
    age(cm.metadata.creationTimestamp, now),
  ],
};

const secrets: Printer = {
  columns: [NAME, col('Type'), col('Data', 'integer'), AGE],
  cells: (s, now) => [
    s.metadata.name,
    s['type'] ?? 'Opaque',
    Object.keys(o(s['data'])).length,
    age(s.metadata.creationTimestamp, now),
  ],
};

const events: Printer = {
  columns: [
    col('Last Seen'),
    col('Type'),
    col('Reason'),
    col('Object'),
    col('Message'),
    col('Source', 'string', 1),
    col('First Seen', 'string', 1),
    col('Count', 'string', 1),
    col('Name', 'string', 1),
  ],
  cells(ev, now) {
    const involved = o(ev['involvedObject']);
    return [
      age(ev['lastTimestamp'] ?? ev['eventTime'] ?? ev.metadata.creationTimestamp, now),
      ev['type'] ?? '',
      ev['reason'] ?? '',
      `${text(involved['kind'] ?? '').toLowerCase()}/${text(involved['name'] ?? '')}`,
      ev['message'] ?? '',
      o(ev['source'])['component'] ?? ev['reportingComponent'] ?? '',
      age(ev['firstTimestamp'] ?? ev.metadata.creationTimestamp, now),
      text(ev['count'] ?? 1),
      ev.metadata.name,
    ];
  },
};

const pvcs: Printer = {
  columns: [NAME, col('Status'), col('Volume'), col('Capacity'), col('Access Modes'), col('StorageClass'), AGE],
  cells(pvc, now) {
    const spec = o(pvc['spec']);
    const status = o(pvc['status']);
    return [
      pvc.metadata.name,
      status['phase'] ?? '',
      spec['volumeName'] ?? '',
      o(status['capacity'])['storage'] ?? '',
      (Array.isArray(status['accessModes']) ? status['accessModes'] : []).join(','),
      spec['storageClassName'] ?? '<unset>',
      age(pvc.metadata.creationTimestamp, now),
    ];
  },
};

const leases: Printer = {
  columns: [NAME, col('Holder'), AGE],
  cells: (l, now) => [l.metadata.name, o(l['spec'])['holderIdentity'] ?? '', age(l.metadata.creationTimestamp, now)],
};

const crds: Printer = {
  columns: [NAME, col('Created At', 'date')],
  cells: (c) => [c.metadata.name, c.metadata.creationTimestamp ?? ''],
};

const fallback: Printer = {
  columns: [NAME, AGE],
  cells: (x, now) => [x.metadata.name, age(x.metadata.creationTimestamp, now)],
};

const PRINTERS: Record<string, Printer> = {
  '/pods': pods,
  'batch/jobs': jobs,
  '/nodes': nodes,
  '/namespaces': namespaces,
  '/configmaps': configmaps,
  '/secrets': secrets,
  '/events': events,
  '/persistentvolumeclaims': pvcs,
  'coordination.k8s.io/leases': leases,
  'apiextensions.k8s.io/customresourcedefinitions': crds,
};

export function builtinPrinter(group: string, resource: string): Printer {
  return PRINTERS[`${group}/${resource}`] ?? fallback;
}
