// Logs that outlive pods, on both grounds: a job's whole log (more than the status tail and more
// than one ConfigMap holds) is still given by `logs` and by the script's Result after its pod is
// deleted and the operator restarted; a log over the project's cap ends with a line that says so; a
// small log costs no ConfigMap; with the log archive (Azurite on loopback) the log is read back
// after its ConfigMaps and its Build are gone, and the archive never holds a secret value.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { PassThrough } from 'node:stream';
import { commands } from '../../src/cli/commands/index.ts';
import type { CommandIO } from '../../src/cli/command.ts';
import { azureBlobArchive, AZURE_CONNECTION_STRING_ENV } from '../../src/archive/index.ts';
import type { LogArchive } from '../../src/archive/index.ts';
import { DEFAULTS } from '../../src/api/defaults.ts';
import type { JobCR } from '../../src/api/types.ts';
import { capMarker } from '../../src/controller/shared/log-bounds.ts';
import { startAzurite, type Azurite } from '../helpers/azurite.ts';
import { runOperator, startCluster, waitFor } from './harness.ts';
import type { Cluster, OperatorHandle } from './harness.ts';
import { buildEnded, eventYaml, jobsOf, projectReady, projectYaml } from './manifests.ts';

let cluster: Cluster;
let operator: OperatorHandle | undefined;
let azurite: Azurite | undefined;

/** A gate a job waits on over HTTP (pods share the host's network on both grounds). */
const gate = { open: false, url: '', server: undefined as Server | undefined };

before(async () => {
  cluster = await startCluster();
  gate.server = createServer((_req, res) => res.writeHead(gate.open ? 200 : 404).end());
  await new Promise<void>((resolve) => gate.server?.listen(0, '127.0.0.1', resolve));
  const address = gate.server.address();
  gate.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/go`;
});

after(async () => {
  await operator?.stop();
  gate.server?.close();
  await azurite?.stop();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
  await cluster?.stop();
});

const LINES = 70_000;
/** What the job prints: about 1.6 MB, two ConfigMaps' worth. */
const bigLog = (prefix: string): string =>
  prefix + Array.from({ length: LINES }, (_, i) => `line ${i + 1} of the long log\n`).join('');
const PRINT_LINES = `awk 'BEGIN { for (i = 1; i <= ${LINES}; i++) printf "line %d of the long log\\n", i }'`;

/** The script's own summary of a text; the test computes the same to compare. */
const CHECKSUM_JS = `function checksum(text) {
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum = (sum * 31 + text.charCodeAt(i)) % 1000000007;
  return sum;
}`;
function checksum(text: string): number {
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum = (sum * 31 + text.charCodeAt(i)) % 1000000007;
  return sum;
}

/** A script: job `big` prints the long log, `gate` waits for the test, then the Result is summed up. */
function gatedScript(bigTasks: string[]): string {
  return `const { events, Job } = require('brigadier');
${CHECKSUM_JS}
events.on('exec', async (e, project) => {
  const big = new Job('big', 'alpine:3.20', ${JSON.stringify(bigTasks)});
  big.env = { TOKEN: project.secrets.token || 'none' };
  const result = await big.run();
  await new Job('gate', 'alpine:3.20', [${JSON.stringify(`until wget -q -O /dev/null '${gate.url}' 2>/dev/null; do sleep 0.2; done`)}]).run();
  const text = result.toString();
  console.log('result: ' + text.length + ' characters, checksum ' + checksum(text));
});`;
}

async function cli(
  argv: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  const [name, ...rest] = argv;
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const io: CommandIO = {
    stdout,
    stderr,
    stdin: PassThrough.from(['']),
    env: { KUBECONFIG: cluster.kubeconfig, ...env },
  };
  const code = await commands[name].run([...rest, '-n', cluster.namespace], io);
  return { code, out: Buffer.concat(out).toString(), err: Buffer.concat(err).toString() };
}

/** Equal texts; a difference is reported by where it starts, not by a megabyte-long diff. */
function sameText(actual: string | undefined, expected: string, what: string): void {
  if (actual === expected) return;
  const a = actual ?? '';
  let at = 0;
  while (at < a.length && a[at] === expected[at]) at++;
  assert.fail(
    `${what}: ${a.length} characters where ${expected.length} were expected; they differ from character ${at}: ` +
      `${JSON.stringify(a.slice(at, at + 80))} instead of ${JSON.stringify(expected.slice(at, at + 80))}`,
  );
}

/** The text of one job's lines in `logs` output ("[job] text" per line). */
function jobText(out: string, job: string): string {
  const prefix = `[${job}] `;
  return out
    .split('\n')
    .filter((l) => l.startsWith(prefix))
    .map((l) => `${l.slice(prefix.length)}\n`)
    .join('');
}

async function jobWhen(build: string, name: string, what: string, ok: (j: JobCR) => boolean): Promise<JobCR> {
  return waitFor(
    `job ${name} of ${build}: ${what}`,
    async () => {
      const job = (await jobsOf(cluster, build)).get(name);
      return job && ok(job) ? job : undefined;
    },
    90_000,
  );
}

async function logConfigMaps(job: JobCR): Promise<string[]> {
  const out = await cluster.kubectl(
    'get',
    'configmaps',
    '-l',
    `brigade.sh/job=${job.metadata.name ?? ''}`,
    '-o',
    'name',
  );
  return out.split('\n').filter(Boolean);
}

async function deletePod(job: JobCR): Promise<void> {
  await cluster.kubectl('delete', 'pod', job.status?.podName ?? '', '--wait=true');
}

async function restartOperator(extra: Parameters<typeof runOperator>[1] = {}): Promise<void> {
  await operator?.stop();
  operator = await runOperator(cluster, extra);
}

test('a whole long log outlives its pod: logs and the Result give all of it after an operator restart', async () => {
  operator = await runOperator(cluster);
  gate.open = false;
  await cluster.apply(projectYaml('longlog', gatedScript(['echo "token $TOKEN"', PRINT_LINES])));
  await projectReady(cluster, 'longlog');
  await cluster.apply(eventYaml('longlog-1', 'longlog', 'exec'));
  const expected = bigLog('token none\n');
  const big = await jobWhen('longlog-1', 'big', 'Succeeded', (j) => j.status?.phase === 'Succeeded');
  const place = big.status?.log;
  assert.ok(place, JSON.stringify(big.status));
  assert.equal(place.bytes, Buffer.byteLength(expected));
  assert.ok(place.chunks >= 2, `more than one ConfigMap's worth: ${place.chunks} parts`);
  assert.equal((await logConfigMaps(big)).length, place.chunks);
  assert.ok((big.status?.logTail ?? '').length <= DEFAULTS.logTailMaxLength);
  await jobWhen('longlog-1', 'gate', 'Running', (j) => j.status?.phase === 'Running');

  // The pod goes, and so does everything the operator held in memory.
  await deletePod(big);
  await restartOperator();
  gate.open = true;
  const build = await buildEnded(cluster, 'longlog-1', 120_000);
  assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
  assert.match(
    build.status.logTail ?? '',
    new RegExp(`result: ${expected.length} characters, checksum ${checksum(expected)}\\n`),
    'the replayed script got the whole log from the kept ConfigMaps',
  );

  const logs = await cli(['logs', 'longlog-1', '--job', 'big']);
  assert.equal(logs.code, 0, logs.err);
  sameText(jobText(logs.out, 'big'), expected, 'logs --job big');
});

test('a log over the project cap ends with a line stating the cap; a small log needs no ConfigMap', async () => {
  operator ??= await runOperator(cluster);
  const cap = 20_000;
  await cluster.apply(
    projectYaml(
      'capped',
      `const { events, Job } = require('brigadier');
events.on('exec', async () => {
  const long = await new Job('long', 'alpine:3.20', [${JSON.stringify(PRINT_LINES)}]).run();
  const small = await new Job('small', 'alpine:3.20', ['echo just this']).run();
  const lines = long.toString().split('\\n');
  console.log('long ends: ' + lines[lines.length - 2]);
  console.log('small: ' + small.toString().trim());
});`,
      `logs: { maxJobLogBytes: ${cap} }`,
    ),
  );
  await projectReady(cluster, 'capped');
  await cluster.apply(eventYaml('capped-1', 'capped', 'exec'));
  const build = await buildEnded(cluster, 'capped-1', 120_000);
  assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
  const marker = capMarker(cap);
  assert.ok((build.status.logTail ?? '').includes(`long ends: ${marker.trimEnd()}\n`), build.status.logTail);
  assert.match(build.status.logTail ?? '', /small: just this\n/);

  const jobs = await jobsOf(cluster, 'capped-1');
  const long = jobs.get('long');
  const small = jobs.get('small');
  assert.ok(long && small);
  const place = long.status?.log;
  assert.ok(place, JSON.stringify(long.status));
  assert.equal(place.truncated, true);
  assert.equal(place.chunks, 1, 'the capped log is longer than the status tail');
  assert.ok(place.bytes <= cap + marker.length + 1, `${place.bytes} bytes kept`);
  assert.deepEqual(small.status?.log, { bytes: 'just this\n'.length, chunks: 0 });
  assert.equal(small.status.logTail, 'just this\n');
  assert.deepEqual(await logConfigMaps(small), [], 'a log that fits the status tail is kept there alone');

  await deletePod(long);
  const logs = await cli(['logs', 'capped-1', '--job', 'long']);
  assert.equal(logs.code, 0, logs.err);
  const text = jobText(logs.out, 'long');
  assert.ok(text.endsWith(marker), text.slice(-300));
  assert.ok(bigLog('').startsWith(text.slice(0, -marker.length).trimEnd()));
});

test('with the log archive, a log is read back after its ConfigMaps and its Build are gone, never holding a secret', async () => {
  azurite = await startAzurite();
  const archive: LogArchive = azureBlobArchive({
    connectionString: azurite.connectionString,
    container: 'e2e-job-logs',
  });
  await restartOperator({ logArchive: archive });
  gate.open = false;
  const token = 'archive-secret-t0ken-value';
  await cluster.kubectl('create', 'secret', 'generic', 'archived-secrets', `--from-literal=token=${token}`);
  await cluster.apply(
    projectYaml('archived', gatedScript(['echo "token $TOKEN"', PRINT_LINES]), 'secretRef: { name: archived-secrets }'),
  );
  await projectReady(cluster, 'archived');
  await cluster.apply(eventYaml('archived-1', 'archived', 'exec'));
  const expected = bigLog('token ***\n');
  const big = await jobWhen('archived-1', 'big', 'archived', (j) => j.status?.log?.archive !== undefined);
  assert.match(big.status?.log?.archive ?? '', /\/e2e-job-logs\/[^/]+\/archived-1\/big\.log$/);
  assert.ok(
    big.status?.conditions?.some((c) => c.type === 'LogArchived' && c.status === 'True'),
    JSON.stringify(big.status?.conditions),
  );
  const key = { namespace: cluster.namespace, build: 'archived-1', job: 'big' };
  const blob = await archive.get(key);
  sameText(blob, expected, 'the archive holds the kept log, redacted');
  assert.ok(!(blob ?? '').includes(token));

  // The cluster forgets the log: pod, ConfigMaps and the operator's memory.
  await jobWhen('archived-1', 'gate', 'Running', (j) => j.status?.phase === 'Running');
  await deletePod(big);
  await cluster.kubectl('delete', 'configmaps', '-l', `brigade.sh/job=${big.metadata.name ?? ''}`, '--wait=true');
  await restartOperator({ logArchive: archive });
  gate.open = true;
  const build = await buildEnded(cluster, 'archived-1', 120_000);
  assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
  assert.match(
    build.status.logTail ?? '',
    new RegExp(`result: ${expected.length} characters, checksum ${checksum(expected)}\\n`),
    'the replayed script got the whole log from the archive',
  );

  const env = { [AZURE_CONNECTION_STRING_ENV]: azurite.connectionString };
  const fromArchive = await cli(
    ['logs', 'archived-1', '--job', 'big', '--log-archive', 'azure-blob', '--log-archive-container', 'e2e-job-logs'],
    env,
  );
  assert.equal(fromArchive.code, 0, fromArchive.err);
  sameText(jobText(fromArchive.out, 'big'), expected, 'logs --log-archive of a job whose ConfigMaps are gone');
  const tailOnly = await cli(['logs', 'archived-1', '--job', 'big']);
  assert.equal(tailOnly.code, 0, tailOnly.err);
  assert.match(tailOnly.err, /its kept log is gone; only the last part of it/);

  // The Build goes (retention does this): the archive still has its jobs' logs.
  await cluster.kubectl('delete', 'builds.brigade.sh', 'archived-1', '--wait=true');
  const gone = await cli(
    ['logs', 'archived-1', '--log-archive', 'azure-blob', '--log-archive-container', 'e2e-job-logs'],
    env,
  );
  assert.equal(gone.code, 0, gone.err);
  assert.match(gone.err, /build archived-1 is gone; its job logs follow from the log archive/);
  sameText(jobText(gone.out, 'big'), expected, 'logs --log-archive of a build that is gone');
  assert.deepEqual(await archive.jobsOf(cluster.namespace, 'archived-1'), ['big', 'gate']);
  assert.ok(!`${gone.out}${gone.err}`.includes(azurite.accountKey));
  const without = await cli(['logs', 'archived-1']);
  assert.notEqual(without.code, 0);
  assert.match(without.err, /not found.*--log-archive/);
});
