// Pure mapping from an accepted delivery to an Event object. The name is derived from the delivery's
// identity, so a retried or duplicated delivery maps to the same name and the API server's
// AlreadyExists answer de-duplicates it: no read-before-write race between gateway replicas.
import { createHash } from 'node:crypto';
import { API_VERSION, KINDS, LABELS } from '../api/constants.ts';
import type { BrigadeEvent } from '../api/types.ts';

export type IntakeKind = 'cloudevents' | 'webhook' | 'github';

/** What an intake extracted from a request, before it becomes an Event. */
export interface EventDraft {
  namespace: string;
  project: string;
  intake: IntakeKind;
  type: string;
  provider: string;
  /** Identity of the delivery for de-duplication (CloudEvents source+id, GitHub delivery id...). */
  deliveryId: string;
  revision?: { commit?: string; ref?: string };
  /** The payload as received (or JSON-serialized), never parsed again by the gateway. */
  payload?: string;
  /**
   * SHA-256 of a signed body whose delivery id is not signed (GitHub): the same body is one delivery
   * within the replay window whatever id it comes with (server.ts).
   */
  bodyDigest?: string;
}

export const GATEWAY_ANNOTATIONS = {
  intake: 'brigade.sh/intake',
  deliveryId: 'brigade.sh/delivery-id',
  bodyDigest: 'brigade.sh/body-sha256',
} as const;

const MAX_NAME_PREFIX = 40;
const HASH_CHARS = 20;

/**
 * `<project>-<hash>`: a DNS-1123 name of at most 61 characters (so it also fits in a label value),
 * unique per (namespace, project, intake, delivery id).
 */
export function eventName(draft: Pick<EventDraft, 'namespace' | 'project' | 'intake' | 'deliveryId'>): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([draft.namespace, draft.project, draft.intake, draft.deliveryId]))
    .digest('hex')
    .slice(0, HASH_CHARS);
  const prefix = draft.project
    .slice(0, MAX_NAME_PREFIX)
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/-+$/, '');
  return `${prefix || 'event'}-${hash}`;
}

/** Annotation values are free text but bounded; delivery ids come from callers. */
function boundedAnnotation(value: string): string {
  return value.length > 256 ? `${value.slice(0, 253)}...` : value;
}

function compactRevision(revision: EventDraft['revision']): { commit?: string; ref?: string } | undefined {
  if (!revision) return undefined;
  const out: { commit?: string; ref?: string } = {};
  if (revision.commit) out.commit = revision.commit;
  if (revision.ref) out.ref = revision.ref;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** An Event as the gateway creates it: always named and namespaced. */
export type EventObject = BrigadeEvent & { metadata: { name: string; namespace: string } };

/**
 * The Event for a draft. `identity` (default: the delivery id) is what its name is derived from; a
 * draft with a body digest is named after the digest first (see server.ts).
 */
export function eventObject(draft: EventDraft, identity: string = draft.deliveryId): EventObject {
  const spec: EventObject['spec'] = { project: draft.project, type: draft.type, provider: draft.provider };
  const revision = compactRevision(draft.revision);
  if (revision) spec.revision = revision;
  if (draft.payload !== undefined && draft.payload !== '') spec.payload = draft.payload;
  return {
    apiVersion: API_VERSION,
    kind: KINDS.Event.kind,
    metadata: {
      name: eventName({ ...draft, deliveryId: identity }),
      namespace: draft.namespace,
      labels: { [LABELS.project]: draft.project, [LABELS.component]: 'gateway' },
      annotations: {
        [GATEWAY_ANNOTATIONS.intake]: draft.intake,
        [GATEWAY_ANNOTATIONS.deliveryId]: boundedAnnotation(draft.deliveryId),
        ...(draft.bodyDigest ? { [GATEWAY_ANNOTATIONS.bodyDigest]: draft.bodyDigest } : {}),
      },
    },
    spec,
  };
}

// The CRD allows 253 characters; the gateway also keeps out characters no events.on name would use.
const EVENT_TYPE = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,252}$/;
const COMMIT = /^[0-9a-fA-F]{4,64}$/;

/** Event types are matched against `events.on(...)` names: printable, bounded, no spaces. */
export function isValidEventType(type: string): boolean {
  return EVENT_TYPE.test(type);
}

export function isValidCommit(commit: string): boolean {
  return COMMIT.test(commit);
}

export function isValidRef(ref: string): boolean {
  // git check-ref-format forbids control characters, spaces and a few specials; a bound keeps specs small.
  return ref.length > 0 && ref.length <= 255 && !/[\x00-\x20\x7f~^:?*[\\]/.test(ref);
}
