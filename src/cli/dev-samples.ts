// Loads the samples (samples/<name>/*.yaml) and applies them to a cluster the way `kubectl apply`
// would create them: Secrets and ConfigMaps first, then Projects, then Events, so an Event never
// waits on a Project that is still to come.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { loadAll } from 'js-yaml';
import { isAlreadyExists } from '../kube/index.ts';

const ORDER = ['Namespace', 'Secret', 'ConfigMap', 'Project', 'Event'];

export async function sampleNames(samplesDir: string): Promise<string[]> {
  const entries = await readdir(samplesDir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

export async function loadSamples(samplesDir: string, names: string[]): Promise<KubernetesObject[]> {
  const objects: KubernetesObject[] = [];
  for (const name of names) {
    const dir = join(samplesDir, name);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
    for (const file of files) {
      for (const doc of loadAll(await readFile(join(dir, file), 'utf8'))) {
        if (doc && typeof doc === 'object') objects.push(doc);
      }
    }
  }
  const rank = (o: KubernetesObject): number => {
    const i = ORDER.indexOf(o.kind ?? '');
    return i < 0 ? ORDER.length : i;
  };
  return objects.sort((a, b) => rank(a) - rank(b));
}

/** Creates each object; one that already exists is left as it is (re-running dev is harmless). */
export async function applySamples(
  kubeConfig: KubeConfig,
  objects: KubernetesObject[],
): Promise<{ created: string[]; existing: string[] }> {
  const api = KubernetesObjectApi.makeApiClient(kubeConfig);
  const created: string[] = [];
  const existing: string[] = [];
  for (const obj of objects) {
    const label = `${obj.kind?.toLowerCase()}/${obj.metadata?.name}`;
    try {
      await api.create(obj);
      created.push(label);
    } catch (err) {
      if (!isAlreadyExists(err)) throw new Error(`could not create sample ${label}`, { cause: err });
      existing.push(label);
    }
  }
  return { created, existing };
}
