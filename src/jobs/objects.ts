// Labels and owner references of the objects the translation produces.
import type { V1OwnerReference } from '@kubernetes/client-node';
import { API_VERSION, LABELS, MANAGED_BY } from '../api/constants.ts';
import type { ObjectMeta } from '../api/types.ts';

export type Component = 'job' | 'build-storage' | 'cache' | 'job-env' | 'script-fetch';

export interface LabelSource {
  project: string;
  build?: string;
  job?: string;
}

/** The lookup labels every operator-created object carries. */
export function operatorLabels(source: LabelSource, component: Component): Record<string, string> {
  return {
    [LABELS.project]: source.project,
    ...(source.build ? { [LABELS.build]: source.build } : {}),
    ...(source.job ? { [LABELS.job]: source.job } : {}),
    [LABELS.component]: component,
    [LABELS.managedBy]: MANAGED_BY,
  };
}

/** A controller owner reference to a brigade.sh object, or none when its uid is not known yet. */
export function ownedBy(kind: 'Project' | 'Build' | 'Job', meta: ObjectMeta): V1OwnerReference[] | undefined {
  if (!meta.uid || !meta.name) return undefined;
  return [
    { apiVersion: API_VERSION, kind, name: meta.name, uid: meta.uid, controller: true, blockOwnerDeletion: true },
  ];
}
