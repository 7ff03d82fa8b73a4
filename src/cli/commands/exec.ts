// `exec PROJECT`: create an Event for a project (like `brig run`), then follow the Build it yields,
// streaming job logs, and exit with the build's outcome.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { API_VERSION, KINDS, LABELS } from '../../api/constants.ts';
import type { Command, CommandIO } from '../command.ts';
import { BrigadeClient } from './client.ts';
import { followBuild } from './follow.ts';
import { CommandError, connect, KUBE_USAGE, parseCommandLine, UsageError } from './options.ts';
import { BuildOutput } from './output.ts';
import {
  JOB_SUMMARY_HEADER,
  jobSummaryRow,
  type BuildObject,
  type EventObject,
  type ProjectObject,
} from './resources.ts';
import { formatTable } from './table.ts';
import { INTERRUPTED, runReporting, withInterrupt } from './run.ts';

function isTerminal(stream: unknown): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

const USAGE = [
  'Usage: brigade-operator exec PROJECT [options]',
  '',
  "Creates an Event for PROJECT and follows the Build it yields: progress on stderr, each job's log on",
  'stdout prefixed with the job name, then a summary. Exits 0 when the build succeeds, 1 when it fails',
  'or the event is rejected, 2 on usage errors.',
  '',
  "  -f, --file FILE     run this brigade.js instead of the project's (needs policy.allowEventScripts)",
  '  --event TYPE        event type (default: exec)',
  '  --payload FILE|-    event payload from a file, or - for stdin',
  '  --commit SHA        revision commit',
  '  --ref REF           revision ref, e.g. refs/heads/main',
  '  --no-follow         print the Event name and exit without waiting',
  '  --no-timestamps     print log lines without the time they were written',
  '',
  "Log lines are the script's console output ([brigade.js]) and each job's log, with the project's",
  'secret values redacted. On a terminal a live line shows the jobs done, running and failed. Ctrl-C',
  'stops following (exit 130) and prints how to cancel the build, which keeps running.',
  ...KUBE_USAGE,
].join('\n');

const OPTIONS = {
  file: { type: 'string', short: 'f' },
  event: { type: 'string' },
  payload: { type: 'string' },
  commit: { type: 'string' },
  ref: { type: 'string' },
  'no-follow': { type: 'boolean' },
  'no-timestamps': { type: 'boolean' },
} as const;

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

async function readInput(path: string, what: string, stdin: Readable): Promise<string> {
  if (path === '-') return readAll(stdin);
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new CommandError(`cannot read ${what} ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** A DNS-1123 label (the Build takes the Event's name, and names end up in label values). */
function eventName(project: string): string {
  const head = project
    .slice(0, 40)
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/-+$/, '');
  return `${head}-exec-${randomBytes(4).toString('hex')}`;
}

async function buildEvent(opts: {
  project: string;
  namespace: string;
  values: Record<string, string | boolean | undefined>;
  stdin: Readable;
}): Promise<EventObject> {
  const v = opts.values;
  const revision =
    v.commit || v.ref ? { commit: v.commit as string | undefined, ref: v.ref as string | undefined } : undefined;
  const spec: EventObject['spec'] = {
    project: opts.project,
    type: (v.event as string | undefined) ?? 'exec',
    provider: 'cli',
  };
  if (revision) spec.revision = revision;
  if (typeof v.payload === 'string') spec.payload = await readInput(v.payload, 'payload', opts.stdin);
  if (typeof v.file === 'string') spec.script = await readInput(v.file, 'script', opts.stdin);
  return {
    apiVersion: API_VERSION,
    kind: KINDS.Event.kind,
    metadata: { name: eventName(opts.project), namespace: opts.namespace, labels: { [LABELS.project]: opts.project } },
    spec,
  };
}

/** After this long without an answer, say that the operator may not be running (once). */
const NO_OPERATOR_HINT_MS = 15_000;

/** Waits until the operator has handled the Event: the Build's name, or the rejection; undefined when interrupted. */
async function awaitDecision(
  client: BrigadeClient,
  opts: { name: string; signal: AbortSignal; stderr: NodeJS.WritableStream },
): Promise<EventObject | undefined> {
  let answered = false;
  const hint = setTimeout(() => {
    if (!answered)
      opts.stderr.write(`still waiting: is the operator running and watching namespace ${client.namespace}?\n`);
  }, NO_OPERATOR_HINT_MS);
  hint.unref();
  let waitingFor = '';
  try {
    for await (const change of client.watchOne('events', opts.name, opts.signal)) {
      if (change.type === 'DELETED') throw new CommandError(`event ${opts.name} was deleted before it was handled`);
      const status = change.object.status;
      if (status?.phase === 'Rejected' || status?.build) return change.object;
      // The operator saw the event and waits for something (the project's readiness): say what, once.
      if (status?.reason) {
        answered = true;
        const why = `${status.reason}${status.message ? `: ${status.message}` : ''}`;
        if (why !== waitingFor) opts.stderr.write(`event ${opts.name} pending: ${why}\n`);
        waitingFor = why;
      }
    }
    return undefined;
  } finally {
    clearTimeout(hint);
  }
}

/** Why the project cannot take the event now, from its Ready condition; undefined when it can (or is not reconciled yet). */
export function notReadyMessage(project: ProjectObject): string | undefined {
  const ready = project.status?.conditions?.find((c) => c.type === 'Ready');
  if (!ready || ready.status === 'True') return undefined;
  // A condition about an older spec says nothing about this one: the operator is about to look again.
  if (project.status?.observedGeneration !== project.metadata.generation) return undefined;
  return `project ${project.metadata.name} is not Ready: ${ready.reason ?? 'NotReady'}${ready.message ? `: ${ready.message}` : ''}`;
}

function interrupted(io: CommandIO, what: string, cancel: string): number {
  io.stderr.write(`\ninterrupted: ${what} continues on the cluster; to cancel it: ${cancel}\n`);
  return INTERRUPTED;
}

/** The project, when it exists and can take the event now; else a CommandError saying why. */
async function readyProject(client: BrigadeClient, name: string): Promise<ProjectObject> {
  const found = await client.getProject(name);
  if (!found) throw new CommandError(`project ${name} not found in namespace ${client.namespace}`);
  const notReady = notReadyMessage(found);
  if (notReady) throw new CommandError(`${notReady} (kubectl describe projects.brigade.sh ${name} shows more)`);
  return found;
}

async function execute(argv: string[], io: CommandIO, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, OPTIONS);
  if (positionals.length !== 1) throw new UsageError('exec takes exactly one PROJECT');
  if (values.file === '-' && values.payload === '-')
    throw new UsageError('--file and --payload cannot both read stdin');
  const [project] = positionals;
  const target = connect(values, io.env);
  const client = new BrigadeClient(target);
  const found = await readyProject(client, project);
  // Stopped before anything was created: nothing runs on the cluster, nothing to say.
  if (signal.aborted) return INTERRUPTED;
  const created = await client.createEvent(
    await buildEvent({ project, namespace: target.namespace, values, stdin: io.stdin }),
  );
  const eventName = created.metadata.name ?? '';
  if (values['no-follow']) {
    io.stdout.write(`${eventName}\n`);
    return 0;
  }
  io.stderr.write(`event ${eventName} created, waiting for the operator\n`);
  const decided = await awaitDecision(client, { name: eventName, signal, stderr: io.stderr });
  if (!decided)
    return interrupted(
      io,
      `event ${eventName}`,
      `kubectl delete events.brigade.sh ${eventName} -n ${target.namespace}`,
    );
  if (decided.status?.phase === 'Rejected') {
    io.stderr.write(
      `event ${eventName} rejected: ${decided.status.reason ?? 'Rejected'}${decided.status.message ? `: ${decided.status.message}` : ''}\n`,
    );
    return 1;
  }
  return watchBuild(client, { io, build: decided.status?.build ?? '', project: found, values, signal });
}

/** Follows the build the event yielded to its end, then prints the job summary; the exit code. */
export async function watchBuild(
  client: BrigadeClient,
  opts: {
    io: CommandIO;
    build: string;
    project: ProjectObject;
    values: { 'no-timestamps'?: boolean };
    signal: AbortSignal;
  },
): Promise<number> {
  const { io, signal } = opts;
  const buildName = opts.build;
  const secrets = await client.projectSecretValues(opts.project);
  if ('unreadable' in secrets)
    io.stderr.write(
      `note: ${secrets.unreadable}; job logs are printed as the operator kept them (redacted) when each job ends\n`,
    );
  const output = new BuildOutput({
    out: io.stdout,
    notes: io.stderr,
    secrets: 'values' in secrets ? secrets.values : [],
    timestamps: !opts.values['no-timestamps'],
    liveProgress: isTerminal(io.stdout) && isTerminal(io.stderr),
  });
  let build: BuildObject | undefined;
  try {
    build = await followBuild({ client, build: buildName, output, livePodLogs: 'values' in secrets, signal });
  } finally {
    output.close();
  }
  if (signal.aborted)
    return interrupted(io, `build ${buildName}`, `brigade-operator cancel ${buildName} -n ${client.namespace}`);
  if (!build) return 1;
  const jobs = await client.listJobs(buildName);
  const now = Date.now();
  io.stderr.write(
    `\n${formatTable(
      JOB_SUMMARY_HEADER,
      jobs.map((j) => jobSummaryRow(j, now)),
    )}\n`,
  );
  const phase = build.status?.phase ?? 'Unknown';
  io.stderr.write(
    `build ${buildName}: ${phase}${phase !== 'Succeeded' && build.status?.message ? ` (${build.status.message})` : ''}\n`,
  );
  return phase === 'Succeeded' ? 0 : 1;
}

export const execCommand: Command = {
  summary: 'create an event for a project and follow its build (like brig run)',
  usage: USAGE,
  run: (argv, io) =>
    runReporting({ name: 'exec', usage: USAGE, io }, () => withInterrupt((signal) => execute(argv, io, signal))),
};
