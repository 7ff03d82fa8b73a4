// Job (jobs.brigade.sh): one brigadier Job run of a build. Written by the operator from the job the
// script requested; it owns exactly one child batch/v1 Job. Secret values never appear here: an env
// value that came from the project's secrets is stored in a Secret owned by this Job CR and
// referenced with valueFrom.secretKeyRef.
import { Type } from '@sinclair/typebox';
import { DEFAULTS, SHELL_PATTERN } from './defaults.ts';
import { ConditionsSchema, HostSchema, KeySelectorSchema, ResourcesSchema } from './common-schemas.ts';
import { IMAGE_PULL_POLICIES } from './project-schema.ts';
import {
  JobName,
  LabelName,
  ObjectName,
  OpenObject,
  QUANTITY,
  Seconds,
  StringEnum,
  StringMap,
  Timestamp,
  immutable,
  withRules,
} from './schema-kit.ts';

export const JOB_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'TimedOut', 'Cancelled'] as const;

export const EnvVarSchema = Type.Object(
  {
    name: Type.String({ description: 'Variable name.', minLength: 1, maxLength: 1024 }),
    value: Type.Optional(
      Type.String({ description: 'Plain value (never a secret value: those use valueFrom).', maxLength: 131072 }),
    ),
    valueFrom: Type.Optional(
      Type.Object(
        {
          secretKeyRef: Type.Optional({ ...KeySelectorSchema, description: 'A key of a Secret in the namespace.' }),
          configMapKeyRef: Type.Optional({
            ...KeySelectorSchema,
            description: 'A key of a ConfigMap in the namespace.',
          }),
          fieldRef: Type.Optional(
            Type.Object(
              {
                fieldPath: Type.String({
                  description:
                    "A field of the job's own pod, e.g. metadata.name, spec.nodeName, status.podIP (the API server checks the path).",
                  minLength: 1,
                  maxLength: 512,
                }),
                apiVersion: Type.Optional(
                  Type.String({ description: 'Version of the field path schema (v1).', maxLength: 32 }),
                ),
              },
              { description: "A field of the job's own pod (downward API), as Brigade 1 allowed." },
            ),
          ),
        },
        {
          description: 'Where the value comes from.',
          ...withRules([
            {
              rule: 'has(self.secretKeyRef) ? !has(self.configMapKeyRef) && !has(self.fieldRef) : (has(self.configMapKeyRef) != has(self.fieldRef))',
              message: 'valueFrom needs exactly one of secretKeyRef, configMapKeyRef and fieldRef',
            },
          ]),
        },
      ),
    ),
  },
  {
    description: 'An environment variable of the job container.',
    ...withRules([{ rule: '!(has(self.value) && has(self.valueFrom))', message: 'set value or valueFrom, not both' }]),
  },
);

const DockerSchema = Type.Object(
  {
    enabled: Type.Optional(
      Type.Boolean({
        description: 'Mount the node docker socket (needs policy.allowDockerSocket; not on virtual nodes).',
        default: false,
      }),
    ),
  },
  { description: 'Docker-in-docker access (brigadier JobDockerMount).' },
);

const CacheSchema = Type.Object(
  {
    enabled: Type.Optional(
      Type.Boolean({
        description: 'Mount a cache PVC kept between builds (one per job name per project; not on virtual nodes).',
        default: false,
      }),
    ),
    size: Type.Optional(
      Type.String({ description: 'Size of the cache PVC.', pattern: QUANTITY, default: DEFAULTS.cacheSize }),
    ),
    path: Type.Optional(
      Type.String({
        description: 'Where the cache is mounted.',
        minLength: 1,
        maxLength: 1024,
        default: DEFAULTS.cachePath,
      }),
    ),
  },
  { description: 'Job cache (brigadier JobCache).' },
);

const StorageSchema = Type.Object(
  {
    enabled: Type.Optional(
      Type.Boolean({
        description: "Mount the build's shared storage (needs the project's storage.enabled; not on virtual nodes).",
        default: false,
      }),
    ),
    path: Type.Optional(
      Type.String({
        description: 'Where build storage is mounted.',
        minLength: 1,
        maxLength: 1024,
        default: DEFAULTS.buildStoragePath,
      }),
    ),
  },
  { description: 'Build storage shared by the jobs of a build (brigadier JobStorage).' },
);

export const JobSpecSchema = Type.Object(
  {
    project: ObjectName('Name of the Project.'),
    build: LabelName('Name of the Build this job belongs to.'),
    name: JobName(
      'Job name as the script gave it (may hold dots, as in Brigade 1); unique within the build. The Job CR and child names derive from it deterministically.',
    ),
    image: Type.Optional(
      Type.String({
        description: "Container image (default: the project's jobDefaults.image).",
        minLength: 1,
        maxLength: 1024,
      }),
    ),
    imagePullPolicy: Type.Optional(
      StringEnum(IMAGE_PULL_POLICIES, {
        description:
          "Image pull policy (default: the project's jobDefaults.imagePullPolicy, else IfNotPresent, as in Brigade 1).",
      }),
    ),
    imageForcePull: Type.Optional(
      Type.Boolean({
        description: 'Always pull the image (imagePullPolicy Always), brigadier imageForcePull.',
        default: false,
      }),
    ),
    imagePullSecrets: Type.Optional(
      Type.Array(LabelName('Secret name.'), { description: "Pull secrets, added to the project's.", maxItems: 32 }),
    ),
    tasks: Type.Optional(
      Type.Array(Type.String({ maxLength: 131072 }), {
        description: 'Commands run in order as one shell script that stops at the first failure.',
        maxItems: 1024,
      }),
    ),
    shell: Type.Optional(
      Type.String({
        description:
          'Shell that runs the tasks as `<shell> -c <script>`: /bin/sh (with set -e), /bin/bash (with set -eo pipefail) or any other shell of the image (no prelude), as in Brigade 1.',
        default: DEFAULTS.shell,
        pattern: SHELL_PATTERN,
        maxLength: 256,
      }),
    ),
    command: Type.Optional(
      Type.Array(Type.String({ maxLength: 131072 }), {
        description:
          "Container command when the job has no tasks. With neither, the image's own entrypoint runs (with args), as in Brigade 1.",
        maxItems: 1024,
      }),
    ),
    args: Type.Optional(
      Type.Array(Type.String({ maxLength: 131072 }), {
        description:
          "Arguments: positional parameters ($1...) of the task script, or of command, or of the image's entrypoint.",
        maxItems: 1024,
      }),
    ),
    env: Type.Optional(
      Type.Array(EnvVarSchema, {
        description: 'Environment of the job container.',
        maxItems: 1024,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
      }),
    ),
    mountPath: Type.Optional(
      Type.String({
        description: 'Where the source is checked out when useSource is true.',
        minLength: 1,
        maxLength: 1024,
        default: DEFAULTS.mountPath,
      }),
    ),
    useSource: Type.Optional(
      Type.Boolean({
        description: "Clone the project's repository into mountPath before the tasks run.",
        default: true,
      }),
    ),
    timeoutSeconds: Type.Optional(
      Seconds('How long the job may run (default: project jobDefaults, else 900).', { minimum: 1 }),
    ),
    privileged: Type.Optional(
      Type.Boolean({
        description: 'Run the container privileged (needs policy.allowPrivileged; not on virtual nodes).',
        default: false,
      }),
    ),
    host: Type.Optional(HostSchema),
    docker: Type.Optional(DockerSchema),
    cache: Type.Optional(CacheSchema),
    storage: Type.Optional(StorageSchema),
    serviceAccountName: Type.Optional(LabelName('Service account of the job pod.')),
    annotations: Type.Optional(StringMap('Annotations put on the job pod.')),
    labels: Type.Optional(
      StringMap('Extra labels put on the job pod (the brigade.sh/* labels cannot be overridden).', { maxLength: 63 }),
    ),
    resources: Type.Optional(ResourcesSchema),
    volumes: Type.Optional(
      Type.Array(OpenObject('A core/v1 Volume.'), {
        description:
          'Extra pod volumes (hostPath needs policy.allowHostMounts; none of hostPath, PVC or downwardAPI on virtual nodes).',
        maxItems: 64,
      }),
    ),
    volumeMounts: Type.Optional(
      Type.Array(OpenObject('A core/v1 VolumeMount.'), {
        description: 'Extra volume mounts of the job container.',
        maxItems: 64,
      }),
    ),
    reusedFrom: Type.Optional(
      Type.Object(
        {
          build: LabelName('The build whose job result is reused.'),
          job: Type.String({
            description: 'Name of the Job (jobs.brigade.sh) resource that succeeded.',
            maxLength: 253,
          }),
        },
        {
          description:
            'Set on a job of a rerun that succeeded in the original with the same name and spec: it is not run again; its recorded result (log and status) is copied, status.reason Reused. If that job is gone, this one runs.',
        },
      ),
    ),
  },
  { description: 'The brigadier job as the script requested it. Immutable.', ...immutable('spec') },
);

/** Where the whole kept log of a finished job is (src/controller/shared/kept-log.ts reads it). */
export const KeptLogSchema = Type.Object(
  {
    bytes: Type.Integer({ description: 'Size of the kept log in bytes (UTF-8).', format: 'int64', minimum: 0 }),
    chunks: Type.Integer({
      description:
        'ConfigMaps that hold the kept log, in order (JOB-log, JOB-log-1, ...); 0 when logTail holds the whole log.',
      format: 'int32',
      minimum: 0,
    }),
    truncated: Type.Optional(
      Type.Boolean({ description: "Whether the log was cut at the project's logs.maxJobLogBytes." }),
    ),
    archive: Type.Optional(
      Type.String({
        description: 'Where the log archive holds a copy (an object URL without credentials).',
        maxLength: 2048,
      }),
    ),
  },
  { description: "The job's whole log as kept after its pod is gone (secret values redacted)." },
);

export const JobStatusSchema = Type.Object(
  {
    observedGeneration: Type.Optional(
      Type.Integer({ description: 'metadata.generation the status describes.', format: 'int64', minimum: 0 }),
    ),
    phase: Type.Optional(
      StringEnum(JOB_PHASES, {
        description: 'Pending -> Running -> Succeeded | Failed | TimedOut | Cancelled (the build was cancelled).',
      }),
    ),
    reason: Type.Optional(
      Type.String({
        description: 'Machine-readable reason, e.g. Refused, DeadlineExceeded, ProviderFailed, Error.',
        maxLength: 1024,
      }),
    ),
    message: Type.Optional(
      Type.String({
        description: 'Human-readable details (a refusal names the feature or policy field).',
        maxLength: 32768,
      }),
    ),
    jobName: Type.Optional(Type.String({ description: 'Name of the child batch/v1 Job.', maxLength: 63 })),
    podName: Type.Optional(Type.String({ description: 'Name of the pod that ran the job.', maxLength: 253 })),
    nodeName: Type.Optional(Type.String({ description: 'Node the pod ran on.', maxLength: 253 })),
    exitCode: Type.Optional(Type.Integer({ description: 'Exit code of the job container.', format: 'int32' })),
    startTime: Type.Optional(Timestamp('When the job started.')),
    completionTime: Type.Optional(Timestamp('When the job finished.')),
    duration: Type.Optional(
      Type.String({
        description: 'How long the job ran (from its container times), e.g. 42s; set when it finishes.',
        maxLength: 32,
      }),
    ),
    logTail: Type.Optional(
      Type.String({
        description: `The last ${DEFAULTS.logTailChars} characters of the job log (secret values redacted); kept after the pod is gone.`,
        maxLength: DEFAULTS.logTailMaxLength,
      }),
    ),
    log: Type.Optional(KeptLogSchema),
    conditions: Type.Optional(ConditionsSchema('Conditions of the job (Succeeded).')),
  },
  { description: 'Observed state of the job.' },
);
