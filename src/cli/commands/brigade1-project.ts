// A Brigade 1 project (the values of the brigade-project Helm chart, which `brig project create`
// also asked for) as the objects this operator uses: a Project, a Secret with the values the
// script sees as project.secrets, and a Secret with the gateways' shared secrets. Secret values go
// only into the Secrets. Every Brigade 1 field is either carried over or reported with the reason
// it is not; none is dropped silently.
import type { V1Secret } from '@kubernetes/client-node';
import { API_VERSION, KINDS, LABELS, MANAGED_BY } from '../../api/constants.ts';
import type { Project } from '../../api/types.ts';

/** The chart's values as YAML gives them (nested maps, or the flat dotted keys brig stored). */
export type Brigade1Values = Record<string, unknown>;

export interface ImportedProject {
  project: Project;
  secrets: V1Secret[];
  /** One line per Brigade 1 field: where it went, or why it was not imported. */
  report: string[];
}

/** Key of the GitHub intake's shared secret (Brigade 1 sharedSecret) in the intake Secret. */
export const GITHUB_SECRET_KEY = 'github';
/** Key of the webhook intake's secret (Brigade 1 genericGatewaySecret) in the intake Secret. */
export const WEBHOOK_SECRET_KEY = 'webhook';

/** Fields with no equivalent here, and why. */
const NOT_CARRIED: Record<string, string> = {
  'github.token':
    'no equivalent: the operator does not call the GitHub API for a project (status reporting needs a job of your own)',
  'github.baseURL': 'no equivalent: the operator does not call the GitHub API',
  'github.uploadURL': 'no equivalent: the operator does not call the GitHub API',
  sshKey: 'no equivalent: jobs clone over HTTPS; give a job the key through project.secrets to clone over SSH',
  sshCert: 'no equivalent: jobs clone over HTTPS',
  vcsSidecar: 'no equivalent: jobs with useSource clone with an init container of the operator',
  'worker.registry': 'no equivalent: there is no worker pod; scripts run in the operator sandbox',
  'worker.name': 'no equivalent: there is no worker pod',
  'worker.tag': 'no equivalent: there is no worker pod',
  'worker.pullPolicy': 'no equivalent: there is no worker pod',
  workerCommand: 'no equivalent: there is no worker pod',
  defaultConfig: 'no equivalent: brigade.json (npm dependencies of the worker) is not used',
  defaultConfigName: 'no equivalent: brigade.json (npm dependencies of the worker) is not used',
  initGitSubmodules: 'no equivalent: the source clone does not initialise submodules',
  'kubernetes.allowSecretKeyRef': 'no equivalent: job env values from project secrets always go through a Secret',
};

/** The chart's nested values as flat dotted keys (github.token), as brig stored them in the project Secret. */
export function flatten(values: Brigade1Values, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    const path = prefix ? `${prefix}.${key}` : key;
    // `secrets` is a map of its own: its keys are the project's secret names, not fields.
    if (path !== 'secrets' && value !== null && typeof value === 'object' && !Array.isArray(value))
      Object.assign(out, flatten(value as Brigade1Values, path));
    else out[path] = value;
  }
  return out;
}

/** "nonokangwei/brigadedemo" -> "nonokangwei-brigadedemo": a Project name (DNS-1123 label). */
export function projectNameOf(brigade1Name: string): string {
  return brigade1Name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function flag(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  return undefined;
}

function secretObject(name: string, namespace: string, project: string, data: Record<string, string>): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: { [LABELS.project]: project, [LABELS.managedBy]: MANAGED_BY } },
    type: 'Opaque',
    stringData: data,
  };
}

/** Values of the `secrets` map as strings (Brigade 1 accepted any YAML scalar). */
function secretValues(raw: unknown, report: string[]): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw === 'string') {
    // brig stored the map as a JSON string.
    try {
      return secretValues(JSON.parse(raw) as unknown, report);
    } catch {
      report.push('secrets: not imported (not a map of names to values)');
      return {};
    }
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    report.push('secrets: not imported (not a map of names to values)');
    return {};
  }
  return Object.fromEntries(
    Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  );
}

interface Converting {
  values: Record<string, unknown>;
  spec: Project['spec'];
  report: string[];
  used: Set<string>;
}

function take(c: Converting, key: string): unknown {
  c.used.add(key);
  return c.values[key];
}

function convertRepo(c: Converting): void {
  const repoName = text(take(c, 'repository'));
  const cloneURL = text(take(c, 'cloneURL'));
  const scriptPath = text(take(c, 'brigadejsPath'));
  const configPath = text(take(c, 'brigadeConfigPath'));
  if (repoName || cloneURL)
    c.spec.repo = { ...(repoName ? { name: repoName } : {}), ...(cloneURL ? { cloneURL } : {}) };
  if (repoName) c.report.push(`repository -> spec.repo.name`);
  if (cloneURL) c.report.push(`cloneURL -> spec.repo.cloneURL`);
  // Brigade 1 ignored absolute paths (with a warning); here the schema refuses them, so they are not carried.
  for (const [key, value, field] of [
    ['brigadejsPath', scriptPath, 'scriptPath'],
    ['brigadeConfigPath', configPath, 'configPath'],
  ] as const) {
    if (!value) continue;
    if (!c.spec.repo || value.startsWith('/')) {
      c.report.push(
        `${key}: not imported (${c.spec.repo ? 'an absolute path, which Brigade 1 ignored too' : 'no cloneURL to read it from'})`,
      );
      continue;
    }
    c.spec.repo[field] = value.replace(/^\.\//, '');
    c.report.push(`${key} -> spec.repo.${field}`);
  }
}

function convertScript(c: Converting): void {
  const script = text(take(c, 'defaultScript'));
  const configMap = text(take(c, 'defaultScriptName'));
  if (script) {
    c.spec.script = script;
    c.report.push('defaultScript -> spec.script');
    if (configMap) c.report.push('defaultScriptName: not imported (defaultScript is set and wins, as in Brigade 1)');
  } else if (configMap) {
    c.spec.scriptFrom = { configMapKeyRef: { name: configMap, key: 'brigade.js' } };
    c.report.push('defaultScriptName -> spec.scriptFrom.configMapKeyRef (key brigade.js)');
  } else if (c.spec.repo?.cloneURL) {
    c.report.push(
      "no defaultScript: each build runs the repository's brigade.js at its event's revision, as in Brigade 1",
    );
  } else {
    c.report.push('no defaultScript and no cloneURL: set spec.script (or scriptFrom) to run builds');
  }
}

function convertJobDefaults(c: Converting): void {
  const serviceAccount = text(take(c, 'serviceAccount'));
  const pullSecrets = text(take(c, 'imagePullSecrets'));
  const jobDefaults: NonNullable<Project['spec']['jobDefaults']> = {};
  if (serviceAccount) {
    jobDefaults.serviceAccountName = serviceAccount;
    c.report.push('serviceAccount -> spec.jobDefaults.serviceAccountName (the job pods; there is no worker pod)');
  }
  if (pullSecrets) {
    jobDefaults.imagePullSecrets = pullSecrets
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    c.report.push('imagePullSecrets -> spec.jobDefaults.imagePullSecrets');
  }
  if (Object.keys(jobDefaults).length > 0) c.spec.jobDefaults = jobDefaults;
}

function convertPolicyAndStorage(c: Converting): void {
  const policy: NonNullable<Project['spec']['policy']> = {};
  const privileged = flag(take(c, 'allowPrivilegedJobs'));
  if (privileged !== undefined) {
    // In Brigade 1 this one switch allowed privileged containers and the docker socket.
    policy.allowPrivileged = privileged;
    policy.allowDockerSocket = privileged;
    c.report.push('allowPrivilegedJobs -> spec.policy.allowPrivileged and spec.policy.allowDockerSocket');
  } else {
    c.report.push(
      'allowPrivilegedJobs unset: Brigade 1 allowed privileged jobs by default, here they are refused unless spec.policy.allowPrivileged',
    );
  }
  const hostMounts = flag(take(c, 'allowHostMounts'));
  if (hostMounts !== undefined) {
    policy.allowHostMounts = hostMounts;
    c.report.push('allowHostMounts -> spec.policy.allowHostMounts');
  }
  if (Object.keys(policy).length > 0) c.spec.policy = policy;
  const size = text(take(c, 'buildStorageSize')) ?? text(take(c, 'kubernetes.buildStorageSize'));
  const buildClass = text(take(c, 'kubernetes.buildStorageClass'));
  const cacheClass = text(take(c, 'kubernetes.cacheStorageClass'));
  if (size || buildClass || cacheClass) {
    c.spec.storage = {
      // Brigade 1 gave every build its storage; naming a size or class is asking for it.
      enabled: true,
      ...(size ? { size } : {}),
      ...(buildClass ? { storageClassName: buildClass } : {}),
      ...(cacheClass ? { cache: { storageClassName: cacheClass } } : {}),
    };
    c.report.push('build storage settings -> spec.storage (enabled)');
  }
}

/** The `secrets` map: a Secret the script sees as project.secrets. */
function convertSecrets(c: Converting, name: string, namespace: string): V1Secret[] {
  const projectSecrets = secretValues(take(c, 'secrets'), c.report);
  if (Object.keys(projectSecrets).length === 0) return [];
  const secretName = `${name}-secrets`.slice(0, 253);
  c.spec.secretRef = { name: secretName };
  c.report.push(`secrets -> Secret ${secretName} (project.secrets), referenced by spec.secretRef`);
  return [secretObject(secretName, namespace, name, projectSecrets)];
}

/** sharedSecret and genericGatewaySecret: a Secret of the intakes' shared secrets, apart from project.secrets. */
function convertIntakes(c: Converting, name: string, namespace: string): V1Secret[] {
  const intake: Record<string, string> = {};
  const intakeName = `${name}-intake`.slice(0, 253);
  const shared = text(take(c, 'sharedSecret'));
  const generic = text(take(c, 'genericGatewaySecret'));
  const gateways: NonNullable<Project['spec']['gateways']> = {};
  if (shared) {
    intake[GITHUB_SECRET_KEY] = shared;
    gateways.github = { enabled: true, secretKeyRef: { name: intakeName, key: GITHUB_SECRET_KEY } };
    c.report.push(`sharedSecret -> Secret ${intakeName} key ${GITHUB_SECRET_KEY}, spec.gateways.github`);
  }
  if (generic) {
    intake[WEBHOOK_SECRET_KEY] = generic;
    gateways.webhook = { enabled: true, secretKeyRef: { name: intakeName, key: WEBHOOK_SECRET_KEY } };
    c.report.push(`genericGatewaySecret -> Secret ${intakeName} key ${WEBHOOK_SECRET_KEY}, spec.gateways.webhook`);
  }
  if (Object.keys(intake).length === 0) return [];
  c.spec.gateways = gateways;
  return [secretObject(intakeName, namespace, name, intake)];
}

function convertNamespace(c: Converting, namespace: string): void {
  const wanted = text(take(c, 'namespace'));
  if (wanted && wanted !== namespace)
    c.report.push(`namespace "${wanted}": not used (namespace ${namespace} was given)`);
  else if (wanted) c.report.push('namespace -> metadata.namespace');
}

/** The objects for a Brigade 1 project; `name` overrides the name derived from `project`. */
export function fromBrigade1Values(raw: Brigade1Values, opts: { namespace: string; name?: string }): ImportedProject {
  const c: Converting = { values: flatten(raw), spec: {}, report: [], used: new Set() };
  const brigade1Name = text(take(c, 'project')) ?? text(take(c, 'name'));
  const name = opts.name ?? (brigade1Name ? projectNameOf(brigade1Name) : '');
  if (!name) throw new Error('the values name no project (set project: org/repo, or give --name)');
  if (brigade1Name && name !== brigade1Name) c.report.push(`project "${brigade1Name}" -> Project ${name}`);
  const { namespace } = opts;
  convertNamespace(c, namespace);
  convertRepo(c);
  convertScript(c);
  convertJobDefaults(c);
  convertPolicyAndStorage(c);

  const secrets = [...convertSecrets(c, name, namespace), ...convertIntakes(c, name, namespace)];

  for (const [key, value] of Object.entries(c.values)) {
    if (c.used.has(key) || text(value) === undefined) continue;
    const why = NOT_CARRIED[key];
    c.report.push(why ? `${key}: not imported (${why})` : `${key}: not imported (not a Brigade 1 project field)`);
  }
  const project: Project = {
    apiVersion: API_VERSION,
    kind: KINDS.Project.kind,
    metadata: { name, namespace },
    spec: c.spec,
  };
  return { project, secrets, report: c.report };
}
