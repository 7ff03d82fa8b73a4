// Manifests and waits shared by the end-to-end tests.
import type { Build, BrigadeEvent, JobCR } from '../../src/api/types.ts';
import { waitFor } from './harness.ts';
import type { Cluster } from './harness.ts';

const indent = (text: string, n: number): string =>
  text
    .split('\n')
    .map((l) => `${' '.repeat(n)}${l}`)
    .join('\n');

export function projectYaml(name: string, script: string, extraSpec = ''): string {
  return `
apiVersion: brigade.sh/v1alpha1
kind: Project
metadata: { name: ${name} }
spec:
  jobDefaults: { image: alpine:3.20 }
${extraSpec ? indent(extraSpec, 2) : ''}
  script: |
${indent(script, 4)}
`;
}

export function eventYaml(name: string, project: string, type: string, script?: string): string {
  return `
apiVersion: brigade.sh/v1alpha1
kind: Event
metadata: { name: ${name} }
spec:
  project: ${project}
  type: ${type}
${script ? `  script: |\n${indent(script, 4)}` : ''}
`;
}

export async function projectReady(cluster: Cluster, name: string): Promise<void> {
  await waitFor(`project ${name} Ready`, async () => {
    const p = await cluster.objects.get('Project', cluster.namespace, name);
    return p?.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined;
  });
}

export async function buildEnded(cluster: Cluster, name: string, timeoutMs = 60_000): Promise<Build> {
  return waitFor(
    `build ${name} to end`,
    async () => {
      const b = await cluster.objects.get('Build', cluster.namespace, name);
      return b?.status?.phase && !['Pending', 'Running'].includes(b.status.phase) ? b : undefined;
    },
    timeoutMs,
  );
}

export async function eventDecided(cluster: Cluster, name: string): Promise<BrigadeEvent> {
  return waitFor(`event ${name} decided`, async () => {
    const e = await cluster.objects.get('Event', cluster.namespace, name);
    return e?.status?.phase === 'Accepted' || e?.status?.phase === 'Rejected' ? e : undefined;
  });
}

export async function jobsOf(cluster: Cluster, build: string): Promise<Map<string, JobCR>> {
  const jobs = await cluster.objects.list('Job', cluster.namespace, { labelSelector: `brigade.sh/build=${build}` });
  return new Map(jobs.map((j) => [j.spec.name, j]));
}
