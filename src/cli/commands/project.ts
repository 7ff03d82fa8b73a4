// `project import|create|list|get|delete`: Brigade 1 projects brought over (the brigade-project
// chart's values file, or brig project create's questions) as a Project and its Secrets, applied to
// the cluster or printed for GitOps; and the everyday list, get and delete.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { V1Secret } from '@kubernetes/client-node';
import { dump, load } from 'js-yaml';
import type { Command, CommandIO } from '../command.ts';
import { fromBrigade1Values, type Brigade1Values, type ImportedProject } from './brigade1-project.ts';
import { BrigadeClient } from './client.ts';
import { CommandError, connect, KUBE_USAGE, parseCommandLine, UsageError } from './options.ts';
import { terminalAsker, type Asker } from './prompt.ts';
import type { ProjectObject } from './resources.ts';
import { printProjects } from './projects.ts';
import { runReporting } from './run.ts';

const USAGE = [
  'Usage: brigade-operator project import FILE [--name NAME] [--dry-run -o yaml|json] [options]',
  '       brigade-operator project create [NAME] [answers as flags] [--dry-run -o yaml|json] [options]',
  '       brigade-operator project list|get NAME|delete NAME [options]',
  '',
  'import reads a Brigade 1 project values file (the brigade-project chart: project, repository,',
  'cloneURL, sharedSecret, secrets, defaultScript, ...) and applies a Project with its Secrets: the',
  'values in secrets become project.secrets (Secret NAME-secrets), sharedSecret and genericGatewaySecret',
  "the GitHub and webhook intakes' secrets (Secret NAME-intake). Secret values are only ever in the",
  'Secrets. Each field is reported: where it went, or why it has no equivalent here.',
  '',
  "create asks brig project create's questions when stdin is a terminal; each answer has a flag:",
  '  --repo NAME                   full repository name, e.g. github.com/org/app (also names the project)',
  '  --clone-url URL               clone URL of the repository',
  '  --secret KEY=VALUE            a project secret (repeat for more)',
  '  --shared-secret S             GitHub webhook shared secret (default: generated)',
  '  --no-github                   no GitHub intake (no shared secret)',
  '  --generic-gateway-secret S    enable the webhook intake with this secret',
  '  --default-script FILE         brigade.js to store in the project',
  '  --default-script-configmap CM read brigade.js from ConfigMap CM (key brigade.js)',
  '  --build-storage-size SIZE     enable build storage of this size, e.g. 50Mi',
  '  --build-storage-class NAME    StorageClass of build storage',
  '  --cache-storage-class NAME    StorageClass of job caches',
  '  --service-account NAME        service account of job pods',
  '  --image-pull-secrets A,B      pull secrets of job pods',
  '  --allow-privileged-jobs       allow privileged jobs and the docker socket',
  '  --allow-host-mounts           allow hostPath volumes',
  '  --allow-event-scripts         allow exec -f to send its own script',
  '  -x, --no-prompts              ask nothing (the default when stdin is not a terminal)',
  '',
  'import and create:',
  '  --name NAME      Project name (default: from the Brigade 1 project name, org/app -> org-app)',
  '  --dry-run        apply nothing; with -o, print the objects (for GitOps) instead',
  '  -o yaml|json     print the objects',
  '',
  'delete also deletes the Secrets import/create made for the project (--keep-secrets keeps them).',
  ...KUBE_USAGE,
].join('\n');

const OPTIONS = {
  name: { type: 'string' },
  'dry-run': { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  'keep-secrets': { type: 'boolean' },
  repo: { type: 'string' },
  'clone-url': { type: 'string' },
  secret: { type: 'string', multiple: true },
  'shared-secret': { type: 'string' },
  'no-github': { type: 'boolean' },
  'generic-gateway-secret': { type: 'string' },
  'default-script': { type: 'string' },
  'default-script-configmap': { type: 'string' },
  'build-storage-size': { type: 'string' },
  'build-storage-class': { type: 'string' },
  'cache-storage-class': { type: 'string' },
  'service-account': { type: 'string' },
  'image-pull-secrets': { type: 'string' },
  'allow-privileged-jobs': { type: 'boolean' },
  'allow-host-mounts': { type: 'boolean' },
  'allow-event-scripts': { type: 'boolean' },
  'no-prompts': { type: 'boolean', short: 'x' },
} as const;

type Values = ReturnType<typeof parseCommandLine<typeof OPTIONS>>['values'];

function outputFormat(values: Values): 'yaml' | 'json' | undefined {
  const o = values.output;
  if (o === undefined) return undefined;
  if (o !== 'yaml' && o !== 'json') throw new UsageError(`-o must be yaml or json, got "${o}"`);
  return o;
}

function printObjects(io: CommandIO, objects: object[], format: 'yaml' | 'json'): void {
  if (format === 'json')
    io.stdout.write(`${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2)}\n`);
  else io.stdout.write(objects.map((o) => dump(o, { lineWidth: 120, noRefs: true })).join('---\n'));
}

/** Applies (or prints) what an import or create made, and reports each field. */
async function deliver(io: CommandIO, values: Values, imported: ImportedProject): Promise<number> {
  const format = outputFormat(values);
  for (const line of imported.report) io.stderr.write(`  ${line}\n`);
  const objects: object[] = [...imported.secrets, imported.project];
  if (values['dry-run']) {
    if (format) printObjects(io, objects, format);
    io.stderr.write(`dry run: nothing applied (${objects.length} objects)\n`);
    return 0;
  }
  const client = new BrigadeClient({
    ...connect(values, io.env),
    namespace: imported.project.metadata.namespace ?? '',
  });
  for (const secret of imported.secrets) await client.applySecret(secret);
  const applied = await client.applyProject(imported.project);
  if (format) printObjects(io, [...imported.secrets.map(withoutValues), applied], format);
  const secretNames = imported.secrets.map((s) => s.metadata?.name).join(', ');
  io.stderr.write(
    `project ${applied.metadata.name} applied in namespace ${client.namespace}${secretNames ? ` with Secrets ${secretNames}` : ''}\n`,
  );
  return 0;
}

/** A Secret as shown after it was applied: its keys, never its values. */
function withoutValues(secret: V1Secret): V1Secret {
  const { stringData, ...rest } = secret;
  return { ...rest, data: Object.fromEntries(Object.keys(stringData ?? {}).map((k) => [k, '(set)'])) };
}

/**
 * Helm (go-yaml) reads a flow map whose closing brace sits at the start of a line, as values files
 * written for Brigade 1 often have it (`secrets: {` ... `}`); js-yaml, by the YAML spec, does not.
 * Lines that continue an open flow collection are indented so both read them alike.
 */
export function indentFlowContinuations(source: string): string {
  let depth = 0;
  return source
    .split('\n')
    .map((line) => {
      const out = depth > 0 && /^[^\s#]/.test(line) ? `  ${line}` : line;
      // Brackets inside quotes or after a comment do not count.
      const code = line.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '').replace(/\s#.*$/, '');
      for (const ch of code) {
        if (ch === '{' || ch === '[') depth++;
        else if ((ch === '}' || ch === ']') && depth > 0) depth--;
      }
      return out;
    })
    .join('\n');
}

async function importProject(io: CommandIO, values: Values, args: string[]): Promise<number> {
  if (args.length !== 1) throw new UsageError('project import takes exactly one FILE');
  let raw: unknown;
  try {
    raw = load(indentFlowContinuations(args[0] === '-' ? await readStdin(io) : await readFile(args[0], 'utf8')));
  } catch (err) {
    throw new CommandError(`cannot read ${args[0]}: ${(err as Error).message}`, { cause: err });
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new CommandError(`${args[0]} is not a Brigade 1 project values file (a YAML map)`);
  const namespace = targetNamespace(values, io, (raw as Brigade1Values).namespace);
  return deliver(io, values, convert(raw as Brigade1Values, namespace, values.name));
}

function convert(raw: Brigade1Values, namespace: string, name: string | undefined): ImportedProject {
  try {
    return fromBrigade1Values(raw, { namespace, ...(name ? { name } : {}) });
  } catch (err) {
    throw new CommandError((err as Error).message, { cause: err });
  }
}

async function readStdin(io: CommandIO): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** -n, else the values' namespace, else the kubeconfig context's. */
function targetNamespace(values: Values, io: CommandIO, fromFile: unknown): string {
  if (values.namespace) return values.namespace;
  if (typeof fromFile === 'string' && fromFile) return fromFile;
  return connect(values, io.env).namespace;
}

function secretFlags(pairs: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--secret takes KEY=VALUE, got "${pair.split('=')[0]}..."`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** brig project create's questions, each skipped when its flag was given. */
async function ask(asker: Asker, v: Brigade1Values, values: Values): Promise<void> {
  v.repository ??= await asker.text(
    'Full repository name (by convention github.com/org/app)',
    typeof v.project === 'string' ? v.project : '',
  );
  v.cloneURL ??= await asker.text('Clone URL (https://github.com/your/repo.git)', '');
  if (values.secret === undefined && (await asker.yesNo('Add secrets?', false))) v.secrets = await askSecrets(asker);
  if (!values['no-github'] && values['shared-secret'] === undefined) {
    const answer = await asker.text('Shared secret of the GitHub intake (Enter to generate one)');
    if (answer) v.sharedSecret = answer;
  }
  if (values['generic-gateway-secret'] === undefined) {
    const answer = await asker.text('Secret of the generic webhook intake (Enter for no webhook intake)');
    if (answer) v.genericGatewaySecret = answer;
  }
  if (await asker.yesNo('Configure advanced options?', false)) await askAdvanced(asker, v);
}

async function askSecrets(asker: Asker): Promise<Record<string, string>> {
  const secrets: Record<string, string> = {};
  do {
    const key = await asker.text(`  Secret ${Object.keys(secrets).length + 1}`);
    if (key) secrets[key] = await asker.text('  Value');
  } while (await asker.yesNo('  Add another?', false));
  return secrets;
}

async function askAdvanced(asker: Asker, v: Brigade1Values): Promise<void> {
  const optional = async (key: string, question: string): Promise<void> => {
    if (v[key] !== undefined) return;
    const answer = await asker.text(question);
    if (answer) v[key] = answer;
  };
  await optional('buildStorageSize', 'Build storage size (Enter for no build storage)');
  await optional('serviceAccount', 'Service account of job pods (Enter for the default)');
  await optional('imagePullSecrets', 'Image pull secrets (comma-separated)');
  v.allowHostMounts ??= await asker.yesNo('Allow host mounts?', false);
  v.allowPrivilegedJobs ??= await asker.yesNo('Allow privileged jobs (and the docker socket)?', false);
  await optional('defaultScriptName', 'Default script ConfigMap name (Enter for none)');
  if (v.defaultScript === undefined) {
    const path = await asker.text('Path of a brigade.js to store in the project (Enter for none)');
    if (path) v.defaultScript = await readScript(path);
  }
}

async function readScript(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new CommandError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** The answers given as flags, in the chart's value names. */
async function flagValues(values: Values, name: string | undefined): Promise<Brigade1Values> {
  const v: Brigade1Values = {};
  const set = (key: string, value: unknown): void => {
    if (value !== undefined) v[key] = value;
  };
  set('project', values.repo ?? name);
  set('repository', values.repo);
  set('cloneURL', values['clone-url']);
  if (values.secret) v.secrets = secretFlags(values.secret);
  set('sharedSecret', values['shared-secret']);
  set('genericGatewaySecret', values['generic-gateway-secret']);
  if (values['default-script']) v.defaultScript = await readScript(values['default-script']);
  set('defaultScriptName', values['default-script-configmap']);
  set('buildStorageSize', values['build-storage-size']);
  set('kubernetes.buildStorageClass', values['build-storage-class']);
  set('kubernetes.cacheStorageClass', values['cache-storage-class']);
  set('serviceAccount', values['service-account']);
  set('imagePullSecrets', values['image-pull-secrets']);
  set('allowPrivilegedJobs', values['allow-privileged-jobs']);
  set('allowHostMounts', values['allow-host-mounts']);
  return v;
}

async function createProject(io: CommandIO, values: Values, args: string[]): Promise<number> {
  if (args.length > 1) throw new UsageError('project create takes at most one NAME');
  const v = await flagValues(values, args[0]);
  const interactive = !values['no-prompts'] && (io.stdin as { isTTY?: boolean }).isTTY === true;
  if (interactive) {
    const asker = terminalAsker(io.stdin, io.stderr);
    try {
      await ask(asker, v, values);
    } finally {
      asker.close();
    }
  }
  v.project ??= v.repository;
  if (!v.project && !values.name && !args[0])
    throw new UsageError('project create needs a NAME (or --repo, or --name)');
  // Like brig, a GitHub project gets a shared secret even when none was given.
  if (!values['no-github'] && v.sharedSecret === undefined) v.sharedSecret = randomBytes(24).toString('hex');
  const namespace = targetNamespace(values, io, undefined);
  const imported = convert(v, namespace, values.name ?? args[0]);
  if (values['allow-event-scripts'])
    imported.project.spec.policy = { ...imported.project.spec.policy, allowEventScripts: true };
  return deliver(io, values, imported);
}

async function listProjects(io: CommandIO, values: Values, args: string[]): Promise<number> {
  if (args.length > 0) throw new UsageError('project list takes no arguments');
  return printProjects(io, values);
}

/** The Project as `get` prints it: without managedFields, which only kubectl's own output needs. */
function shown(project: ProjectObject): ProjectObject {
  const metadata: ProjectObject['metadata'] & { managedFields?: unknown } = { ...project.metadata };
  delete metadata.managedFields;
  return { ...project, metadata };
}

async function getProject(io: CommandIO, values: Values, args: string[]): Promise<number> {
  if (args.length !== 1) throw new UsageError('project get takes exactly one NAME');
  const target = connect(values, io.env);
  const project = await new BrigadeClient(target).getProject(args[0]);
  if (!project) throw new CommandError(`project ${args[0]} not found in namespace ${target.namespace}`);
  printObjects(io, [shown(project)], outputFormat(values) ?? 'yaml');
  return 0;
}

async function deleteProject(io: CommandIO, values: Values, args: string[]): Promise<number> {
  if (args.length !== 1) throw new UsageError('project delete takes exactly one NAME');
  const target = connect(values, io.env);
  const client = new BrigadeClient(target);
  if (!(await client.deleteProject(args[0])))
    throw new CommandError(`project ${args[0]} not found in namespace ${target.namespace}`);
  io.stdout.write(`project ${args[0]} deleted\n`);
  if (!values['keep-secrets'])
    for (const name of await client.deleteProjectSecrets(args[0])) io.stdout.write(`secret ${name} deleted\n`);
  return 0;
}

const SUBCOMMANDS: Record<string, (io: CommandIO, values: Values, args: string[]) => Promise<number>> = {
  import: importProject,
  create: createProject,
  list: listProjects,
  get: getProject,
  delete: deleteProject,
};

export const projectCommand: Command = {
  summary: 'import (Brigade 1 values), create, list, get and delete projects',
  usage: USAGE,
  run: (argv, io) =>
    runReporting({ name: 'project', usage: USAGE, io }, () => {
      const { values, positionals } = parseCommandLine(argv, OPTIONS);
      const [sub, ...args] = positionals;
      const run = sub ? SUBCOMMANDS[sub] : undefined;
      if (!run) throw new UsageError(`project needs one of ${Object.keys(SUBCOMMANDS).join(', ')}`);
      return run(io, values, args);
    }),
};
