// Typed helpers for the custom objects of our group (brigade.sh/v1alpha1). Every method names the
// kind; errors other than the documented "absent"/"exists" outcomes are KubeApiError with the cause.
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { API_VERSION, GROUP, KINDS, VERSION } from '../api/constants.ts';
import type { BrigadeKind } from '../api/constants.ts';
import type { Build, BrigadeEvent, JobCR, Project } from '../api/types.ts';
import { mergePatchOf } from '../util/merge-patch.ts';
import { KubeApiError, isAlreadyExists, isConflict, isNotFound } from './errors.ts';

export interface KindTypes {
  Project: Project;
  Event: BrigadeEvent;
  Build: Build;
  Job: JobCR;
}

export interface ListOptions {
  labelSelector?: string;
}

/** What `updateStatus` does with the object it read: a new status, or undefined for "no write needed". */
export type StatusMutation<T extends { status?: unknown }> = (current: T) => T['status'] | undefined;

const MAX_CONFLICT_RETRIES = 5;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export function resourceOf(kind: BrigadeKind): { group: string; version: string; plural: string } {
  return { group: GROUP, version: VERSION, plural: KINDS[kind].plural };
}

/** The API path of a kind's collection, for informers: /apis/brigade.sh/v1alpha1[/namespaces/ns]/plural. */
export function collectionPath(kind: BrigadeKind, namespace?: string): string {
  const ns = namespace ? `/namespaces/${namespace}` : '';
  return `/apis/${GROUP}/${VERSION}${ns}/${KINDS[kind].plural}`;
}

export class BrigadeObjects {
  readonly #api: CustomObjectsApi;

  constructor(api: CustomObjectsApi) {
    this.#api = api;
  }

  /** The object, or undefined when it does not exist. */
  async get<K extends BrigadeKind>(kind: K, namespace: string, name: string): Promise<KindTypes[K] | undefined> {
    try {
      return (await this.#api.getNamespacedCustomObject({ ...resourceOf(kind), namespace, name })) as KindTypes[K];
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw new KubeApiError(`get ${kind} ${namespace}/${name}`, { cause: err });
    }
  }

  /** Objects of a kind in one namespace, or in all namespaces when namespace is undefined. */
  async list<K extends BrigadeKind>(
    kind: K,
    namespace: string | undefined,
    options: ListOptions = {},
  ): Promise<KindTypes[K][]> {
    try {
      const req = { ...resourceOf(kind), labelSelector: options.labelSelector };
      const list: unknown = namespace
        ? await this.#api.listNamespacedCustomObject({ ...req, namespace })
        : await this.#api.listClusterCustomObject(req);
      return (list as { items?: KindTypes[K][] }).items ?? [];
    } catch (err) {
      throw new KubeApiError(`list ${kind} in ${namespace ?? 'all namespaces'}`, { cause: err });
    }
  }

  /** Creates the object; `existed: true` (and the stored object) when one of that name is already there. */
  async create<K extends BrigadeKind>(kind: K, obj: KindTypes[K]): Promise<{ object: KindTypes[K]; existed: boolean }> {
    const namespace = requireNamespace(obj);
    const body = { ...obj, apiVersion: API_VERSION, kind: KINDS[kind].kind };
    try {
      const created = (await this.#api.createNamespacedCustomObject({
        ...resourceOf(kind),
        namespace,
        body,
      })) as KindTypes[K];
      return { object: created, existed: false };
    } catch (err) {
      if (!isAlreadyExists(err))
        throw new KubeApiError(`create ${kind} ${namespace}/${obj.metadata.name}`, { cause: err });
      const existing = await this.get(kind, namespace, obj.metadata.name ?? '');
      if (!existing)
        throw new KubeApiError(`create ${kind} ${namespace}/${obj.metadata.name} (exists but vanished)`, {
          cause: err,
        });
      return { object: existing, existed: true };
    }
  }

  /** JSON merge patch of the main resource (spec, metadata). */
  async patch<K extends BrigadeKind>(kind: K, namespace: string, name: string, patch: object): Promise<KindTypes[K]> {
    try {
      return (await this.#api.patchNamespacedCustomObject(
        { ...resourceOf(kind), namespace, name, body: patch },
        mergePatch,
      )) as KindTypes[K];
    } catch (err) {
      throw new KubeApiError(`patch ${kind} ${namespace}/${name}`, { cause: err });
    }
  }

  /**
   * JSON merge patch of the status subresource. Without a resourceVersion it is last-writer-wins,
   * which is right for a controller that owns the whole status; pass `resourceVersion` to make it
   * conditional (a 409 then means someone changed the object since it was read).
   */
  async patchStatus<K extends BrigadeKind>(
    kind: K,
    namespace: string,
    name: string,
    status: KindTypes[K]['status'],
    resourceVersion?: string,
  ): Promise<KindTypes[K]> {
    const body = { status, ...(resourceVersion ? { metadata: { resourceVersion } } : {}) };
    try {
      return (await this.#api.patchNamespacedCustomObjectStatus(
        { ...resourceOf(kind), namespace, name, body },
        mergePatch,
      )) as KindTypes[K];
    } catch (err) {
      throw new KubeApiError(`patch status of ${kind} ${namespace}/${name}`, { cause: err });
    }
  }

  /**
   * Writes `status` over the object as it was read: a conditional merge patch (its resourceVersion) of
   * only what changed, removed members included. One request, no read; a 409 means the object changed
   * since `current` was read. Returns the object as written, or `current` when nothing changed.
   */
  async writeStatus<K extends BrigadeKind>(
    kind: K,
    current: KindTypes[K],
    status: NonNullable<KindTypes[K]['status']>,
  ): Promise<KindTypes[K]> {
    const diff = mergePatchOf(current.status, status);
    if (!diff) return current;
    return this.patchStatus(
      kind,
      requireNamespace(current),
      current.metadata.name ?? '',
      diff,
      current.metadata.resourceVersion,
    );
  }

  /** Replaces the status (PUT, with the object's resourceVersion: a 409 means it changed meanwhile). */
  async replaceStatus<K extends BrigadeKind>(kind: K, obj: KindTypes[K]): Promise<KindTypes[K]> {
    const namespace = requireNamespace(obj);
    const name = obj.metadata.name ?? '';
    try {
      return (await this.#api.replaceNamespacedCustomObjectStatus({
        ...resourceOf(kind),
        namespace,
        name,
        body: obj,
      })) as KindTypes[K];
    } catch (err) {
      throw new KubeApiError(`replace status of ${kind} ${namespace}/${name}`, { cause: err });
    }
  }

  /**
   * Read-modify-write of the status with optimistic concurrency: on a 409 it reads again and re-applies
   * `mutate`, up to 5 times. Returns undefined when the object is gone or `mutate` wanted no write.
   */
  async updateStatus<K extends BrigadeKind>(
    kind: K,
    namespace: string,
    name: string,
    mutate: StatusMutation<KindTypes[K]>,
  ): Promise<KindTypes[K] | undefined> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.get(kind, namespace, name);
      if (!current) return undefined;
      const status = mutate(current);
      if (status === undefined) return undefined;
      try {
        return await this.replaceStatus(kind, { ...current, status });
      } catch (err) {
        const cause = (err as { cause?: unknown }).cause;
        if (!isConflict(cause) || attempt >= MAX_CONFLICT_RETRIES) throw err;
      }
    }
  }

  /** Deletes the object; false when it was already gone. */
  async delete(
    kind: BrigadeKind,
    namespace: string,
    name: string,
    propagationPolicy: 'Foreground' | 'Background' = 'Background',
  ): Promise<boolean> {
    try {
      await this.#api.deleteNamespacedCustomObject({ ...resourceOf(kind), namespace, name, propagationPolicy });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw new KubeApiError(`delete ${kind} ${namespace}/${name}`, { cause: err });
    }
  }
}

function requireNamespace(obj: { metadata: { namespace?: string; name?: string } }): string {
  if (!obj.metadata.namespace)
    throw new TypeError(`object ${obj.metadata.name ?? '(unnamed)'} has no metadata.namespace`);
  return obj.metadata.namespace;
}
