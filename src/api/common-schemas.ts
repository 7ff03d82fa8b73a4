// Schemas shared by several kinds: conditions, references, resources, placement.
import { Type } from '@sinclair/typebox';
import type { Static, TArray } from '@sinclair/typebox';
import { ObjectName, QUANTITY, StringEnum, StringMap, Timestamp } from './schema-kit.ts';

export const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;

/** A standard Kubernetes condition (metav1.Condition). */
export const ConditionSchema = Type.Object(
  {
    type: Type.String({ description: 'Condition type, e.g. Ready or Succeeded.', minLength: 1, maxLength: 316 }),
    status: StringEnum(CONDITION_STATUSES, { description: 'True, False or Unknown.' }),
    reason: Type.Optional(
      Type.String({ description: 'Machine-readable CamelCase reason for the last transition.', maxLength: 1024 }),
    ),
    message: Type.Optional(
      Type.String({
        description: 'Human-readable details, e.g. a script syntax error with line and column.',
        maxLength: 32768,
      }),
    ),
    lastTransitionTime: Type.Optional(Timestamp('When status last changed.')),
    observedGeneration: Type.Optional(
      Type.Integer({
        description: 'metadata.generation this condition was computed from.',
        format: 'int64',
        minimum: 0,
      }),
    ),
  },
  { description: 'An observation of one aspect of the object.' },
);

export function ConditionsSchema(description: string): TArray<typeof ConditionSchema> {
  return Type.Array(ConditionSchema, {
    description,
    maxItems: 32,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
  });
}

export const LocalObjectReferenceSchema = Type.Object(
  { name: ObjectName('Name of the object in the same namespace.') },
  { description: 'A reference to an object in the same namespace.' },
);

export const KeySelectorSchema = Type.Object(
  {
    name: ObjectName('Name of the object in the same namespace.'),
    key: Type.String({ description: 'Key in its data.', minLength: 1, maxLength: 253 }),
    optional: Type.Optional(Type.Boolean({ description: 'When true, a missing object or key is not an error.' })),
  },
  { description: 'Selects one key of a Secret or ConfigMap in the same namespace.' },
);

export const RESOURCE_LIST_DESCRIPTION =
  'Resource name (cpu, memory, ephemeral-storage, ...) to a Kubernetes quantity such as 500m or 128Mi.';

export const ResourcesSchema = Type.Object(
  {
    requests: Type.Optional(StringMap(`Requested resources. ${RESOURCE_LIST_DESCRIPTION}`, { pattern: QUANTITY })),
    limits: Type.Optional(StringMap(`Resource limits. ${RESOURCE_LIST_DESCRIPTION}`, { pattern: QUANTITY })),
  },
  { description: 'Compute resources of the job container.' },
);

export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

export const TolerationSchema = Type.Object(
  {
    key: Type.Optional(
      Type.String({ description: 'Taint key; empty with operator Exists tolerates everything.', maxLength: 317 }),
    ),
    operator: Type.Optional(
      StringEnum(['Exists', 'Equal'] as const, { description: 'Exists or Equal (default Equal).' }),
    ),
    value: Type.Optional(Type.String({ description: 'Taint value for operator Equal.', maxLength: 63 })),
    effect: Type.Optional(
      StringEnum(TAINT_EFFECTS, { description: 'Taint effect to tolerate; empty means all effects.' }),
    ),
    tolerationSeconds: Type.Optional(
      Type.Integer({
        description: 'For NoExecute: how long the pod stays bound after the taint appears.',
        format: 'int64',
      }),
    ),
  },
  { description: 'A pod toleration (core/v1 Toleration).' },
);

/**
 * Where a job runs. `regular`: ordinary nodes only. `virtual`: the virtual-kubelet node (Azure
 * Container Instances), whose pods cannot use PVCs, hostPath or downwardAPI volumes. `burst`: prefer
 * regular nodes but tolerate the virtual node, so overflow spills there.
 */
export const PLACEMENTS = ['regular', 'virtual', 'burst'] as const;
export type Placement = (typeof PLACEMENTS)[number];

export const HOST_OSES = ['linux', 'windows'] as const;

export const HostSchema = Type.Object(
  {
    name: Type.Optional(
      Type.String({
        description:
          'Node name to run on (kubernetes.io/hostname); "virtual-kubelet" places the job on the virtual node.',
        maxLength: 253,
      }),
    ),
    os: Type.Optional(StringEnum(HOST_OSES, { description: 'Node operating system (kubernetes.io/os).' })),
    nodeSelector: Type.Optional(
      StringMap('Extra node labels the node must have; merged over the ones placement implies.', { maxLength: 63 }),
    ),
    tolerations: Type.Optional(
      Type.Array(TolerationSchema, {
        description: 'Extra tolerations, added to the ones placement implies.',
        maxItems: 64,
      }),
    ),
    placement: Type.Optional(
      StringEnum(PLACEMENTS, {
        description:
          'regular (ordinary nodes), virtual (the virtual-kubelet node) or burst (prefer ordinary nodes, spill to the virtual node).',
      }),
    ),
  },
  { description: 'Node placement of a job (brigadier JobHost plus placement).' },
);

export const RevisionSchema = Type.Object(
  {
    commit: Type.Optional(Type.String({ description: 'Commit id (SHA) to check out.', maxLength: 256 })),
    ref: Type.Optional(
      Type.String({ description: 'Git ref, e.g. refs/heads/main or refs/pull/42/head.', maxLength: 1024 }),
    ),
  },
  { description: 'The source revision an event is about.' },
);

export type Condition = Static<typeof ConditionSchema>;
export type ConditionStatus = (typeof CONDITION_STATUSES)[number];
export type LocalObjectReference = Static<typeof LocalObjectReferenceSchema>;
export type KeySelector = Static<typeof KeySelectorSchema>;
export type Resources = Static<typeof ResourcesSchema>;
export type Toleration = Static<typeof TolerationSchema>;
export type Host = Static<typeof HostSchema>;
export type Revision = Static<typeof RevisionSchema>;
