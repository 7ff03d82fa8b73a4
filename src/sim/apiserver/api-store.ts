// The simulator's storage with Kubernetes API semantics: the HTTP layer and in-process users
// (SimStore) both go through it. Deletion, finalizers and garbage collection live in lifecycle.ts,
// lists and watches in reads.ts; this file owns writes and the CRD/namespace bookkeeping around them.

import type { KubeObject } from '../types.ts';
import { admitCreate, admitUpdate } from './admission.ts';
import type { FieldValidation } from './admission.ts';
import {
  compileCrdObject,
  CRD_CLEANUP_FINALIZER,
  defaultCrdSpec,
  establishedStatus,
  validateCrdObject,
} from './crd-adapter.ts';
import {
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  invalid,
  methodNotAllowed,
  notFound,
  STALE_OBJECT,
} from './errors.ts';
import { nameOf, sameContent, sentMetadata, timestamp, uidOf } from './meta.ts';
import { applyPatch } from './patching.ts';
import { managedFieldsEntry, serverSideApply } from './patch/apply.ts';
import { isPlainObject } from './patch/merge.ts';
import type { PatchType } from './patching.ts';
import { apiVersionOf, CRD_GVR, NAMESPACE_GVR, ResourceRegistry, resourceTypesOfCrd, storageKey } from './resources.ts';
import type { ResourceType } from './resources.ts';
import { ObjectStorage } from './storage.ts';

export interface WriteOptions {
  dryRun?: boolean;
  fieldValidation?: FieldValidation;
}

export interface WriteResult {
  object: KubeObject;
  warnings: string[];
}

export interface UpdateOptions extends WriteOptions {
  /** The fieldManager query parameter (required for server-side apply). */
  fieldManager?: string;
  /** Namespace and name from the request path; the body must agree. */
  namespace?: string;
  name?: string;
  subresource?: 'status';
}

export interface ApiStoreOptions {
  watchHistory?: number;
  clock?: () => Date;
  /** Told the uids of objects a committed change may have made garbage or unblocked (see lifecycle.ts). */
  onGarbage?: (uids: string[]) => void;
}

export class ApiStore {
  readonly registry = new ResourceRegistry();
  readonly storage: ObjectStorage;
  readonly clock: () => Date;
  onGarbage: (uids: string[]) => void;

  constructor(opts: ApiStoreOptions = {}) {
    this.storage = new ObjectStorage({ watchHistory: opts.watchHistory ?? 1000 });
    this.clock = opts.clock ?? (() => new Date());
    this.onGarbage = opts.onGarbage ?? (() => {});
  }

  /** The object as served at rt's version (custom resources are stored at one version, conversion None). */
  present(rt: ResourceType, obj: KubeObject): KubeObject {
    if (rt.codec) return rt.codec.fromStored(obj);
    const copy = structuredClone(obj);
    copy.apiVersion = apiVersionOf(rt);
    return copy;
  }

  resolveNamespace(rt: ResourceType, pathNamespace: string | undefined, body: KubeObject): string | undefined {
    if (!rt.namespaced) return undefined;
    const fromBody = sentMetadata(body)?.namespace;
    if (pathNamespace && fromBody && fromBody !== pathNamespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const ns = pathNamespace ?? fromBody;
    if (!ns)
      throw badRequest(`an empty namespace may not be set during creation of namespaced resource ${rt.resource}`);
    return ns;
  }

  /** 404 for a missing namespace; 403 for new content in a terminating one. */
  checkNamespaceForCreate(rt: ResourceType, namespace: string, name: string): void {
    const ns = this.storage.peek(storageKey(NAMESPACE_GVR), undefined, namespace);
    if (!ns) throw notFound({ group: '', resource: 'namespaces' }, namespace);
    if (ns.metadata.deletionTimestamp) {
      throw forbidden(
        rt,
        name,
        `unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }

  get(rt: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const found = this.storage.peek(storageKey(rt), rt.namespaced ? namespace : undefined, name);
    if (!found) throw notFound(rt, name);
    return this.present(rt, found);
  }

  create(rt: ResourceType, body: KubeObject, opts: WriteOptions & { namespace?: string } = {}): WriteResult {
    const warnings: string[] = [];
    const ctx = { rt, now: this.clock(), fieldValidation: opts.fieldValidation ?? 'Warn', warnings };
    const namespace = this.resolveNamespace(rt, opts.namespace, body);
    const withNs = structuredClone(body);
    if (namespace) withNs.metadata = { ...sentMetadata(withNs), namespace };
    else delete sentMetadata(withNs)?.namespace;
    const admitted = admitCreate(ctx, withNs);
    const obj = rt.codec ? rt.codec.toStored(admitted) : admitted;
    if (namespace) this.checkNamespaceForCreate(rt, namespace, nameOf(obj));
    this.#checkCrdNotTerminating(rt);
    if (this.storage.peek(storageKey(rt), namespace, nameOf(obj))) throw alreadyExists(rt, nameOf(obj));
    const crdTypes = this.#beforeCrdWrite(rt, obj, undefined);
    if (opts.dryRun) return { object: this.present(rt, obj), warnings };
    const stored = this.storage.commit(storageKey(rt), 'ADDED', obj);
    if (crdTypes) this.registry.setCrd(nameOf(stored), crdTypes);
    if (stored.metadata.ownerReferences?.length) this.onGarbage([uidOf(stored)]);
    if (rt.group === '' && rt.resource === 'namespaces') this.#createDefaultServiceAccount(nameOf(stored));
    return { object: this.present(rt, stored), warnings };
  }

  update(rt: ResourceType, body: KubeObject, opts: UpdateOptions = {}): WriteResult {
    const old = this.#storedForUpdate(rt, body, opts);
    const warnings: string[] = [];
    const ctx = { rt, now: this.clock(), fieldValidation: opts.fieldValidation ?? 'Warn', warnings };
    const oldView = rt.codec ? rt.codec.fromStored(old) : old;
    const admitted = admitUpdate(ctx, {
      old: oldView,
      body,
      ...(opts.subresource ? { subresource: opts.subresource } : {}),
    });
    const next = rt.codec ? rt.codec.toStored(admitted) : admitted;
    const crdTypes = this.#beforeCrdWrite(rt, next, old);
    next.metadata.resourceVersion = old.metadata.resourceVersion;
    if (sameContent(old, next) || opts.dryRun)
      return { object: this.present(rt, sameContent(old, next) ? old : next), warnings };
    return { object: this.present(rt, this.commitUpdate(rt, old, next, crdTypes)), warnings };
  }

  /** The stored object an update replaces: the body's name, namespace and resourceVersion must agree with it. */
  #storedForUpdate(rt: ResourceType, body: KubeObject, opts: UpdateOptions): KubeObject {
    const sent = sentMetadata(body);
    const name = opts.name ?? sent?.name;
    if (!name) throw badRequest('name is required');
    if (sent?.name && sent.name !== name) {
      throw badRequest(`the name of the object (${sent.name}) does not match the name on the URL (${name})`);
    }
    const namespace = rt.namespaced ? this.resolveNamespace(rt, opts.namespace, body) : undefined;
    const old = this.storage.peek(storageKey(rt), namespace, name);
    if (!old) throw notFound(rt, name);
    const bodyRv = sent?.resourceVersion;
    if (bodyRv && bodyRv !== old.metadata.resourceVersion) throw conflict(rt, name, STALE_OBJECT);
    return old;
  }

  /** Stores an admitted update; a deleting object that lost its last finalizer goes away. */
  commitUpdate(rt: ResourceType, old: KubeObject, next: KubeObject, crdTypes?: ResourceType[]): KubeObject {
    const key = storageKey(rt);
    // Like the real registry: deleting with no finalizers left and no grace period still running.
    if (
      next.metadata.deletionTimestamp &&
      !next.metadata.finalizers?.length &&
      !next.metadata.deletionGracePeriodSeconds
    ) {
      const gone = this.storage.commit(key, 'DELETED', next, old);
      this.afterRemoval(rt, gone);
      return gone;
    }
    const stored = this.storage.commit(key, 'MODIFIED', next, old);
    if (crdTypes) this.registry.setCrd(nameOf(stored), crdTypes);
    const ownersChanged =
      JSON.stringify(old.metadata.ownerReferences) !== JSON.stringify(stored.metadata.ownerReferences);
    const finalizersChanged = JSON.stringify(old.metadata.finalizers) !== JSON.stringify(stored.metadata.finalizers);
    if (ownersChanged || (stored.metadata.deletionTimestamp && finalizersChanged)) this.onGarbage([uidOf(stored)]);
    return stored;
  }

  /**
   * Bookkeeping after an object left storage: CRD types disappear; its dependents may be garbage;
   * owners deleting in the foreground, a terminating namespace or CRD may now be unblocked.
   */
  afterRemoval(rt: ResourceType, removed: KubeObject): void {
    if (rt.group === 'apiextensions.k8s.io' && rt.resource === 'customresourcedefinitions') {
      const types = this.registry.crdTypes(nameOf(removed));
      this.registry.removeCrd(nameOf(removed));
      const first = types.at(0);
      if (first) this.storage.dropStorage(storageKey(first));
    }
    const uids = [uidOf(removed), ...(removed.metadata.ownerReferences ?? []).map((r) => r.uid)];
    const ns = removed.metadata.namespace
      ? this.storage.peek(storageKey(NAMESPACE_GVR), undefined, removed.metadata.namespace)
      : undefined;
    if (ns?.metadata.deletionTimestamp) uids.push(uidOf(ns));
    const crd = rt.crd ? this.storage.peek(storageKey(CRD_GVR), undefined, rt.crd.name) : undefined;
    if (crd?.metadata.deletionTimestamp) uids.push(uidOf(crd));
    this.onGarbage(uids);
  }

  patch(
    rt: ResourceType,
    target: { namespace?: string; name: string },
    patch: { type: PatchType; body: unknown },
    opts: UpdateOptions = {},
  ): WriteResult {
    const stored = this.storage.peek(storageKey(rt), rt.namespaced ? target.namespace : undefined, target.name);
    if (patch.type === 'apply') return this.#apply(rt, target, stored, patch.body, opts);
    if (!stored) throw notFound(rt, target.name);
    const current = this.present(rt, stored);
    const result = applyPatch(current, patch);
    if (result === null || typeof result !== 'object' || Array.isArray(result))
      throw badRequest('patch did not produce an object');
    const patched = result as KubeObject;
    if (!sentMetadata(patched)) patched.metadata = {};
    return this.update(rt, patched, {
      ...opts,
      name: target.name,
      ...(target.namespace ? { namespace: target.namespace } : {}),
    });
  }

  /** Binds a pod to a node (core/v1 Binding), as the scheduler does through pods/{name}/binding. */
  bind(namespace: string, binding: KubeObject): KubeObject {
    const podType = this.registry.builtin({ group: '', version: 'v1', resource: 'pods' });
    const name = sentMetadata(binding)?.name ?? '';
    const target = (binding['target'] ?? {}) as { name?: string; kind?: string };
    if (!target.name) {
      throw invalid({
        group: '',
        kind: 'Binding',
        name,
        errors: [{ reason: 'FieldValueRequired', field: 'target.name', message: 'target.name: Required value' }],
      });
    }
    const old = this.storage.peek(storageKey(podType), namespace, name);
    if (!old) throw notFound(podType, name);
    const uid = sentMetadata(binding)?.uid;
    if (uid && uid !== old.metadata.uid)
      throw conflict(
        { group: '', resource: 'pods/binding' },
        name,
        `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${old.metadata.uid}`,
      );
    const spec = (old['spec'] ?? {}) as Record<string, unknown> & { nodeName?: string };
    if (spec.nodeName) {
      throw conflict(
        { group: '', resource: 'pods/binding' },
        name,
        `pod ${name} is already assigned to node "${spec.nodeName}"`,
      );
    }
    if (old.metadata.deletionTimestamp)
      throw conflict(
        { group: '', resource: 'pods/binding' },
        name,
        `pod ${name} is being deleted, cannot be assigned to a host`,
      );
    const next = structuredClone(old);
    next['spec'] = { ...spec, nodeName: target.name };
    const status = (next['status'] ?? {}) as Record<string, unknown>;
    const conditions = (Array.isArray(status['conditions']) ? status['conditions'] : []) as Array<
      Record<string, unknown>
    >;
    next['status'] = {
      ...status,
      conditions: [
        ...conditions.filter((c) => c['type'] !== 'PodScheduled'),
        { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp(this.clock()) },
      ],
    };
    this.commitUpdate(podType, old, next);
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
  }

  /** Every namespace has a `default` ServiceAccount, as the real serviceaccounts controller ensures. */
  #createDefaultServiceAccount(namespace: string): void {
    const saType = this.registry.builtin({ group: '', version: 'v1', resource: 'serviceaccounts' });
    if (this.storage.peek(storageKey(saType), namespace, 'default')) return;
    this.create(saType, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } });
  }

  /** Server-side apply (see patch/apply.ts): creates the object, or merges the manager's configuration. */
  #apply(
    rt: ResourceType,
    target: { namespace?: string; name: string },
    stored: KubeObject | undefined,
    body: unknown,
    opts: UpdateOptions,
  ): WriteResult {
    if (!isPlainObject(body)) throw badRequest('error decoding patch: the applied configuration must be an object');
    const applied = body as KubeObject;
    applied.metadata = { ...sentMetadata(applied), name: sentMetadata(applied)?.name ?? target.name };
    const manager = opts.fieldManager;
    if (!manager) {
      throw invalid({
        group: 'meta.k8s.io',
        kind: 'PatchOptions',
        name: '',
        errors: [
          {
            reason: 'FieldValueRequired',
            field: 'fieldManager',
            message: 'fieldManager: Required value: is required for apply patch',
          },
        ],
      });
    }
    const now = timestamp(this.clock());
    const where = target.namespace ? { namespace: target.namespace } : {};
    if (!stored) {
      const withFields = {
        ...applied,
        metadata: { ...applied.metadata, managedFields: [managedFieldsEntry(applied, manager, now)] },
      };
      return this.create(rt, withFields, { ...opts, ...where });
    }
    const merged = serverSideApply(this.present(rt, stored), applied, manager, now);
    return this.update(rt, merged, { ...opts, name: target.name, ...where });
  }

  #checkCrdNotTerminating(rt: ResourceType): void {
    if (!rt.crd) return;
    const crd = this.storage.peek('customresourcedefinitions.apiextensions.k8s.io', undefined, rt.crd.name);
    if (crd?.metadata.deletionTimestamp) {
      throw methodNotAllowed('create not allowed while custom resource definition is terminating');
    }
  }

  /** For CRD objects: default, validate, compile and set the established status; returns the types to register. */
  #beforeCrdWrite(rt: ResourceType, obj: KubeObject, old: KubeObject | undefined): ResourceType[] | undefined {
    if (rt.group !== 'apiextensions.k8s.io' || rt.resource !== 'customresourcedefinitions') return undefined;
    defaultCrdSpec(obj);
    const errors = validateCrdObject(obj, old);
    if (errors.length) throw invalid({ group: rt.group, kind: rt.kind, name: obj.metadata.name ?? '', errors });
    const compiled = compileCrdObject(obj);
    this.#checkNameConflicts(compiled.group, compiled.names.plural, nameOf(obj));
    if (!old) obj.metadata.finalizers = [...new Set([...(obj.metadata.finalizers ?? []), CRD_CLEANUP_FINALIZER])];
    if (!obj.metadata.deletionTimestamp) obj['status'] = establishedStatus(obj, compiled, this.clock());
    return resourceTypesOfCrd(compiled);
  }

  #checkNameConflicts(group: string, plural: string, crdName: string): void {
    if (crdName !== `${plural}.${group}`) return; // validateCrd reports the mismatch
    const builtin = this.registry.all().find((t) => !t.crd && t.group === group && t.resource === plural);
    if (builtin) throw badRequest(`the resource ${plural}.${group} is served by the API server itself`);
  }
}
