// Small helpers for object metadata shared by the store's parts.

import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, ObjectMeta } from '../types.ts';

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function timestamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function newUid(): string {
  return randomUUID();
}

// The alphabet of apiserver's generateName suffixes (no vowels, no confusable characters).
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function generateNameSuffix(random: () => number = Math.random): string {
  let out = '';
  for (let i = 0; i < 5; i++) out += SUFFIX_ALPHABET[Math.floor(random() * SUFFIX_ALPHABET.length)];
  return out;
}

export function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/** Everything but metadata, status, apiVersion and kind: what a generation bump is about. */
export function specPart(obj: KubeObject): Record<string, unknown> {
  const { metadata, status, apiVersion, kind, ...rest } = obj;
  return rest;
}

export function specChanged(a: KubeObject, b: KubeObject): boolean {
  return !isDeepStrictEqual(specPart(a), specPart(b));
}

/** Equal apart from resourceVersion and managedFields: such an update writes nothing. */
export function sameContent(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): KubeObject => {
    const { resourceVersion, managedFields, ...meta } = o.metadata;
    return { ...o, metadata: meta };
  };
  return isDeepStrictEqual(strip(a), strip(b));
}

export function isBeingDeleted(obj: KubeObject): boolean {
  return Boolean(obj.metadata.deletionTimestamp);
}

// Admission gives every object a name and a uid before anything stores or defaults it; these read
// them where that holds, and fail loudly rather than file an object under "undefined".

/** metadata.name of an admitted (or stored) object. */
export function nameOf(obj: KubeObject): string {
  const name = obj.metadata.name;
  if (!name) throw new Error(`${obj.kind} without metadata.name after admission`);
  return name;
}

/** metadata.uid of an admitted (or stored) object. */
export function uidOf(obj: KubeObject): string {
  const uid = obj.metadata.uid;
  if (!uid) throw new Error(`${obj.kind} ${obj.metadata.name ?? ''} without metadata.uid after admission`);
  return uid;
}

/**
 * The metadata of a request body. KubeObject promises metadata, but a body is client JSON decoded
 * before checkTypeMeta has filled it in, so here it may be missing.
 */
export function sentMetadata(body: KubeObject): ObjectMeta | undefined {
  const sent: { metadata?: ObjectMeta } = body;
  return sent.metadata;
}
