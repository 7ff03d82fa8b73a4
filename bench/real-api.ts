// API cost per job on the real control plane: the scale suite's per-job scripts, fewer builds, with
// the operator running as its ServiceAccount. Two counts, both from the API server's side: the
// operator's own requests from the audit log (attributed to its ServiceAccount, by verb and
// resource), and the API server's apiserver_request_total for every client (the controller
// manager's and the kubelet's work for each job included), as a before/after difference.
// Prints results; asserts nothing. Run it through the real-ground runner, which starts the control
// plane and passes its kubeconfig and audit log:
//   node test/ground/run-cluster.ts --script bench/real-api.ts [--builds N]
import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { Build } from '../src/api/types.ts';
import { BrigadeObjects, newKubeClients } from '../src/kube/index.ts';
import { startOperator } from '../src/operator.ts';
import { OPERATOR_NAMESPACE, OPERATOR_SERVICE_ACCOUNT, startGround } from '../test/ground/ground.ts';
import { kubectl } from '../test/helpers/tools.ts';
import { createEvent, readyProject } from './harness.ts';
import { SCRIPTS } from './scripts.ts';

/** Set by test/ground/run-cluster.ts for --script runs. */
const AUDIT_LOG_ENV = 'BRIGADE_TEST_AUDIT_LOG';
const OPERATOR_USER = `system:serviceaccount:${OPERATOR_NAMESPACE}:${OPERATOR_SERVICE_ACCOUNT}`;
const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

interface AuditEvent {
  stage?: string;
  verb?: string;
  user?: { username?: string };
  objectRef?: { resource?: string; subresource?: string; apiGroup?: string };
}

/** The operator's requests in the audit log written since `offset`: verb resource[/subresource] -> count. */
async function operatorRequests(auditLog: string, offset: number): Promise<Map<string, number>> {
  const text = (await readFile(auditLog)).subarray(offset).toString('utf8');
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const e = JSON.parse(line) as AuditEvent;
    if (e.stage !== 'ResponseComplete' || e.user?.username !== OPERATOR_USER || e.verb === 'watch') continue;
    const r = e.objectRef;
    const group = r?.apiGroup ? `${r.apiGroup}/` : '';
    const resource = `${group}${r?.resource ?? '?'}${r?.subresource ? `/${r.subresource}` : ''}`;
    const key = `${e.verb ?? '?'} ${resource}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** apiserver_request_total summed by verb, every client, watches left out. */
async function apiServerRequests(kubeconfig: string): Promise<Map<string, number>> {
  const text = await kubectl(kubeconfig, 'get', '--raw', '/metrics');
  const byVerb = new Map<string, number>();
  for (const [, labels = '', value] of text.matchAll(/^apiserver_request_total\{([^}]*)\} (\S+)$/gm)) {
    const verb = /verb="([^"]*)"/.exec(labels)?.[1] ?? '?';
    if (verb === 'WATCH') continue;
    byVerb.set(verb, (byVerb.get(verb) ?? 0) + Number(value));
  }
  return byVerb;
}

const minus = (after: Map<string, number>, before: Map<string, number>): Map<string, number> =>
  new Map(
    [...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)]).filter(([, v]) => Number(v) > 0) as [string, number][],
  );
const sum = (m: Map<string, number>, keep: (k: string) => boolean = () => true): number =>
  [...m].reduce((n, [k, v]) => (keep(k) ? n + v : n), 0);

async function untilEnded(objects: BrigadeObjects, namespace: string, names: string[]): Promise<Build[]> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    const builds = await Promise.all(names.map((n) => objects.get('Build', namespace, n)));
    const ended = builds.filter(
      (b): b is Build => !!b?.status?.phase && !['Pending', 'Running'].includes(b.status.phase),
    );
    if (ended.length === names.length) return ended;
    if (Date.now() > deadline)
      throw new Error(`builds still running after 10 minutes: ${String(names.length - ended.length)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { builds: { type: 'string' } } });
  const builds = Number(values.builds ?? 3);
  const auditLog = process.env[AUDIT_LOG_ENV];
  if (!auditLog) throw new Error(`run through: node test/ground/run-cluster.ts --script bench/real-api.ts`);
  const ground = await startGround();
  const ac = new AbortController();
  let stopped: Promise<unknown> = Promise.resolve();
  try {
    const objects = new BrigadeObjects(newKubeClients(ground.kubeConfig).custom);
    const operator = await startOperator({
      kubeConfig: await ground.operatorKubeConfig(),
      namespace: ground.namespace,
      logger: pino({ level: 'silent' }),
      signal: ac.signal,
      settings: { jobEvents: 'failures' },
    });
    stopped = operator.done;
    await operator.started;
    console.log(
      `real control plane: ${String(builds)} builds per script, operator as ${OPERATOR_USER}, --job-events failures`,
    );
    for (const [name, { jobs, script }] of Object.entries(SCRIPTS)) {
      if (name.startsWith('countdown') && builds > 1) continue; // 21 pods one after another: too long here
      const project = name.toLowerCase().replace(/[^a-z0-9-]/g, '-');
      await readyProject(objects, project, script, ground.namespace);
      const offset = (await stat(auditLog)).size;
      const before = await apiServerRequests(ground.kubeconfigPath);
      const names = Array.from({ length: builds }, (_, i) => `${project}-${String(i + 1)}`);
      for (const event of names) await createEvent(objects, project, event, ground.namespace);
      const ended = await untilEnded(objects, ground.namespace, names);
      // Let the last status writes (Build and Project summaries, coalesced for a second) land.
      await new Promise((r) => setTimeout(r, 3000));
      const mine = await operatorRequests(auditLog, offset);
      const all = minus(await apiServerRequests(ground.kubeconfigPath), before);
      const total = builds * jobs;
      const failed = ended.filter((b) => b.status?.phase !== 'Succeeded').length;
      const perJob = (n: number): string => (n / total).toFixed(2);
      const isWrite = (k: string): boolean => WRITE_VERBS.has(k.split(' ')[0] ?? '');
      console.log(
        `${name.padEnd(16)} ${String(total)} jobs (${String(failed)} builds not Succeeded): operator ${perJob(sum(mine, isWrite))} writes/job, ` +
          `${perJob(sum(mine, (k) => !isWrite(k)))} reads/job; API server, every client: ${perJob(sum(all))} requests/job ` +
          `(${[...all].map(([verb, n]) => `${verb} ${perJob(n)}`).join(', ')})`,
      );
      for (const [key, n] of [...mine].sort((a, b) => b[1] - a[1])) console.log(`      ${perJob(n)}/job  ${key}`);
    }
  } finally {
    ac.abort();
    await stopped;
    await ground.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
