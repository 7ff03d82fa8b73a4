// Project: a pipeline — its brigade.js, the Secret behind project.secrets, job defaults, policy,
// storage and which gateways may create Events for it. Written by the user (GitOps).
import { Type } from '@sinclair/typebox';
import type { TProperties } from '@sinclair/typebox';
import { DEFAULTS } from './defaults.ts';
import {
  ConditionsSchema,
  HostSchema,
  KeySelectorSchema,
  LocalObjectReferenceSchema,
  ResourcesSchema,
} from './common-schemas.ts';
import {
  ImageReference,
  LabelName,
  ObjectName,
  QUANTITY,
  Seconds,
  StringEnum,
  StringMap,
  withRules,
} from './schema-kit.ts';

/** Upper bound of an inline script; the Build stores a copy, so it must leave room for the payload. */
export const MAX_SCRIPT_LENGTH = 262144;

export const IMAGE_PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;

/** The files beside brigade.js together (a Build carries them, next to the script and the payload). */
export const MAX_SCRIPT_FILES_LENGTH = 262144;
/** How many files beside brigade.js a project may have. */
export const MAX_SCRIPT_FILES = 64;
/** A file path under the script's directory: relative, '/'-separated, no '.' or '..' segments. */
export const SCRIPT_FILE_PATH = '^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$';

const ScriptFileItemSchema = Type.Object(
  {
    key: Type.String({ description: 'ConfigMap key.', minLength: 1, maxLength: 253 }),
    path: Type.String({
      description: "The file's path beside brigade.js, e.g. lib/notify.js.",
      pattern: SCRIPT_FILE_PATH,
      minLength: 1,
      maxLength: 253,
    }),
  },
  { description: 'One ConfigMap key as a file at a path (as in a configMap volume).' },
);

const ScriptFromSchema = Type.Object(
  {
    configMapKeyRef: Type.Optional(
      Type.Object(
        {
          name: LabelName('ConfigMap name.'),
          key: Type.String({ description: 'Key holding the brigade.js source.', minLength: 1, maxLength: 253 }),
        },
        {
          description: 'The ConfigMap key that holds the script (one file: the script can require no file beside it).',
        },
      ),
    ),
    configMap: Type.Optional(
      Type.Object(
        {
          name: LabelName('ConfigMap name.'),
          main: Type.Optional(
            Type.String({
              description: 'Path of the script among the files (default brigade.js).',
              pattern: SCRIPT_FILE_PATH,
              maxLength: 253,
              default: 'brigade.js',
            }),
          ),
          items: Type.Optional(
            Type.Array(ScriptFileItemSchema, {
              description:
                'Which keys are files, at which paths (as a configMap volume). Unset: every key is a file named by its key.',
              maxItems: MAX_SCRIPT_FILES + 1,
            }),
          ),
        },
        {
          description:
            "A ConfigMap as the script's directory: brigade.js and the files it requires with require('./lib'). " +
            `At most ${MAX_SCRIPT_FILES} files beside the script, ${MAX_SCRIPT_FILES_LENGTH} characters together.`,
        },
      ),
    ),
  },
  {
    description:
      'Read the brigade.js (and the files beside it) from a ConfigMap in the project namespace instead of spec.script.',
    ...withRules([
      {
        rule: 'has(self.configMapKeyRef) != has(self.configMap)',
        message: 'set exactly one of configMapKeyRef and configMap',
      },
    ]),
  },
);

const RepoSchema = Type.Object(
  {
    name: Type.Optional(
      Type.String({
        description: 'Repository name, e.g. github.com/org/repo; gateways match deliveries against it.',
        maxLength: 512,
      }),
    ),
    cloneURL: Type.Optional(
      Type.String({
        description:
          "URL jobs with useSource clone from; without it jobs get no source checkout (Brigade 1 allowed a project with no clone URL). A project with a clone URL and neither script nor scriptFrom runs the brigade.js of the repository at each event's revision, as Brigade 1 did.",
        minLength: 1,
        maxLength: 2048,
      }),
    ),
    ref: Type.Optional(
      Type.String({
        description: 'Ref to check out when the event names no revision (default: the remote HEAD).',
        maxLength: 1024,
      }),
    ),
    scriptPath: Type.Optional(
      Type.String({
        description:
          "Where brigade.js is in the repository, for a project that runs the repository's script (Brigade 1 brigadejsPath); the files it requires are taken from its directory. Default brigade.js.",
        pattern: SCRIPT_FILE_PATH,
        maxLength: 1024,
      }),
    ),
    configPath: Type.Optional(
      Type.String({
        description:
          "Where brigade.json is in the repository, for a project that runs the repository's script (Brigade 1 brigadeConfigPath). Default brigade.json.",
        pattern: SCRIPT_FILE_PATH,
        maxLength: 1024,
      }),
    ),
  },
  { description: 'Source repository cloned into jobs that use source.' },
);

export const JobDefaultsSchema = Type.Object(
  {
    image: Type.Optional(ImageReference('Image for jobs that name none.')),
    imagePullPolicy: Type.Optional(
      StringEnum(IMAGE_PULL_POLICIES, { description: 'Pull policy for jobs that set none.' }),
    ),
    serviceAccountName: Type.Optional(LabelName('Service account of job pods that name none.')),
    imagePullSecrets: Type.Optional(
      Type.Array(LabelName('Secret name.'), { description: 'Pull secrets added to every job pod.', maxItems: 32 }),
    ),
    resources: Type.Optional(ResourcesSchema),
    host: Type.Optional(HostSchema),
    timeoutSeconds: Type.Optional(
      Seconds(`Job timeout when the job sets none (default ${DEFAULTS.jobTimeoutSeconds}).`, { minimum: 1 }),
    ),
    ttlSecondsAfterFinished: Type.Optional(
      Seconds(`How long finished child Jobs and pods are kept (default ${DEFAULTS.ttlSecondsAfterFinished}).`),
    ),
  },
  {
    description:
      "Settings every job of the project gets unless the job sets its own (the job's settings win; maps are merged).",
  },
);

/** What happens to an event the script has no handler for (policy.unhandledEvents). */
export const UNHANDLED_EVENTS = ['Reject', 'Succeed'] as const;

export const PolicySchema = Type.Object(
  {
    allowPrivileged: Type.Optional(
      Type.Boolean({ description: 'Whether jobs may run privileged containers.', default: false }),
    ),
    allowHostMounts: Type.Optional(
      Type.Boolean({ description: 'Whether jobs may mount hostPath volumes.', default: false }),
    ),
    allowDockerSocket: Type.Optional(
      Type.Boolean({ description: 'Whether jobs may mount the node docker socket (docker.enabled).', default: false }),
    ),
    allowedSecrets: Type.Optional(
      Type.Array(ObjectName('Secret name.'), {
        description:
          "Secrets of the namespace, besides the project's own spec.secretRef, that jobs may read: env valueFrom.secretKeyRef, secret volumes and projected secret sources, and job imagePullSecrets. Their values are redacted from job logs. Unset: only the project's own Secret.",
        maxItems: 64,
      }),
    ),
    allowedServiceAccounts: Type.Optional(
      Type.Array(ObjectName('ServiceAccount name.'), {
        description:
          'Service accounts a job may name (job.serviceAccount) besides spec.jobDefaults.serviceAccountName. Unset: only that one.',
        maxItems: 64,
      }),
    ),
    allowServiceAccountToken: Type.Optional(
      Type.Boolean({
        description:
          "Whether job pods get their service account's API token (automountServiceAccountToken, projected serviceAccountToken volumes).",
        default: false,
      }),
    ),
    allowedVolumeClaims: Type.Optional(
      Type.Array(ObjectName('PersistentVolumeClaim name.'), {
        description:
          'PersistentVolumeClaims jobs may mount as volumes (the build storage and job cache claims the operator makes need no entry). Unset: none.',
        maxItems: 64,
      }),
    ),
    allowInlineSecrets: Type.Optional(
      Type.Boolean({
        description:
          'Whether a job may hold project secret values outside env (tasks, args, command, annotations, labels, the image, a nodeSelector, volumes), as Brigade 1 allowed. They are then stored verbatim in the Job resource, the batch Job and the pod spec, readable by anyone who can read those. Off: such a job is refused; pass the value through env, which the operator keeps in a Secret.',
        default: false,
      }),
    ),
    allowEventScripts: Type.Optional(
      Type.Boolean({
        description: "Whether an Event may carry its own script (like 'brig run -f') instead of the project's.",
        default: false,
      }),
    ),
    unhandledEvents: Type.Optional(
      StringEnum(UNHANDLED_EVENTS, {
        description:
          "An event whose type the script has no handler for: Reject (the Event is rejected with reason NoHandler, so a typo shows; a repository script, whose handlers are known only once fetched, ends its build Failed) or Succeed (Brigade 1's behaviour: a build that runs the script, finds no handler and succeeds).",
        default: 'Reject',
      }),
    ),
    maxConcurrentBuilds: Type.Optional(
      Type.Integer({
        description: 'Builds of this project running at once; further builds wait (queue). Unset: no limit.',
        format: 'int32',
        minimum: 1,
      }),
    ),
    maxConcurrentJobs: Type.Optional(
      Type.Integer({
        description: 'Jobs of this project running at once; further jobs wait (queue). Unset: no limit.',
        format: 'int32',
        minimum: 1,
      }),
    ),
    buildTimeoutSeconds: Type.Optional(
      Seconds('How long a build may run before it is TimedOut.', { minimum: 1, default: DEFAULTS.buildTimeoutSeconds }),
    ),
    supersede: Type.Optional(
      Type.Boolean({
        description: 'When true, a new build cancels the running builds of the same project and ref.',
        default: false,
      }),
    ),
  },
  { description: 'What jobs of this project may do and how many may run.', default: {} },
);

const CacheStorageSchema = Type.Object(
  {
    storageClassName: Type.Optional(
      Type.String({ description: 'StorageClass of job cache PVCs (default: the cluster default).', maxLength: 253 }),
    ),
  },
  { description: 'Job cache PVCs (one per job name per project, for jobs with cache.enabled).' },
);

export const StorageSchema = Type.Object(
  {
    enabled: Type.Optional(
      Type.Boolean({
        description: 'Whether builds get a shared PVC that jobs with storage.enabled mount at /mnt/brigade/share.',
        default: false,
      }),
    ),
    size: Type.Optional(
      Type.String({
        description: 'Size of the build storage PVC.',
        pattern: QUANTITY,
        default: DEFAULTS.buildStorageSize,
      }),
    ),
    storageClassName: Type.Optional(
      Type.String({
        description:
          'StorageClass of the build storage PVC (default: the cluster default); it needs ReadWriteMany for jobs on several nodes.',
        maxLength: 253,
      }),
    ),
    cache: Type.Optional(CacheStorageSchema),
  },
  { description: 'Build storage and job cache volumes.', default: {} },
);

/** How long builds of one outcome are kept: the newest `limit`, and/or those younger than `ttlSeconds`. */
function HistoryClassSchema(what: string) {
  return Type.Object(
    {
      limit: Type.Optional(
        Type.Integer({
          description: `How many finished ${what} builds to keep, the newest first (0 keeps none). Unset: the operator's default (--history-${what}-limit), else no limit.`,
          format: 'int32',
          minimum: 0,
        }),
      ),
      ttlSeconds: Type.Optional(
        Seconds(
          `How long a ${what} build is kept after it finished. Unset: the operator's default (--history-${what}-ttl), else for ever.`,
          { minimum: 1 },
        ),
      ),
    },
    { description: `Retention of ${what} builds (a build goes when either bound says so).` },
  );
}

export const HistorySchema = Type.Object(
  {
    succeeded: Type.Optional(HistoryClassSchema('succeeded')),
    failed: Type.Optional(HistoryClassSchema('failed')),
  },
  {
    description:
      'Build history: finished builds beyond these bounds are deleted with their Jobs, pods, kept logs and build storage (and their Event when no other build of it is left). Running builds are never deleted. Failed covers failed, timed-out and cancelled builds.',
  },
);

export const LogsSchema = Type.Object(
  {
    maxJobLogBytes: Type.Optional(
      Type.Integer({
        description: `How much of each job's log is kept after its pod is gone, in bytes (secret values redacted first). A longer log is cut there and ends with a line saying so. Unset: the operator's --max-job-log-bytes (default ${DEFAULTS.maxJobLogBytes}).`,
        format: 'int64',
        minimum: DEFAULTS.minJobLogBytes,
        maximum: DEFAULTS.maxJobLogBytesLimit,
      }),
    ),
  },
  { description: "How the jobs' logs are kept." },
);

function IntakeSchema<P extends TProperties>(name: string, extra: P) {
  return Type.Object(
    {
      enabled: Type.Optional(
        Type.Boolean({ description: `Whether the ${name} intake may create Events for this project.`, default: false }),
      ),
      secretKeyRef: Type.Optional({
        ...KeySelectorSchema,
        description: `Secret key holding the shared secret ${name} deliveries are verified with.`,
      }),
      ...extra,
    },
    { description: `The ${name} intake.` },
  );
}

// Brigade 1 compatibility switches. Each weakens how a delivery is authenticated, so each is off
// unless the Project turns it on; docs/intake.md says what each risks.
const allowSecretInPath = (route: string) =>
  Type.Optional(
    Type.Boolean({
      description: `Accept Brigade 1's ${route} route, whose shared secret is part of the URL (proxies and load balancers log URLs). Off by default.`,
    }),
  );

export const GatewaysSchema = Type.Object(
  {
    cloudevents: Type.Optional(
      IntakeSchema('CloudEvents', { allowSecretInPath: allowSecretInPath('/cloudevents/v02/{project}/{secret}') }),
    ),
    webhook: Type.Optional(
      IntakeSchema('generic webhook', {
        allowSecretInPath: allowSecretInPath('/simpleevents/v1/{project}/{secret}'),
        allowUnauthenticated: Type.Optional(
          Type.Boolean({
            description:
              'Accept webhook deliveries that carry no token (a container registry webhook configured without a custom header, as Brigade 1 took them): anyone who can reach the gateway can then start builds. A delivery that does carry a token must still carry the right one. Off by default.',
          }),
        ),
        type: Type.Optional(
          Type.String({
            description: `Event type of a delivery (default ${DEFAULTS.webhookEventType}).`,
            minLength: 1,
            maxLength: 253,
          }),
        ),
        allowTypeOverride: Type.Optional(
          Type.Boolean({ description: 'Whether a delivery may choose its event type with ?type=.' }),
        ),
      }),
    ),
    github: Type.Optional(
      IntakeSchema('GitHub', {
        allowSha1Signature: Type.Optional(
          Type.Boolean({
            description:
              'Accept deliveries signed only with X-Hub-Signature (HMAC-SHA1, what Brigade 1 checked; older GitHub Enterprise servers send nothing else). A delivery with X-Hub-Signature-256 is always checked against that. Off by default.',
          }),
        ),
      }),
    ),
  },
  { description: 'Which gateways may create Events for this project. An intake not listed here is disabled.' },
);

/** npm dependencies a Project may declare (spec.dependencies and brigade.json together). */
export const MAX_DEPENDENCIES = 64;
/** Packages of a resolved tree (a lock). */
export const MAX_LOCKED_PACKAGES = 64;

const PACKAGE_NAME = '^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$';
const PACKAGE_KEY = '^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*@[0-9A-Za-z.+-]+$';

const PackageKeyMap = (description: string) => ({
  ...StringMap(description, { pattern: PACKAGE_KEY, maxLength: 253 }),
  maxProperties: MAX_DEPENDENCIES,
});

export const LockedPackageSchema = Type.Object(
  {
    name: Type.String({ description: 'Package name.', pattern: PACKAGE_NAME, maxLength: 214 }),
    version: Type.String({ description: 'Exact version.', maxLength: 64 }),
    integrity: Type.String({
      description: "The registry's dist.integrity (sha512) the tarball must match.",
      maxLength: 256,
    }),
    tarball: Type.String({ description: "The tarball's URL in the registry.", maxLength: 2048 }),
    dependencies: Type.Optional(
      PackageKeyMap('Its own dependencies: name -> name@version of the package they resolved to.'),
    ),
  },
  { description: 'One resolved npm package.' },
);

export const DependencyLockSchema = Type.Object(
  {
    roots: PackageKeyMap("The script's own dependencies: name -> name@version."),
    packages: Type.Array(LockedPackageSchema, {
      description: 'Every package of the tree, each once per version.',
      maxItems: MAX_LOCKED_PACKAGES,
    }),
  },
  { description: 'npm dependencies resolved to exact versions and integrities (a lock).' },
);

export const ProjectSpecSchema = Type.Object(
  {
    script: Type.Optional(Type.String({ description: 'The brigade.js source, inline.', maxLength: MAX_SCRIPT_LENGTH })),
    scriptFrom: Type.Optional(ScriptFromSchema),
    repo: Type.Optional(RepoSchema),
    secretRef: Type.Optional({
      ...LocalObjectReferenceSchema,
      description:
        'Secret whose keys become project.secrets in the script. Its values never appear in any custom resource and are redacted from logs.',
    }),
    jobDefaults: Type.Optional(JobDefaultsSchema),
    policy: Type.Optional(PolicySchema),
    storage: Type.Optional(StorageSchema),
    history: Type.Optional(HistorySchema),
    logs: Type.Optional(LogsSchema),
    gateways: Type.Optional(GatewaysSchema),
    dependencies: Type.Optional({
      ...StringMap(
        "npm packages brigade.js may require (name -> version range or dist-tag), with brigade.json's dependencies; a name in both takes this range. Pure-JavaScript CommonJS packages only.",
        { minLength: 1, maxLength: 256 },
      ),
      maxProperties: MAX_DEPENDENCIES,
    }),
  },
  {
    description: 'A pipeline: its script, secrets reference, job defaults and policy.',
    ...withRules([
      { rule: '!(has(self.script) && has(self.scriptFrom))', message: 'set script or scriptFrom, not both' },
    ]),
  },
);

export const ProjectBuildCountsSchema = Type.Object(
  {
    running: Type.Integer({ description: 'Builds running now.', format: 'int32', minimum: 0 }),
    queued: Type.Integer({ description: 'Builds waiting for a concurrency slot.', format: 'int32', minimum: 0 }),
    succeeded: Type.Integer({
      description: 'Builds that succeeded (among those still kept).',
      format: 'int32',
      minimum: 0,
    }),
    failed: Type.Integer({
      description: 'Builds that failed, timed out or were cancelled (among those still kept).',
      format: 'int32',
      minimum: 0,
    }),
  },
  { description: 'Counts of this project’s builds.' },
);

export const ProjectStatusSchema = Type.Object(
  {
    observedGeneration: Type.Optional(
      Type.Integer({ description: 'metadata.generation the status describes.', format: 'int64', minimum: 0 }),
    ),
    conditions: Type.Optional(
      ConditionsSchema(
        'Ready: the script was loaded and parsed and its handlers are known (a syntax error gives line and column in the message).',
      ),
    ),
    handlers: Type.Optional(
      Type.Array(Type.String({ maxLength: 253 }), {
        description: 'Event types the script handles (events.on).',
        maxItems: 256,
      }),
    ),
    handlersSummary: Type.Optional(
      Type.String({
        description: 'The handlers as one comma-separated string, for the printer column.',
        maxLength: 1024,
      }),
    ),
    scriptSHA256: Type.Optional(
      Type.String({ description: 'SHA-256 of the script the status describes.', maxLength: 64 }),
    ),
    dependencies: Type.Optional({
      ...DependencyLockSchema,
      description: 'The npm dependencies as resolved (a lock); builds created from now on copy it.',
    }),
    dependenciesSHA256: Type.Optional(
      Type.String({ description: 'SHA-256 of the declared dependencies the lock was resolved from.', maxLength: 64 }),
    ),
    lastBuild: Type.Optional(Type.String({ description: 'Name of the most recently created Build.', maxLength: 253 })),
    buildCounts: Type.Optional(ProjectBuildCountsSchema),
  },
  { description: 'Observed state of the project.' },
);
