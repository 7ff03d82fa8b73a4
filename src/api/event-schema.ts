// Event: one occurrence (a push, a webhook delivery, `brigade-operator run`). Created by users,
// gateways and the CLI; its spec is immutable, and it yields one Build (plus any reruns of it).
import { Type } from '@sinclair/typebox';
import { DEFAULTS } from './defaults.ts';
import { ConditionsSchema, RevisionSchema } from './common-schemas.ts';
import { MAX_SCRIPT_LENGTH } from './project-schema.ts';
import { ObjectName, StringEnum, immutable } from './schema-kit.ts';

/**
 * Upper bound of a payload. The Build copies it (see build-schema.ts), and an object must stay well
 * under etcd's 1.5 MiB request limit, so gateways refuse larger deliveries with 413.
 */
export const MAX_PAYLOAD_LENGTH = 524288;

export const EVENT_PHASES = ['Pending', 'Accepted', 'Rejected'] as const;

export const EventTypeSchema = Type.String({
  description: 'Event type the script handles with events.on, e.g. push, pull_request:opened, exec, image_push.',
  minLength: 1,
  maxLength: 253,
});

export const EventProviderSchema = Type.String({
  description: 'Who produced the event, e.g. github, cloudevents, webhook, cli.',
  minLength: 1,
  maxLength: 253,
  default: DEFAULTS.eventProvider,
});

export const EventSpecSchema = Type.Object(
  {
    project: ObjectName('Name of the Project (same namespace) the event is for.'),
    type: EventTypeSchema,
    provider: Type.Optional(EventProviderSchema),
    revision: Type.Optional(RevisionSchema),
    payload: Type.Optional(
      Type.String({
        description: 'The body as received (the script gets it as e.payload).',
        maxLength: MAX_PAYLOAD_LENGTH,
      }),
    ),
    script: Type.Optional(
      Type.String({
        description:
          "A script to run instead of the project's; only when the project's policy.allowEventScripts is true.",
        maxLength: MAX_SCRIPT_LENGTH,
      }),
    ),
  },
  { description: 'What happened. Immutable: create a new Event to run again.', ...immutable('spec') },
);

export const EventStatusSchema = Type.Object(
  {
    observedGeneration: Type.Optional(
      Type.Integer({ description: 'metadata.generation the status describes.', format: 'int64', minimum: 0 }),
    ),
    phase: Type.Optional(
      StringEnum(EVENT_PHASES, {
        description: 'Pending (not yet handled), Accepted (a Build was created) or Rejected (see reason).',
      }),
    ),
    reason: Type.Optional(
      Type.String({
        description: 'Why the event was rejected: ProjectNotFound, NoHandler, EventScriptNotAllowed, ...',
        maxLength: 1024,
      }),
    ),
    message: Type.Optional(Type.String({ description: 'Human-readable details.', maxLength: 32768 })),
    build: Type.Optional(Type.String({ description: 'Name of the Build this event created.', maxLength: 253 })),
    conditions: Type.Optional(ConditionsSchema('Conditions of the event (Accepted).')),
  },
  { description: 'Observed state of the event.' },
);
