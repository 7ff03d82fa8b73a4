// Volumes as directories on the host. A process cannot see a mount at an absolute path without a
// container runtime, so each container gets its own "root" directory under the pod's data dir in
// which every volumeMount's mountPath is a symlink to the volume's directory; the process starts in
// <root>/<workingDir> (or <root>), and SIM_ROOT names the root so scripts can reach mounts. Absolute
// paths such as /mnt/brigade/share are NOT redirected: commands must use relative paths or $SIM_ROOT.

import { existsSync } from 'node:fs';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SimStore } from '../types.ts';
import { GVR, type Container, type KeyToPath, type Pod, type Volume } from './kube-types.ts';
import { fieldRef } from './env.ts';

export class VolumeMountError extends Error {
  override readonly name = 'VolumeMountError';
}

/** Joins a container path under root; normalised as an absolute path, `..` cannot climb above root. */
export function underRoot(root: string, containerPath: string): string {
  return path.join(root, path.posix.normalize(`/${containerPath}`));
}

export function podDir(dataDir: string, pod: Pod): string {
  return path.join(
    dataDir,
    'pods',
    `${pod.metadata.namespace ?? 'default'}_${pod.metadata.name}_${pod.metadata.uid ?? ''}`,
  );
}

async function writeItems(
  dir: string,
  data: Record<string, string>,
  items: KeyToPath[] | undefined,
  mode: number,
): Promise<void> {
  const entries = items
    ? items.filter((i) => i.key in data).map((i) => ({ file: i.path, key: i.key, mode: i.mode ?? mode }))
    : Object.keys(data).map((k) => ({ file: k, key: k, mode }));
  for (const entry of entries) {
    const target = underRoot(dir, entry.file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, data[entry.key], { mode: entry.mode });
  }
}

function objectData(
  store: SimStore,
  kind: 'secret' | 'configmap',
  namespace: string,
  name: string,
): Record<string, string> | undefined {
  const obj = store.get(kind === 'secret' ? GVR.secrets : GVR.configMaps, namespace, name);
  if (!obj) return undefined;
  const data = (obj.data ?? {}) as Record<string, string>;
  if (kind === 'configmap') return data;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

async function projectObject(opts: { store: SimStore; pod: Pod; volume: Volume; dir: string }): Promise<void> {
  const { store, pod, volume, dir } = opts;
  const kind = volume.secret ? 'secret' : 'configmap';
  const source = volume.secret ?? volume.configMap;
  const name = volume.secret?.secretName ?? volume.configMap?.name ?? '';
  const data = objectData(store, kind, pod.metadata.namespace ?? 'default', name);
  if (!data) {
    if (source?.optional) return;
    throw new VolumeMountError(`MountVolume.SetUp failed for volume "${volume.name}" : ${kind} "${name}" not found`);
  }
  await writeItems(dir, data, source?.items, source?.defaultMode ?? 0o644);
}

async function projectDownwardAPI(pod: Pod, volume: Volume, dir: string): Promise<void> {
  const items =
    (volume.downwardAPI as { items?: Array<{ path: string; fieldRef?: { fieldPath: string } }> }).items ?? [];
  const data: Record<string, string> = {};
  for (const item of items) if (item.fieldRef) data[item.path] = fieldRef(pod, item.fieldRef.fieldPath, undefined);
  await writeItems(dir, data, undefined, 0o644);
}

export interface VolumeInput {
  store: SimStore;
  pod: Pod;
  dataDir: string;
}

/** Creates every volume's directory; returns volume name -> host directory. */
export async function prepareVolumes({ store, pod, dataDir }: VolumeInput): Promise<Map<string, string>> {
  const dirs = new Map<string, string>();
  const base = path.join(podDir(dataDir, pod), 'volumes');
  for (const volume of pod.spec.volumes ?? []) {
    if (volume.hostPath) {
      dirs.set(volume.name, volume.hostPath.path);
      continue;
    }
    const dir = volume.persistentVolumeClaim
      ? path.join(dataDir, 'pvc', pod.metadata.namespace ?? 'default', volume.persistentVolumeClaim.claimName)
      : path.join(base, volume.name);
    await mkdir(dir, { recursive: true });
    if (volume.secret || volume.configMap) await projectObject({ store, pod, volume, dir });
    if (volume.downwardAPI) await projectDownwardAPI(pod, volume, dir);
    dirs.set(volume.name, dir);
  }
  return dirs;
}

/** Builds the container's root with its mounts; returns the root and the process's working directory. */
export async function prepareContainerRoot(opts: {
  pod: Pod;
  dataDir: string;
  container: Container;
  volumes: Map<string, string>;
}): Promise<{ root: string; cwd: string }> {
  const { pod, dataDir, container, volumes } = opts;
  const root = path.join(podDir(dataDir, pod), 'containers', container.name, 'root');
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  for (const mount of container.volumeMounts ?? []) {
    const volumeDir = volumes.get(mount.name);
    if (volumeDir === undefined) throw new VolumeMountError(`volumeMount "${mount.name}" names no volume of the pod`);
    const source = mount.subPath ? underRoot(volumeDir, mount.subPath) : volumeDir;
    const target = underRoot(root, mount.mountPath);
    if (target === root) throw new VolumeMountError(`volumeMount "${mount.name}" cannot be mounted at /`);
    await mkdir(path.dirname(target), { recursive: true });
    if (mount.subPath && !existsSync(source)) await mkdir(source, { recursive: true });
    await symlink(source, target);
  }
  const cwd = container.workingDir ? underRoot(root, container.workingDir) : root;
  await mkdir(cwd, { recursive: true });
  return { root, cwd };
}

export async function removePodDir(dataDir: string, pod: Pod): Promise<void> {
  await rm(podDir(dataDir, pod), { recursive: true, force: true });
}
