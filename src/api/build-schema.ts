// Build: one evaluation of a project's script for one Event. Written by the operator.
//
// What the spec holds, and why: the Event owns the Build (GC removes the Build with its Event), so
// the Build never outlives its Event in normal operation. But a Build must be replayable (after an
// operator restart a Running build's script is evaluated again) and rerunnable without re-reading
// anything that may have changed since it started: a Project's script can be edited at any time.
// So the spec is a self-contained snapshot: the exact script the build runs (whether it came from
// the Project, its ConfigMap or the Event) plus the event's type, provider, revision and payload.
// The copy of the payload costs etcd space; payload and script are bounded (MAX_PAYLOAD_LENGTH,
// MAX_SCRIPT_LENGTH) so the object stays far below etcd's request limit, and build history is
// bounded. Only `cancel` may change after creation.
//
// A rerun (spec.rerunOf) may be created with only `project` and `rerunOf`: the operator then copies
// the original build's snapshot into the spec once (each field is immutable once set), so a rerun
// runs exactly what the original ran, and GitOps or kubectl can ask for one without copying a script.
import { Type } from '@sinclair/typebox';
import { DEFAULTS } from './defaults.ts';
import { ConditionsSchema, RevisionSchema } from './common-schemas.ts';
import { EventProviderSchema, EventTypeSchema, MAX_PAYLOAD_LENGTH } from './event-schema.ts';
import {
  DependencyLockSchema,
  MAX_SCRIPT_FILES,
  MAX_SCRIPT_FILES_LENGTH,
  MAX_SCRIPT_LENGTH,
} from './project-schema.ts';
import { JobName, ObjectName, StringEnum, StringMap, Timestamp, immutable, withRules } from './schema-kit.ts';

export const BUILD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'TimedOut', 'Cancelled'] as const;
export const SCRIPT_ORIGINS = ['project', 'event', 'repository'] as const;

/**
 * The Event's provider schema without its default: a Build copies the provider of its Event, and a
 * default on an immutable field would stamp 'manual' on a rerun request that the operator could
 * then never complete from a github original.
 */
const BUILD_PROVIDER = Type.String({
  ...(EventProviderSchema.description ? { description: EventProviderSchema.description } : {}),
  ...(EventProviderSchema.minLength !== undefined ? { minLength: EventProviderSchema.minLength } : {}),
  ...(EventProviderSchema.maxLength !== undefined ? { maxLength: EventProviderSchema.maxLength } : {}),
});

export const BuildSpecSchema = Type.Object(
  {
    project: { ...ObjectName('Name of the Project (same namespace).'), ...immutable('spec.project') },
    event: Type.Optional({ ...ObjectName('Name of the Event that caused this build.'), ...immutable('spec.event') }),
    type: Type.Optional({ ...EventTypeSchema, ...immutable('spec.type') }),
    provider: Type.Optional({ ...BUILD_PROVIDER, ...immutable('spec.provider') }),
    revision: Type.Optional({ ...RevisionSchema, ...immutable('spec.revision') }),
    payload: Type.Optional(
      Type.String({
        description: 'Copy of the event payload.',
        maxLength: MAX_PAYLOAD_LENGTH,
        ...immutable('spec.payload'),
      }),
    ),
    script: Type.Optional(
      Type.String({
        description:
          'The exact brigade.js this build runs (a snapshot, so replay never picks up a later edit). With scriptOrigin repository it is set once, when the fetch job has read it from the repository.',
        maxLength: MAX_SCRIPT_LENGTH,
        ...immutable('spec.script'),
      }),
    ),
    scriptCommit: Type.Optional(
      Type.String({
        description: 'With scriptOrigin repository: the commit the script and its files were read from.',
        maxLength: 256,
        ...immutable('spec.scriptCommit'),
      }),
    ),
    files: Type.Optional({
      ...StringMap(
        `The files beside the script it may require (path -> source), a snapshot like script; at most ${MAX_SCRIPT_FILES} files, ${MAX_SCRIPT_FILES_LENGTH} characters together.`,
        { maxLength: MAX_SCRIPT_FILES_LENGTH },
      ),
      maxProperties: MAX_SCRIPT_FILES,
      ...immutable('spec.files'),
    }),
    dependencies: Type.Optional({
      ...DependencyLockSchema,
      description:
        "The npm packages the script may require, as the Project's status had resolved them (a snapshot like script).",
      ...immutable('spec.dependencies'),
    }),
    scriptOrigin: Type.Optional(
      StringEnum(SCRIPT_ORIGINS, {
        description:
          "Where the script came from: the project (spec.script or scriptFrom), the event's own script, or the project's repository at the event's revision (fetched by a job before the build starts).",
        ...immutable('spec.scriptOrigin'),
      }),
    ),
    rerunOf: Type.Optional(
      Type.Object(
        {
          build: ObjectName('The finished Build of the same project to run again.'),
          all: Type.Optional(
            Type.Boolean({
              description:
                'Run every job again. Default false: a job that succeeded in the original with the same name and spec is not run again; it returns its recorded result (log and status).',
              default: false,
            }),
          ),
        },
        {
          description:
            'Run a finished build again: the same Event, script, files and dependency lock. Create a Build with only spec.project and spec.rerunOf; the operator copies the rest from the original (brigade-operator rerun does this).',
          ...immutable('spec.rerunOf'),
        },
      ),
    ),
    cancel: Type.Optional(
      Type.Boolean({
        description: 'Set to true to cancel the build: running jobs are stopped and the build ends Cancelled.',
        default: false,
        ...withRules([{ rule: 'self || !oldSelf', message: 'a cancelled build cannot be resumed' }]),
      }),
    ),
  },
  {
    description: 'What the build runs: a self-contained snapshot of the event and the script.',
    ...withRules([
      {
        rule: "has(self.rerunOf) || (has(self.event) && has(self.type) && has(self.provider) && has(self.scriptOrigin) && (has(self.script) || self.scriptOrigin == 'repository'))",
        message:
          'a build needs event, type, provider, scriptOrigin and script (unless the script comes from the repository), unless it is a rerun (spec.rerunOf)',
      },
    ]),
  },
);

export const BuildJobSummarySchema = Type.Object(
  {
    name: JobName('Job name as the script gave it.'),
    jobRef: Type.Optional(Type.String({ description: 'Name of the Job (jobs.brigade.sh) resource.', maxLength: 253 })),
    phase: Type.String({ description: 'Phase of the job (see jobs.brigade.sh status.phase).', maxLength: 32 }),
    startTime: Type.Optional(Timestamp('When the job started.')),
    completionTime: Type.Optional(Timestamp('When the job finished.')),
  },
  { description: 'One job of the build.' },
);

export const BuildStatusSchema = Type.Object(
  {
    observedGeneration: Type.Optional(
      Type.Integer({ description: 'metadata.generation the status describes.', format: 'int64', minimum: 0 }),
    ),
    phase: Type.Optional(
      StringEnum(BUILD_PHASES, { description: 'Pending -> Running -> Succeeded | Failed | TimedOut | Cancelled.' }),
    ),
    reason: Type.Optional(
      Type.String({
        description: 'Machine-readable reason for the phase, e.g. ScriptError, JobFailed, Timeout.',
        maxLength: 1024,
      }),
    ),
    message: Type.Optional(
      Type.String({ description: 'Human-readable details (secret values redacted).', maxLength: 32768 }),
    ),
    startTime: Type.Optional(Timestamp('When the script started.')),
    completionTime: Type.Optional(Timestamp('When the build finished.')),
    duration: Type.Optional(
      Type.String({ description: 'How long the build ran, e.g. 1m23s; set when it finishes.', maxLength: 32 }),
    ),
    jobs: Type.Optional(
      Type.Array(BuildJobSummarySchema, {
        description: 'The jobs the build started, in start order.',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
      }),
    ),
    jobsSummary: Type.Optional(
      Type.String({
        description: 'Jobs that succeeded / all jobs, then how many failed when any did, e.g. 3/20 or 1/2, 1 failed.',
        maxLength: 32,
      }),
    ),
    conditions: Type.Optional(
      ConditionsSchema(
        'Succeeded: True when the build succeeded, False when it failed, timed out or was cancelled (kubectl wait --for=condition=Succeeded).',
      ),
    ),
    logTail: Type.Optional(
      Type.String({
        description: `The last ${DEFAULTS.logTailChars} characters of the script's console output (secret values redacted).`,
        maxLength: DEFAULTS.logTailMaxLength,
      }),
    ),
    replay: Type.Optional(
      Type.Object(
        {
          clock: Type.Optional(
            Type.Array(Type.Number(), {
              description: `Clock readings (epoch milliseconds) of Date.now(), new Date() and performance.now() in the order the script drew them, at most ${DEFAULTS.replayClockValues}.`,
              maxItems: DEFAULTS.replayClockValues,
            }),
          ),
        },
        {
          description:
            "What a replay of the script returns from the clock, so jobs named after it attach to the ones already started (Math.random is seeded with the build's uid).",
        },
      ),
    ),
    workerAttempts: Type.Optional(
      Type.Integer({
        description: 'How many times the script was evaluated (replays after restarts or worker loss).',
        format: 'int32',
        minimum: 0,
      }),
    ),
  },
  { description: 'Observed state of the build.' },
);
