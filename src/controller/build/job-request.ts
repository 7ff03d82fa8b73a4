// Turning the script's JobRequest into a Job CR (pure). Env values that contain a project secret
// value are moved into a Secret owned by the Job CR and referenced with secretKeyRef (src/jobs/env),
// so no secret value is ever written into the Job CR, the batch Job or the pod spec.
import { API_VERSION, KINDS, LABELS, MANAGED_BY } from '../../api/constants.ts';
import { SHELL_PATTERN } from '../../api/defaults.ts';
import type { Shell } from '../../api/defaults.ts';
import { jobCrName, labelSafeName } from '../../api/names.ts';
import { splitJobEnv } from '../../jobs/index.ts';
import type { Build, EnvVar, JobCR, JobSpec, Project } from '../../api/types.ts';
import type { JobEnvValue, JobRequest } from '../../script/index.ts';
import { refuseInlineSecrets } from './inline-secrets.ts';

/** The script's env split: plain values inline, values containing a secret into the job's env Secret. */
export function splitEnv(
  env: Record<string, JobEnvValue>,
  secretValues: readonly string[],
  jobCr: string,
): { env: EnvVar[]; secretData: Record<string, string> } {
  const plain: Record<string, string> = {};
  const refs: EnvVar[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (typeof value === 'string') plain[name] = value;
    else refs.push({ name, valueFrom: value });
  }
  // What counts as holding a secret is the redaction rule's call (see util/redact).
  const split = splitJobEnv({ env: plain, secretValues, jobCrName: jobCr });
  return { env: [...split.env, ...refs], secretData: split.secretData };
}

function definedOnly<T extends Record<string, unknown>>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
}

/** brigadier scripts write `job.shell = "bash"` (as the countdown walkthrough does) as often as a path. */
const SHELL_ALIASES: Partial<Record<string, Shell>> = { sh: '/bin/sh', bash: '/bin/bash' };

const SHELL_WORD = new RegExp(SHELL_PATTERN);

/**
 * The job's shell as the Job CR spells it. Any shell of the image may run the tasks, as in Brigade 1;
 * only a value that cannot be a command (empty, or with spaces) is refused, never silently replaced.
 */
export function shellOf(shell: string): Shell {
  const alias = SHELL_ALIASES[shell];
  if (alias) return alias;
  if (!SHELL_WORD.test(shell) || shell.length > 256)
    throw new TypeError(
      `job shell ${JSON.stringify(shell)} is not a command: name one program (a path such as /bin/zsh, or sh, bash), without spaces or arguments`,
    );
  return shell;
}

export function jobSpecFor(build: Build, project: Project, req: JobRequest, env: EnvVar[]): JobSpec {
  // A script that chose no image gets the project's default image, when it has one.
  const image = req.imageDefaulted && project.spec.jobDefaults?.image ? undefined : req.image;
  return {
    project: build.spec.project,
    build: build.metadata.name ?? '',
    name: req.name,
    ...(image ? { image } : {}),
    imageForcePull: req.imageForcePull,
    ...(req.imagePullSecrets.length ? { imagePullSecrets: req.imagePullSecrets } : {}),
    ...(req.tasks.length ? { tasks: req.tasks } : {}),
    shell: shellOf(req.shell),
    ...(req.args.length ? { args: req.args } : {}),
    ...(env.length ? { env } : {}),
    mountPath: req.mountPath,
    useSource: req.useSource && project.spec.repo !== undefined,
    timeoutSeconds: Math.max(1, Math.ceil(req.timeout / 1000)),
    privileged: req.privileged,
    ...hostOf(req.host),
    docker: req.docker,
    cache: req.cache,
    storage: req.storage,
    ...(req.serviceAccount ? { serviceAccountName: req.serviceAccount } : {}),
    ...(Object.keys(req.annotations).length ? { annotations: req.annotations } : {}),
    ...resourcesOf(req),
    ...(req.volumes.length ? { volumes: req.volumes as Record<string, unknown>[] } : {}),
    ...(req.volumeMounts.length ? { volumeMounts: req.volumeMounts as Record<string, unknown>[] } : {}),
  };
}

/** The `host` field, present only when the script asked for a node name, an OS or a node selector. */
function hostOf(host: JobRequest['host']): Pick<JobSpec, 'host'> {
  const os = host.os === 'linux' || host.os === 'windows' ? host.os : undefined;
  if (!host.name && !os && !Object.keys(host.nodeSelector).length) return {};
  return {
    host: {
      ...(host.name ? { name: host.name } : {}),
      ...(os ? { os } : {}),
      ...(Object.keys(host.nodeSelector).length ? { nodeSelector: host.nodeSelector } : {}),
    },
  };
}

/** The `resources` field, present only when the script set a request or a limit. */
function resourcesOf(req: JobRequest): Pick<JobSpec, 'resources'> {
  const requests = definedOnly(req.resourceRequests) as Record<string, string>;
  const limits = definedOnly(req.resourceLimits) as Record<string, string>;
  if (!Object.keys(requests).length && !Object.keys(limits).length) return {};
  return {
    resources: {
      ...(Object.keys(requests).length ? { requests } : {}),
      ...(Object.keys(limits).length ? { limits } : {}),
    },
  };
}

/**
 * The Job CR for the job `req.name` of `build`, with the env already split. Throws InlineSecretError
 * when a secret value sits anywhere but in env (it would be stored verbatim), unless the Project's
 * policy.allowInlineSecrets accepts that.
 */
export function jobCrFor(
  build: Build,
  project: Project,
  req: JobRequest,
  secrets: Readonly<Record<string, string>>,
): { job: JobCR; secretData: Record<string, string> } {
  if (project.spec.policy?.allowInlineSecrets !== true) refuseInlineSecrets(req, secrets);
  const buildName = build.metadata.name ?? '';
  const name = jobCrName(buildName, req.name);
  const { env, secretData } = splitEnv(req.env, Object.values(secrets), name);
  const job: JobCR = {
    apiVersion: API_VERSION,
    kind: 'Job',
    metadata: {
      name,
      namespace: build.metadata.namespace,
      labels: {
        [LABELS.project]: labelSafeName(build.spec.project),
        [LABELS.build]: labelSafeName(buildName),
        [LABELS.job]: name,
        [LABELS.managedBy]: MANAGED_BY,
      },
      ownerReferences: [
        {
          apiVersion: API_VERSION,
          kind: KINDS.Build.kind,
          name: buildName,
          uid: build.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: jobSpecFor(build, project, req, env),
  };
  return { job, secretData };
}
