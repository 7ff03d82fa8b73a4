// meta.k8s.io/v1 Table and PartialObjectMetadata(List) renderings of objects, for clients that ask
// for them in Accept (kubectl get, metadata informers).

import type { KubeObject } from '../../types.ts';
import type { ResourceType } from '../resources.ts';
import { builtinPrinter } from './builtin-columns.ts';
import type { Printer } from './builtin-columns.ts';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function partialMetadata(obj: KubeObject): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

function printerFor(rt: ResourceType): Printer {
  const version = rt.crd?.versions.get(rt.version);
  if (version) return { columns: version.tableColumns(), cells: (obj, now) => version.tableCells(obj, now) };
  return builtinPrinter(rt.group, rt.resource);
}

export interface TableOptions {
  includeObject: IncludeObject;
  now: Date;
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export function toTable(rt: ResourceType, objects: KubeObject[], opts: TableOptions): Record<string, unknown> {
  const printer = printerFor(rt);
  const rows = objects.map((obj) => {
    const row: Record<string, unknown> = { cells: printer.cells(obj, opts.now) };
    if (opts.includeObject === 'Object') row['object'] = obj;
    else if (opts.includeObject === 'Metadata') row['object'] = partialMetadata(obj);
    return row;
  });
  const metadata: Record<string, unknown> = {};
  if (opts.resourceVersion) metadata['resourceVersion'] = opts.resourceVersion;
  if (opts.continue) metadata['continue'] = opts.continue;
  if (opts.remainingItemCount !== undefined) metadata['remainingItemCount'] = opts.remainingItemCount;
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions: printer.columns, rows };
}
