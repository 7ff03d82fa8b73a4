// An in-memory IntakeCluster for tests and the benchmark: Projects, Secrets and the Events created.
// The methods are async without awaiting: like the real client's, their failures must be rejections.
/* eslint-disable @typescript-eslint/require-await */
import type { IntakeCluster } from '../../src/gateway/cluster.ts';
import type { EventObject } from '../../src/gateway/event.ts';
import type { ProjectLike } from '../../src/gateway/project-intake.ts';

export interface FakeCluster extends IntakeCluster {
  projects: ProjectLike[];
  /** namespace/name -> decoded data */
  secrets: Map<string, Record<string, string>>;
  events: EventObject[];
  secretReads: number;
  /** When set, every call fails as an unreachable API server would. */
  down: boolean;
  /** The API server's clock: Events get their creationTimestamp from it. */
  now: () => number;
}

function clusterDown(): Error {
  const err = new Error('connect ECONNREFUSED');
  err.name = 'ClusterError';
  return err;
}

export function fakeCluster(
  init: { projects?: ProjectLike[]; secrets?: Record<string, Record<string, string>> } = {},
): FakeCluster {
  const fake: FakeCluster = {
    projects: init.projects ?? [],
    secrets: new Map(Object.entries(init.secrets ?? {})),
    events: [],
    secretReads: 0,
    down: false,
    async getProject(namespace, name) {
      if (fake.down) throw clusterDown();
      return fake.projects.find((p) => p.metadata.namespace === namespace && p.metadata.name === name);
    },
    async listProjects(namespace) {
      if (fake.down) throw clusterDown();
      return fake.projects.filter((p) => namespace === undefined || p.metadata.namespace === namespace);
    },
    async readSecretKey(namespace, ref) {
      if (fake.down) throw clusterDown();
      fake.secretReads += 1;
      return fake.secrets.get(`${namespace}/${ref.name}`)?.[ref.key];
    },
    async createEvent(event) {
      if (fake.down) throw clusterDown();
      const exists = fake.events.some(
        (e) => e.metadata.namespace === event.metadata.namespace && e.metadata.name === event.metadata.name,
      );
      if (exists) return 'exists';
      fake.events.push({
        ...event,
        metadata: { ...event.metadata, creationTimestamp: new Date(fake.now()).toISOString() },
      });
      return 'created';
    },
    eventCreated(namespace, name) {
      if (fake.down) return Promise.reject(clusterDown());
      const found = fake.events.find((e) => e.metadata.namespace === namespace && e.metadata.name === name);
      const created = found?.metadata.creationTimestamp;
      return Promise.resolve(created === undefined ? undefined : new Date(created));
    },
    now: () => Date.now(),
    async ping() {
      if (fake.down) throw clusterDown();
    },
  };
  return fake;
}
