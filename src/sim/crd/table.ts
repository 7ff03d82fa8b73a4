// Table output (meta.k8s.io/v1) for custom resources, as the apiextensions-apiserver's table
// convertor builds it: a Name column, then the version's additionalPrinterColumns (or Age when
// none are defined), cells from JSONPath, `date` cells as a human age.

import type { KubeObject } from '../types.ts';
import { compileJsonPath, goSprint } from './jsonpath.ts';
import type { JsonPath } from './jsonpath.ts';

/** A meta.k8s.io/v1 TableColumnDefinition. */
export interface TableColumn {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/** One additionalPrinterColumns entry of a CRD version. */
export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

const NAME_COLUMN: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name of the object, unique within its namespace (or the cluster for cluster-scoped kinds).',
  priority: 0,
};

/** What the apiserver defaults a version without printer columns to. */
export const DEFAULT_PRINTER_COLUMNS: PrinterColumn[] = [
  {
    name: 'Age',
    type: 'date',
    jsonPath: '.metadata.creationTimestamp',
    description: 'Time since the server created the object (metadata.creationTimestamp).',
  },
];

export interface TableConvertor {
  columns(): TableColumn[];
  cells(obj: KubeObject, now: Date): unknown[];
}

export function newTableConvertor(printerColumns: PrinterColumn[] | undefined): TableConvertor {
  const defs = printerColumns?.length ? printerColumns : DEFAULT_PRINTER_COLUMNS;
  const compiled: Array<{ def: PrinterColumn; path: JsonPath }> = defs.map((def) => ({
    def,
    path: compileJsonPath(def.jsonPath),
  }));
  const columns = [NAME_COLUMN, ...defs.map(toColumn)];
  return {
    columns: () => columns.map((c) => ({ ...c })),
    cells: (obj, now) => [
      obj.metadata.name ?? '',
      ...compiled.map(({ def, path }) => cell(def, path.find(obj)[0], now)),
    ],
  };
}

function toColumn(def: PrinterColumn): TableColumn {
  return {
    name: def.name,
    type: def.type,
    format: def.format ?? '',
    description: def.description ?? '',
    priority: def.priority ?? 0,
  };
}

function cell(def: PrinterColumn, value: unknown, now: Date): unknown {
  if (value === undefined || value === null) return null;
  switch (def.type) {
    case 'string':
      return goSprint(value);
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date':
      return typeof value === 'string' ? ageCell(value, now) : null;
    default:
      return null;
  }
}

function ageCell(timestamp: string, now: Date): string {
  // metav1.Time reads "" and "null" as the zero time, which the apiserver shows as <unknown>.
  if (timestamp === '' || timestamp === 'null') return '<unknown>';
  const at = Date.parse(timestamp);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(timestamp) || Number.isNaN(at)) return '<invalid>';
  return humanDuration(now.getTime() - at);
}

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration: `45s`, `5m3s`, `3h2m`, `2d4h`, `3y20d`. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) return withRemainder(minutes, 'm', seconds % 60, 's');
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) return withRemainder(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return withRemainder(Math.trunc(hours / 24), 'd', hours % 24, 'h');
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  const years = Math.trunc(hours / 24 / 365);
  if (hours < 24 * 365 * 8) return withRemainder(years, 'y', Math.trunc(hours / 24) % 365, 'd');
  return `${years}y`;
}

function withRemainder(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major}${majorUnit}` : `${major}${majorUnit}${minor}${minorUnit}`;
}
