// A container's environment as the kubelet builds it: envFrom first, then env (later wins), values
// from Secrets/ConfigMaps/the downward API, and $(VAR) references expanded. A missing non-optional
// reference is a CreateContainerConfigError, worded like the real kubelet's.

import type { SimStore } from '../types.ts';
import { GVR, type Container, type EnvVar, type Pod } from './kube-types.ts';

export class ContainerConfigError extends Error {
  override readonly name = 'ContainerConfigError';
}

type Source = 'secret' | 'configmap';

function readData(
  store: SimStore,
  source: Source,
  namespace: string,
  name: string,
): Record<string, string> | undefined {
  const obj = store.get(source === 'secret' ? GVR.secrets : GVR.configMaps, namespace, name);
  if (!obj) return undefined;
  if (source === 'configmap') return { ...(obj.data as Record<string, string> | undefined) };
  const data = (obj.data ?? {}) as Record<string, string>;
  const decoded: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) decoded[key] = Buffer.from(value, 'base64').toString('utf8');
  // stringData is write-only in the real apiserver; honour it in case the store keeps it.
  return { ...decoded, ...(obj.stringData as Record<string, string> | undefined) };
}

function keyRef(
  store: SimStore,
  pod: Pod,
  source: Source,
  ref: { name?: string; key: string; optional?: boolean },
): string | undefined {
  const namespace = pod.metadata.namespace ?? 'default';
  const data = readData(store, source, namespace, ref.name ?? '');
  if (!data) {
    if (ref.optional) return undefined;
    throw new ContainerConfigError(`${source} "${ref.name}" not found`);
  }
  if (!(ref.key in data)) {
    if (ref.optional) return undefined;
    throw new ContainerConfigError(
      `couldn't find key ${ref.key} in ${source === 'secret' ? 'Secret' : 'ConfigMap'} ${namespace}/${ref.name}`,
    );
  }
  return data[ref.key];
}

/** The downward API's plain fields, each read from the pod (and its IP, which the kubelet knows). */
const FIELD_PATHS: Record<string, (pod: Pod, podIP: string | undefined) => string> = {
  'metadata.name': (pod) => pod.metadata.name ?? '',
  'metadata.namespace': (pod) => pod.metadata.namespace ?? 'default',
  'metadata.uid': (pod) => pod.metadata.uid ?? '',
  'spec.nodeName': (pod) => pod.spec.nodeName ?? '',
  'spec.serviceAccountName': (pod) => pod.spec.serviceAccountName ?? 'default',
  'status.podIP': (_pod, podIP) => podIP ?? '',
};

export function fieldRef(pod: Pod, path: string, podIP: string | undefined): string {
  const field = Object.hasOwn(FIELD_PATHS, path) ? FIELD_PATHS[path] : undefined;
  if (field) return field(pod, podIP);
  const label = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (label) return (label[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[label[2]] ?? '';
  throw new ContainerConfigError(`unsupported fieldRef ${path}`);
}

/** Expands $(NAME) from vars; $$ escapes; unknown references stay as written, as upstream. */
export function expandVars(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && name in vars ? vars[name] : match;
  });
}

function envVarValue(
  store: SimStore,
  pod: Pod,
  v: EnvVar,
  env: Record<string, string>,
  podIP?: string,
): string | undefined {
  if (v.valueFrom?.secretKeyRef) return keyRef(store, pod, 'secret', v.valueFrom.secretKeyRef);
  if (v.valueFrom?.configMapKeyRef) return keyRef(store, pod, 'configmap', v.valueFrom.configMapKeyRef);
  if (v.valueFrom?.fieldRef) return fieldRef(pod, v.valueFrom.fieldRef.fieldPath, podIP);
  return expandVars(v.value ?? '', env);
}

export interface EnvInput {
  store: SimStore;
  pod: Pod;
  container: Container;
  podIP?: string;
}

/** The variables the container defines (not the simulator's own, such as PATH). */
export function containerEnv({ store, pod, container, podIP }: EnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  const namespace = pod.metadata.namespace ?? 'default';
  for (const from of container.envFrom ?? []) {
    const ref = from.secretRef ?? from.configMapRef;
    const source: Source = from.secretRef ? 'secret' : 'configmap';
    if (!ref) continue;
    const data = readData(store, source, namespace, ref.name);
    if (!data && !ref.optional) throw new ContainerConfigError(`${source} "${ref.name}" not found`);
    for (const [key, value] of Object.entries(data ?? {})) env[`${from.prefix ?? ''}${key}`] = value;
  }
  for (const v of container.env ?? []) {
    const value = envVarValue(store, pod, v, env, podIP);
    if (value !== undefined) env[v.name] = value;
  }
  return env;
}
