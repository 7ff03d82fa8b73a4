/**
 * Host-side validation of the job a script asked for. The guest's brigadier converts a Job into plain
 * data, but the guest is untrusted, so every field is checked and rebuilt here into a fresh object.
 */
import { DEFAULT_JOB_IMAGE, JOB_NAME_MAX_LENGTH } from './defaults.ts';
import type { FieldRef, JobEnvValue, JobRequest, KeyRef } from './types.ts';

export class JobRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobRequestError';
  }
}

/** brigadier 1.5's rule: `1-build` and `build.v1` are valid (Kubernetes names derive from it). */
const JOB_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const DEFAULT_TIMEOUT_MS = 15 * 60 * 1000;

export function isValidJobName(name: string): boolean {
  return name.length >= 1 && name.length <= JOB_NAME_MAX_LENGTH && JOB_NAME.test(name);
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown, field: string, fallback?: string): string {
  if (v === undefined || v === null || v === '') {
    if (fallback !== undefined) return fallback;
    throw new JobRequestError(`${field} is required`);
  }
  if (typeof v !== 'string') throw new JobRequestError(`${field} must be a string`);
  return v;
}

function optStr(v: unknown, field: string): string | undefined {
  return v === undefined || v === null || v === '' ? undefined : str(v, field);
}

function bool(v: unknown, field: string, fallback: boolean): boolean {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw new JobRequestError(`${field} must be a boolean`);
  return v;
}

function strings(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) {
    throw new JobRequestError(`${field} must be an array of strings`);
  }
  return [...v];
}

function stringMap(v: unknown, field: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (v === undefined || v === null) return out;
  if (!isObj(v)) throw new JobRequestError(`${field} must be an object of strings`);
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') throw new JobRequestError(`${field}.${k} must be a string`);
    out[k] = val;
  }
  return out;
}

function keyRef(v: unknown, field: string): KeyRef {
  if (!isObj(v)) throw new JobRequestError(`${field} must be {name, key}`);
  return { name: str(v['name'], `${field}.name`), key: str(v['key'], `${field}.key`) };
}

/** The pod fields Kubernetes' downward API offers to env (validated again by the API server). */
const FIELD_PATH =
  /^(metadata\.(name|namespace|uid)|metadata\.(labels|annotations)\['[^']{1,316}'\]|spec\.(nodeName|serviceAccountName)|status\.(hostIP|hostIPs|podIP|podIPs))$/;

function fieldRef(v: unknown, field: string): FieldRef {
  if (!isObj(v)) throw new JobRequestError(`${field} must be {fieldPath}`);
  const fieldPath = str(v['fieldPath'], `${field}.fieldPath`);
  if (!FIELD_PATH.test(fieldPath)) {
    throw new JobRequestError(
      `${field}.fieldPath "${fieldPath.slice(0, 64)}" is not a pod field the downward API offers (metadata.name, metadata.namespace, metadata.uid, metadata.labels['k'], metadata.annotations['k'], spec.nodeName, spec.serviceAccountName, status.hostIP, status.podIP)`,
    );
  }
  const apiVersion = optStr(v['apiVersion'], `${field}.apiVersion`);
  return { fieldPath, ...(apiVersion === undefined ? {} : { apiVersion }) };
}

function envValue(v: unknown, field: string): JobEnvValue {
  if (typeof v === 'string') return v;
  if (isObj(v) && Object.keys(v).length === 1) {
    if ('secretKeyRef' in v) return { secretKeyRef: keyRef(v['secretKeyRef'], `${field}.secretKeyRef`) };
    if ('configMapKeyRef' in v) return { configMapKeyRef: keyRef(v['configMapKeyRef'], `${field}.configMapKeyRef`) };
    if ('fieldRef' in v) return { fieldRef: fieldRef(v['fieldRef'], `${field}.fieldRef`) };
  }
  throw new JobRequestError(
    `${field} must be a string, {secretKeyRef: {name, key}}, {configMapKeyRef: {name, key}} or {fieldRef: {fieldPath}}`,
  );
}

function env(v: unknown): Record<string, JobEnvValue> {
  const out: Record<string, JobEnvValue> = {};
  if (v === undefined || v === null) return out;
  if (!isObj(v)) throw new JobRequestError('env must be an object');
  for (const [k, val] of Object.entries(v)) out[k] = envValue(val, `env.${k}`);
  return out;
}

function timeoutMs(v: unknown): number {
  if (v === undefined || v === null) return DEFAULT_TIMEOUT_MS;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new JobRequestError('timeout must be a positive number of milliseconds');
  }
  return Math.ceil(v);
}

function objects(v: unknown, field: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every(isObj)) throw new JobRequestError(`${field} must be an array of objects`);
  return structuredClone(v);
}

function sub(v: unknown): Obj {
  return isObj(v) ? v : {};
}

function resources(v: unknown, field: string): { cpu?: string; memory?: string } {
  const o = sub(v);
  const cpu = optStr(o['cpu'], `${field}.cpu`);
  const memory = optStr(o['memory'], `${field}.memory`);
  return { ...(cpu === undefined ? {} : { cpu }), ...(memory === undefined ? {} : { memory }) };
}

/** Validates the guest's job data and returns a fresh JobRequest with Brigade's defaults applied. */
export function normalizeJobRequest(raw: unknown): JobRequest {
  if (!isObj(raw)) throw new JobRequestError('job must be an object');
  const name = str(raw['name'], 'name');
  if (!isValidJobName(name)) throw new JobRequestError(`invalid job name "${name.slice(0, 64)}"`);
  const image = optStr(raw['image'], 'image');
  const host = sub(raw['host']);
  const cache = sub(raw['cache']);
  const storage = sub(raw['storage']);
  const os = optStr(host['os'], 'host.os');
  const hostName = optStr(host['name'], 'host.name');
  const serviceAccount = optStr(raw['serviceAccount'], 'serviceAccount');
  return {
    name,
    image: image ?? DEFAULT_JOB_IMAGE,
    imageDefaulted: image === undefined,
    imageForcePull: bool(raw['imageForcePull'], 'imageForcePull', false),
    imagePullSecrets: strings(raw['imagePullSecrets'], 'imagePullSecrets'),
    tasks: strings(raw['tasks'], 'tasks'),
    shell: str(raw['shell'], 'shell', '/bin/sh'),
    args: strings(raw['args'], 'args'),
    env: env(raw['env']),
    mountPath: str(raw['mountPath'], 'mountPath', '/src'),
    timeout: timeoutMs(raw['timeout']),
    useSource: bool(raw['useSource'], 'useSource', true),
    privileged: bool(raw['privileged'], 'privileged', false),
    host: {
      ...(os === undefined ? {} : { os }),
      ...(hostName === undefined ? {} : { name: hostName }),
      nodeSelector: stringMap(host['nodeSelector'], 'host.nodeSelector'),
    },
    docker: { enabled: bool(sub(raw['docker'])['enabled'], 'docker.enabled', false) },
    cache: {
      enabled: bool(cache['enabled'], 'cache.enabled', false),
      size: str(cache['size'], 'cache.size', '5Mi'),
      path: str(cache['path'], 'cache.path', '/mnt/brigade/cache'),
    },
    storage: {
      enabled: bool(storage['enabled'], 'storage.enabled', false),
      path: str(storage['path'], 'storage.path', '/mnt/brigade/share'),
    },
    ...(serviceAccount === undefined ? {} : { serviceAccount }),
    annotations: stringMap(raw['annotations'], 'annotations'),
    resourceRequests: resources(raw['resourceRequests'], 'resourceRequests'),
    resourceLimits: resources(raw['resourceLimits'], 'resourceLimits'),
    volumes: objects(raw['volumes'], 'volumes'),
    volumeMounts: objects(raw['volumeMounts'], 'volumeMounts'),
    streamLogs: bool(raw['streamLogs'], 'streamLogs', false),
  };
}
