// Shared helpers for the API server's unit tests: a store with the system namespaces, GVRs, and a
// way to await a condition instead of sleeping.

import assert from 'node:assert/strict';
import { bootstrap } from './bootstrap.ts';
import { SimulatorStore } from './sim-store.ts';
import type { StoreOptions } from './sim-store.ts';
import type { GroupVersionResource, KubeObject } from '../types.ts';

export const GVR = {
  pods: { group: '', version: 'v1', resource: 'pods' },
  configmaps: { group: '', version: 'v1', resource: 'configmaps' },
  secrets: { group: '', version: 'v1', resource: 'secrets' },
  namespaces: { group: '', version: 'v1', resource: 'namespaces' },
  jobs: { group: 'batch', version: 'v1', resource: 'jobs' },
  crds: { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' },
  widgets: { group: 'example.test', version: 'v1', resource: 'widgets' },
} satisfies Record<string, GroupVersionResource>;

/** Asserts that a value the test needs is there, and returns it with the type saying so. */
export function required<T>(value: T | null | undefined, what: string): T {
  assert.ok(value !== undefined && value !== null, `${what} is missing`);
  return value;
}

export function newStore(opts: StoreOptions = {}): SimulatorStore {
  const store = new SimulatorStore(opts);
  bootstrap(store);
  return store;
}

export function configMap(
  name: string,
  data: Record<string, string> = {},
  extra: Partial<KubeObject['metadata']> = {},
): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', ...extra }, data };
}

export const WIDGET_CRD: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.test' },
  spec: {
    group: 'example.test',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wg'], categories: ['gadgets'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { size: { type: 'integer' }, color: { type: 'string' } } },
              status: { type: 'object', properties: { phase: { type: 'string' } } },
            },
          },
        },
      },
    ],
  },
};

export function widget(name: string, size = 1, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return {
    apiVersion: 'example.test/v1',
    kind: 'Widget',
    metadata: { name, namespace: 'default', ...extra },
    spec: { size },
  };
}

/** Resolves when predicate() is truthy; polls on the event loop, fails after the deadline. */
export async function until<T>(predicate: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
