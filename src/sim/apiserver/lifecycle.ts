// Deletion semantics: finalizers and deletionTimestamp, propagation policies, and the garbage
// collector that follows ownerReferences, terminates namespaces and cleans up a deleted CRD's
// objects. Like the real controllers, collection runs asynchronously after the change that caused it.

import type { DeleteOptions, KubeObject } from '../types.ts';
import type { ApiStore } from './api-store.ts';
import { CRD_CLEANUP_FINALIZER, terminatingStatus } from './crd-adapter.ts';
import { conflict, notFound } from './errors.ts';
import { nameOf, timestamp, uidOf } from './meta.ts';
import { CRD_GVR, NAMESPACE_GVR, storageKey } from './resources.ts';
import type { ResourceType } from './resources.ts';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

export interface DeleteRequest extends DeleteOptions {
  dryRun?: boolean;
}

function checkPreconditions(rt: ResourceType, obj: KubeObject, pre: DeleteOptions['preconditions']): void {
  const name = nameOf(obj);
  if (pre?.uid && pre.uid !== obj.metadata.uid) {
    throw conflict(
      rt,
      name,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`,
    );
  }
  if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
    throw conflict(
      rt,
      name,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ` +
        `ResourceVersion in object meta: ${obj.metadata.resourceVersion}`,
    );
  }
}

function isNamespaceType(rt: ResourceType): boolean {
  return rt.group === '' && rt.resource === 'namespaces';
}

/** Deletes an object or marks it for deletion; returns the object as it is after the call. */
export function deleteObject(
  store: ApiStore,
  rt: ResourceType,
  target: { namespace?: string; name: string },
  opts: DeleteRequest = {},
): KubeObject {
  const namespace = rt.namespaced ? target.namespace : undefined;
  const old = store.storage.peek(storageKey(rt), namespace, target.name);
  if (!old) throw notFound(rt, target.name);
  checkPreconditions(rt, old, opts.preconditions);
  const next = structuredClone(old);
  const finalizers = finalizersAfterDelete(old, opts.propagationPolicy ?? defaultPropagation(rt));
  if (isNamespaceType(rt)) markNamespaceTerminating(next);
  if (finalizers.size === 0 && !isNamespaceType(rt)) {
    if (opts.dryRun) return store.present(rt, old);
    const gone = store.storage.commit(storageKey(rt), 'DELETED', next, old);
    store.afterRemoval(rt, gone);
    return store.present(rt, gone);
  }
  if (old.metadata.deletionTimestamp && finalizers.size === (old.metadata.finalizers ?? []).length)
    return store.present(rt, old);
  return markDeleting(store, rt, old, { next, finalizers, dryRun: opts.dryRun });
}

/**
 * The propagation of a delete that names none. Upstream keeps the pods of a batch/v1 Job deleted that
 * way (orphans them, for backwards compatibility); everything else is collected in the background.
 */
function defaultPropagation(rt: ResourceType): NonNullable<DeleteOptions['propagationPolicy']> {
  return rt.group === 'batch' && rt.resource === 'jobs' && rt.version === 'v1' ? 'Orphan' : 'Background';
}

/** The finalizers a delete leaves: the first delete adds the propagation policy's own. */
function finalizersAfterDelete(old: KubeObject, policy: NonNullable<DeleteOptions['propagationPolicy']>): Set<string> {
  const finalizers = new Set(old.metadata.finalizers ?? []);
  if (!old.metadata.deletionTimestamp) {
    if (policy === 'Foreground') finalizers.add(FOREGROUND_FINALIZER);
    if (policy === 'Orphan') finalizers.add(ORPHAN_FINALIZER);
  }
  return finalizers;
}

/** Sets deletionTimestamp and the finalizers; the object stays until its finalizers are gone. */
function markDeleting(
  store: ApiStore,
  rt: ResourceType,
  old: KubeObject,
  change: { next: KubeObject; finalizers: Set<string>; dryRun: boolean | undefined },
): KubeObject {
  const { next, finalizers } = change;
  next.metadata.finalizers = [...finalizers];
  next.metadata.deletionTimestamp ??= timestamp(store.clock());
  next.metadata.deletionGracePeriodSeconds ??= 0;
  if (rt.group === CRD_GVR.group && rt.resource === CRD_GVR.resource)
    next['status'] = terminatingStatus(next, store.clock());
  if (next.metadata.finalizers.length === 0) delete next.metadata.finalizers;
  if (change.dryRun) return store.present(rt, next);
  const stored = store.storage.commit(storageKey(rt), 'MODIFIED', next, old);
  store.onGarbage([uidOf(stored)]);
  return store.present(rt, stored);
}

function markNamespaceTerminating(ns: KubeObject): void {
  ns['status'] = { ...(ns['status'] as object | undefined), phase: 'Terminating' };
}

/**
 * Collects around one object: if it exists, acts on its deletion finalizers and its owners; if it is
 * gone, its dependents are checked (they may have lost their last owner).
 */
export function collectUid(store: ApiStore, uid: string): void {
  const found = store.storage.byUid(uid);
  if (!found) {
    for (const dependent of store.storage.dependentUids(uid)) {
      const dep = store.storage.byUid(dependent);
      const rt = dep ? typeOfStorage(store, dep.storage) : undefined;
      if (dep && rt) collectIfOrphaned(store, rt, dep.object);
    }
    return;
  }
  const rt = typeOfStorage(store, found.storage);
  if (rt) collectObject(store, rt, found.object);
}

function typeOfStorage(store: ApiStore, storage: string): ResourceType | undefined {
  return store.registry.all().find((rt) => !rt.virtual && storageKey(rt) === storage);
}

function uniqueStorageTypes(store: ApiStore): ResourceType[] {
  const seen = new Map<string, ResourceType>();
  for (const rt of store.registry.all()) if (!rt.virtual && !seen.has(storageKey(rt))) seen.set(storageKey(rt), rt);
  return [...seen.values()];
}

function collectObject(store: ApiStore, rt: ResourceType, obj: KubeObject): boolean {
  let changed = false;
  if (obj.metadata.deletionTimestamp) {
    const finalizers = obj.metadata.finalizers ?? [];
    if (finalizers.includes(ORPHAN_FINALIZER)) changed = orphanDependents(store, obj) || changed;
    if (finalizers.includes(FOREGROUND_FINALIZER)) changed = deleteDependentsInForeground(store, obj) || changed;
    if (isNamespaceType(rt)) changed = terminateNamespace(store, obj) || changed;
    if (finalizers.includes(CRD_CLEANUP_FINALIZER)) changed = cleanUpCustomResources(store, obj) || changed;
  }
  if (obj.metadata.ownerReferences?.length) changed = collectIfOrphaned(store, rt, obj) || changed;
  return changed;
}

function dependentsOf(store: ApiStore, owner: KubeObject): Array<{ rt: ResourceType; obj: KubeObject }> {
  const out: Array<{ rt: ResourceType; obj: KubeObject }> = [];
  for (const uid of store.storage.dependentUids(uidOf(owner))) {
    const found = store.storage.byUid(uid);
    const rt = found ? typeOfStorage(store, found.storage) : undefined;
    if (found && rt) out.push({ rt, obj: found.object });
  }
  return out;
}

/** Writes a metadata change made by a controller (no admission beyond what the store enforces). */
function writeMetadata(store: ApiStore, rt: ResourceType, obj: KubeObject, change: (next: KubeObject) => void): void {
  const next = structuredClone(obj);
  change(next);
  if (next.metadata.finalizers?.length === 0) delete next.metadata.finalizers;
  if (next.metadata.ownerReferences?.length === 0) delete next.metadata.ownerReferences;
  store.commitUpdate(rt, obj, next);
}

function removeFinalizer(store: ApiStore, owner: KubeObject, finalizer: string): void {
  const rt = typeForObject(store, owner);
  if (!rt) return;
  writeMetadata(store, rt, owner, (next) => {
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  });
}

function typeForObject(store: ApiStore, obj: KubeObject): ResourceType | undefined {
  const found = obj.metadata.uid ? store.storage.byUid(obj.metadata.uid) : undefined;
  return found ? typeOfStorage(store, found.storage) : undefined;
}

function orphanDependents(store: ApiStore, owner: KubeObject): boolean {
  for (const { rt, obj } of dependentsOf(store, owner)) {
    writeMetadata(store, rt, obj, (next) => {
      next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid);
    });
  }
  removeFinalizer(store, owner, ORPHAN_FINALIZER);
  return true;
}

function deleteDependentsInForeground(store: ApiStore, owner: KubeObject): boolean {
  const dependents = dependentsOf(store, owner);
  let changed = false;
  for (const { rt, obj } of dependents) {
    if (obj.metadata.deletionTimestamp) continue;
    deleteObject(
      store,
      rt,
      { namespace: obj.metadata.namespace, name: nameOf(obj) },
      { propagationPolicy: 'Foreground' },
    );
    changed = true;
  }
  const blocking = dependentsOf(store, owner).filter(({ obj }) =>
    obj.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid && r.blockOwnerDeletion),
  );
  if (blocking.length === 0) {
    const current = store.storage.byUid(uidOf(owner))?.object;
    if (current) removeFinalizer(store, current, FOREGROUND_FINALIZER);
    return true;
  }
  return changed;
}

/** Background collection: a dependent whose owners are all gone is deleted; dangling references are dropped. */
function collectIfOrphaned(store: ApiStore, rt: ResourceType, obj: KubeObject): boolean {
  const refs = obj.metadata.ownerReferences ?? [];
  const missing = refs.filter((r) => !store.storage.byUid(r.uid));
  if (missing.length === 0) return false;
  if (missing.length === refs.length) {
    if (obj.metadata.deletionTimestamp) return false;
    deleteObject(
      store,
      rt,
      { namespace: obj.metadata.namespace, name: nameOf(obj) },
      { propagationPolicy: 'Background' },
    );
    return true;
  }
  writeMetadata(store, rt, obj, (next) => {
    next.metadata.ownerReferences = refs.filter((r) => !missing.includes(r));
  });
  return true;
}

function terminateNamespace(store: ApiStore, ns: KubeObject): boolean {
  const name = nameOf(ns);
  let remaining = 0;
  let changed = false;
  for (const rt of uniqueStorageTypes(store)) {
    if (!rt.namespaced) continue;
    for (const obj of store.storage.scan(storageKey(rt), name)) {
      remaining++;
      if (obj.metadata.deletionTimestamp) continue;
      deleteObject(store, rt, { namespace: name, name: nameOf(obj) }, {});
      changed = true;
    }
  }
  // Objects with finalizers keep the namespace until their controllers let them go.
  if (remaining > 0) return changed;
  const nsType = store.registry.builtin(NAMESPACE_GVR);
  const current = store.storage.peek(storageKey(nsType), undefined, name);
  if (!current) throw new Error(`namespace ${name} vanished while it was being terminated`);
  const next = structuredClone(current);
  next['spec'] = { ...(next['spec'] as object), finalizers: [] };
  if (next.metadata.finalizers?.length) {
    store.commitUpdate(nsType, current, next);
  } else {
    const gone = store.storage.commit(storageKey(nsType), 'DELETED', next, current);
    store.afterRemoval(nsType, gone);
  }
  return true;
}

function cleanUpCustomResources(store: ApiStore, crd: KubeObject): boolean {
  const types = store.registry.crdTypes(nameOf(crd));
  const first = types.at(0);
  if (!first) {
    removeFinalizer(store, crd, CRD_CLEANUP_FINALIZER);
    return true;
  }
  const objects = store.storage.scan(storageKey(first));
  let changed = false;
  for (const obj of objects) {
    if (obj.metadata.deletionTimestamp) continue;
    deleteObject(store, first, { namespace: obj.metadata.namespace, name: nameOf(obj) }, {});
    changed = true;
  }
  if (objects.length > 0) return changed;
  removeFinalizer(store, crd, CRD_CLEANUP_FINALIZER);
  return true;
}
