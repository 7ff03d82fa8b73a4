// Volumes and mounts of the job pod: the source checkout, build storage, the job cache, the docker
// socket and the job's own volumes; plus the PersistentVolumeClaims that must exist for them.
import type { V1PersistentVolumeClaim, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { DEFAULTS } from '../api/defaults.ts';
import { buildStoragePvcName, jobCachePvcName } from '../api/names.ts';
import type { Build, Project } from '../api/types.ts';
import type { EffectiveJob } from './effective.ts';
import { operatorLabels, ownedBy } from './objects.ts';
import { SOURCE_VOLUME } from './source.ts';
import type { SourcePlan } from './source.ts';
import type { RequiredClaim } from './types.ts';

export const BUILD_STORAGE_VOLUME = 'brigade-build-storage';
export const CACHE_VOLUME = 'brigade-cache';
export const DOCKER_SOCKET_VOLUME = 'brigade-docker-socket';

export interface PodVolumes {
  volumes: V1Volume[];
  mounts: V1VolumeMount[];
  claims: RequiredClaim[];
}

interface ClaimOptions {
  name: string;
  namespace?: string;
  size: string;
  storageClassName?: string;
  labels: Record<string, string>;
  owner: ReturnType<typeof ownedBy>;
}

/** ReadWriteMany: the jobs of a build (or builds sharing a cache) may run on different nodes at once. */
function claim(opts: ClaimOptions): V1PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: opts.name,
      namespace: opts.namespace,
      labels: opts.labels,
      ...(opts.owner ? { ownerReferences: opts.owner } : {}),
    },
    spec: {
      accessModes: ['ReadWriteMany'],
      resources: { requests: { storage: opts.size } },
      ...(opts.storageClassName ? { storageClassName: opts.storageClassName } : {}),
    },
  };
}

function buildStorage(eff: EffectiveJob, project: Project, build: Build): PodVolumes {
  const buildName = build.metadata.name ?? '';
  const name = buildStoragePvcName(buildName);
  return {
    volumes: [{ name: BUILD_STORAGE_VOLUME, persistentVolumeClaim: { claimName: name } }],
    mounts: [{ name: BUILD_STORAGE_VOLUME, mountPath: eff.spec.storage?.path ?? DEFAULTS.buildStoragePath }],
    claims: [
      {
        purpose: 'build-storage',
        claim: claim({
          name,
          namespace: build.metadata.namespace,
          size: project.spec.storage?.size ?? DEFAULTS.buildStorageSize,
          storageClassName: project.spec.storage?.storageClassName,
          labels: operatorLabels({ project: build.spec.project, build: buildName }, 'build-storage'),
          owner: ownedBy('Build', build.metadata),
        }),
      },
    ],
  };
}

function cache(eff: EffectiveJob, project: Project): PodVolumes {
  const projectName = project.metadata.name ?? eff.spec.project;
  const name = jobCachePvcName(projectName, eff.spec.name);
  return {
    volumes: [{ name: CACHE_VOLUME, persistentVolumeClaim: { claimName: name } }],
    mounts: [{ name: CACHE_VOLUME, mountPath: eff.spec.cache?.path ?? DEFAULTS.cachePath }],
    claims: [
      {
        purpose: 'cache',
        claim: claim({
          name,
          namespace: project.metadata.namespace,
          size: eff.spec.cache?.size ?? DEFAULTS.cacheSize,
          storageClassName: project.spec.storage?.cache?.storageClassName,
          labels: operatorLabels({ project: projectName }, 'cache'),
          owner: ownedBy('Project', project.metadata),
        }),
      },
    ],
  };
}

function dockerSocket(): PodVolumes {
  return {
    volumes: [{ name: DOCKER_SOCKET_VOLUME, hostPath: { path: DEFAULTS.dockerSocketPath, type: 'Socket' } }],
    mounts: [{ name: DOCKER_SOCKET_VOLUME, mountPath: DEFAULTS.dockerSocketPath }],
    claims: [],
  };
}

function source(eff: EffectiveJob): PodVolumes {
  return {
    volumes: [{ name: SOURCE_VOLUME, emptyDir: {} }],
    mounts: [{ name: SOURCE_VOLUME, mountPath: eff.mountPath }],
    claims: [],
  };
}

function own(eff: EffectiveJob): PodVolumes {
  return {
    volumes: (eff.spec.volumes ?? []).map((v) => structuredClone(v) as unknown as V1Volume),
    mounts: (eff.spec.volumeMounts ?? []).map((m) => structuredClone(m) as unknown as V1VolumeMount),
    claims: [],
  };
}

/** Everything the job mounts; callers have already refused what policy or placement forbids. */
export function podVolumes(eff: EffectiveJob, project: Project, build: Build, plan: SourcePlan): PodVolumes {
  const parts: PodVolumes[] = [
    ...(plan.mode === 'none' ? [] : [source(eff)]),
    ...(eff.spec.storage?.enabled ? [buildStorage(eff, project, build)] : []),
    ...(eff.spec.cache?.enabled ? [cache(eff, project)] : []),
    ...(eff.spec.docker?.enabled ? [dockerSocket()] : []),
    own(eff),
  ];
  return {
    volumes: parts.flatMap((p) => p.volumes),
    mounts: parts.flatMap((p) => p.mounts),
    claims: parts.flatMap((p) => p.claims),
  };
}
