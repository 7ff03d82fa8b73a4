// Builders for CRDs and custom resources used by this module's tests.

import type { KubeObject } from '../types.ts';
import type { Schema } from './schema.ts';
import type { CompiledCrd, CompiledVersion } from './compile.ts';

export interface CrdFixtureOptions {
  spec?: Schema;
  status?: Schema;
  printerColumns?: unknown[];
  /** Extra versions after v1 (v1 is the storage version). */
  moreVersions?: unknown[];
}

export function widgetCrd(opts: CrdFixtureOptions = {}): KubeObject {
  const properties: Record<string, Schema> = {
    spec: opts.spec ?? { type: 'object', properties: { size: { type: 'integer' } } },
  };
  if (opts.status) properties.status = opts.status;
  const v1: Record<string, unknown> = {
    name: 'v1',
    served: true,
    storage: true,
    subresources: { status: {} },
    schema: { openAPIV3Schema: { type: 'object', description: 'A Widget is a test resource.', properties } },
  };
  if (opts.printerColumns) v1.additionalPrinterColumns = opts.printerColumns;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: {
        plural: 'widgets',
        singular: 'widget',
        kind: 'Widget',
        listKind: 'WidgetList',
        shortNames: ['wd'],
        categories: ['all'],
      },
      versions: [v1, ...(opts.moreVersions ?? [])],
    },
  };
}

export function widget(spec: unknown, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w1', namespace: 'default' },
    spec,
    ...extra,
  };
}

/** The compiled version `name` of a CRD; fails the test when the CRD has no such version. */
export function versionOf(compiled: CompiledCrd, name: string): CompiledVersion {
  const version = compiled.versions.get(name);
  if (!version) throw new Error(`the compiled CRD has no version ${name}`);
  return version;
}
