// The meta.k8s.io/v1 schemas a CRD's OpenAPI documents refer to (ObjectMeta, ListMeta, Status,
// DeleteOptions, Patch and their parts), under the names the real apiserver uses so kubectl can
// resolve the $refs. Descriptions are short summaries written for the simulator.

import type { Schema } from './schema.ts';

export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const time = (description: string): Schema => ({ description, allOf: [{ $ref: ref(`${META}.Time`) }] });

/** A $ref to a named schema; `definitions` for swagger 2.0, `components/schemas` for OpenAPI 3. */
export function ref(name: string, v2 = false): string {
  return v2 ? `#/definitions/${name}` : `#/components/schemas/${name}`;
}

const stringMap = (description: string): Schema => ({
  type: 'object',
  description,
  additionalProperties: { type: 'string', default: '' },
});

export function metaSchemas(): Record<string, Schema> {
  return {
    [`${META}.ObjectMeta`]: {
      type: 'object',
      description:
        'Metadata every persisted resource has: identity, labels, annotations, ownership and lifecycle fields.',
      properties: {
        annotations: stringMap('Free-form key/value data kept with the object and not used for selection.'),
        creationTimestamp: time('When the server created the object (RFC 3339, UTC). Set by the server; read-only.'),
        deletionGracePeriodSeconds: {
          type: 'integer',
          format: 'int64',
          description: 'Seconds allowed for graceful termination once deletion was requested. Read-only.',
        },
        deletionTimestamp: time(
          'When deletion was requested; the object goes away once its finalizers are removed. Read-only.',
        ),
        finalizers: {
          type: 'array',
          items: { type: 'string', default: '' },
          'x-kubernetes-list-type': 'set',
          description: 'Keys that must be removed before the object is deleted.',
        },
        generateName: str('Prefix from which the server generates a unique name when name is empty.'),
        generation: {
          type: 'integer',
          format: 'int64',
          description: 'Sequence number of the desired state (spec); increases when spec changes. Read-only.',
        },
        labels: stringMap('Key/value pairs used to organize and select objects.'),
        managedFields: {
          type: 'array',
          items: { $ref: ref(`${META}.ManagedFieldsEntry`), default: {} },
          description: 'Which manager set which fields; maintained by the server.',
        },
        name: str(
          'Name of the object, unique within its namespace (or cluster for cluster-scoped kinds). Cannot be changed.',
        ),
        namespace: str('Namespace the object lives in; empty for cluster-scoped kinds. Cannot be changed.'),
        ownerReferences: {
          type: 'array',
          items: { $ref: ref(`${META}.OwnerReference`), default: {} },
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['uid'],
          description: 'Objects this object depends on; it is garbage-collected when all of them are gone.',
        },
        resourceVersion: str('Opaque version of the object, for optimistic concurrency and watches. Read-only.'),
        selfLink: str('Deprecated and unset.'),
        uid: str('Unique identifier of this incarnation of the object, set by the server. Read-only.'),
      },
    },
    [`${META}.ListMeta`]: {
      type: 'object',
      description: 'Metadata of a list response.',
      properties: {
        continue: str('Token to fetch the next page of a paginated list, if any.'),
        remainingItemCount: {
          type: 'integer',
          format: 'int64',
          description: 'How many more items a paginated list has, when known.',
        },
        resourceVersion: str('Version of the list, usable to start a watch.'),
        selfLink: str('Deprecated and unset.'),
      },
    },
    [`${META}.Time`]: {
      type: 'string',
      format: 'date-time',
      description: 'A timestamp in RFC 3339 form, second precision.',
    },
    [`${META}.FieldsV1`]: { type: 'object', description: 'A set of fields in the FieldsV1 trie format.' },
    [`${META}.ManagedFieldsEntry`]: {
      type: 'object',
      description: "One manager's ownership of a set of fields.",
      properties: {
        apiVersion: str('Version of the resource the fields refer to.'),
        fieldsType: str('Format of fieldsV1; only "FieldsV1".'),
        fieldsV1: { description: 'The fields owned.', allOf: [{ $ref: ref(`${META}.FieldsV1`) }] },
        manager: str('Name of the manager.'),
        operation: str('Apply or Update.'),
        subresource: str('Subresource the fields were written through, if any.'),
        time: time('When the entry last changed.'),
      },
    },
    [`${META}.OwnerReference`]: {
      type: 'object',
      description: 'Identifies an owning object.',
      required: ['apiVersion', 'kind', 'name', 'uid'],
      properties: {
        apiVersion: str('API version of the owner.', { default: '' }),
        blockOwnerDeletion: {
          type: 'boolean',
          description: 'Foreground deletion of the owner waits for this object when true.',
        },
        controller: { type: 'boolean', description: 'True when the owner is the managing controller.' },
        kind: str('Kind of the owner.', { default: '' }),
        name: str('Name of the owner.', { default: '' }),
        uid: str('UID of the owner.', { default: '' }),
      },
      'x-kubernetes-map-type': 'atomic',
    },
    [`${META}.Status`]: {
      type: 'object',
      description: 'Result of an operation that does not return an object, and of failed requests.',
      properties: {
        apiVersion: str('Versioned schema of this representation.'),
        code: { type: 'integer', format: 'int32', description: 'HTTP status code.' },
        details: {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
          description: 'Extended data about the reason.',
        },
        kind: str('Status'),
        message: str('Human-readable description.'),
        metadata: { description: 'List metadata.', allOf: [{ $ref: ref(`${META}.ListMeta`) }], default: {} },
        reason: str('Machine-readable reason.'),
        status: str('"Success" or "Failure".'),
      },
    },
    [`${META}.DeleteOptions`]: {
      type: 'object',
      description: 'Options of a delete request.',
      properties: {
        apiVersion: str('Versioned schema of this representation.'),
        dryRun: { type: 'array', items: { type: 'string', default: '' }, description: 'All means: do not persist.' },
        gracePeriodSeconds: { type: 'integer', format: 'int64', description: 'Grace period before deletion.' },
        kind: str('DeleteOptions'),
        preconditions: {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
          description: 'uid/resourceVersion that must match.',
        },
        propagationPolicy: str('Orphan, Background or Foreground.'),
      },
    },
    [`${META}.Patch`]: { type: 'object', description: 'A patch document; its format is given by the Content-Type.' },
  };
}
