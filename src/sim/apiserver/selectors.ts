// Label selectors (=, ==, !=, in, notin, exists, !key) and field selectors (=, ==, !=) with the
// fields the real apiserver supports per resource; anything else is a 400 like on a real cluster.

import { badRequest } from './errors.ts';
import type { KubeObject } from '../types.ts';

export type LabelRequirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

export type LabelSelector = LabelRequirement[];

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const SET_RE = /^([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)$/;
const CMP_RE = /^([^\s!=()]+)\s*(==|!=|=)\s*([^\s!=(),]*)$/;
const EXISTS_RE = /^(!?)\s*([^\s!=(),]+)$/;

function parseRequirement(text: string): LabelRequirement {
  const set = SET_RE.exec(text);
  if (set) {
    const values = set[3]
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    return { op: set[2] as 'in' | 'notin', key: set[1], values };
  }
  const cmp = CMP_RE.exec(text);
  if (cmp) return { op: cmp[2] === '!=' ? 'neq' : 'eq', key: cmp[1], value: cmp[3] };
  const ex = EXISTS_RE.exec(text);
  if (ex) return { op: ex[1] ? 'notexists' : 'exists', key: ex[2] };
  throw badRequest(`unable to parse requirement: found '${text}', expected: in, notin, =, ==, !=, gt, lt`);
}

export function parseLabelSelector(text: string | undefined): LabelSelector {
  if (!text) return [];
  return splitTopLevel(text).map(parseRequirement);
}

function matchesRequirement(req: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = labels[req.key];
  switch (req.op) {
    case 'eq':
      return has && value === req.value;
    case 'neq':
      return !has || value !== req.value;
    case 'in':
      return has && req.values.includes(value);
    case 'notin':
      return !has || !req.values.includes(value);
    case 'exists':
      return has;
    case 'notexists':
      return !has;
  }
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  return selector.every((req) => matchesRequirement(req, labels ?? {}));
}

export interface FieldRequirement {
  field: string;
  op: 'eq' | 'neq';
  value: string;
}

const FIELD_RE = /^([^\s!=]+)\s*(==|!=|=)\s*(.*)$/;

/** Field selectors a resource supports beyond metadata.name and metadata.namespace. */
const EXTRA_FIELDS: Record<string, string[]> = {
  pods: [
    'status.phase',
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'status.podIP',
    'status.nominatedNodeName',
    'spec.hostNetwork',
  ],
  events: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  namespaces: ['status.phase'],
  secrets: ['type'],
  'jobs.batch': ['status.successful'],
  nodes: ['spec.unschedulable'],
};

export interface FieldSelectorContext {
  group: string;
  resource: string;
  isCustom: boolean;
}

export function parseFieldSelector(text: string | undefined, ctx: FieldSelectorContext): FieldRequirement[] {
  if (!text) return [];
  const key = ctx.group ? `${ctx.resource}.${ctx.group}` : ctx.resource;
  const allowed = ['metadata.name', 'metadata.namespace', ...(ctx.isCustom ? [] : (EXTRA_FIELDS[key] ?? []))];
  return splitTopLevel(text).map((part) => {
    const m = FIELD_RE.exec(part);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    const field = m[1];
    if (!allowed.includes(field)) {
      throw badRequest(
        ctx.isCustom
          ? `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`
          : `field label not supported: ${field}`,
      );
    }
    return { field, op: m[2] === '!=' ? 'neq' : 'eq', value: m[3] };
  });
}

function fieldValue(obj: KubeObject, path: string): string {
  let cur: unknown = obj;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[seg];
  }
  if (cur === undefined || cur === null)
    return path === 'spec.unschedulable' || path === 'spec.hostNetwork' ? 'false' : '';
  // Objects as JSON, as before; JSON's other scalars (numbers, booleans) print the same either way.
  return typeof cur === 'string' ? cur : JSON.stringify(cur);
}

export function matchesFields(reqs: FieldRequirement[], obj: KubeObject): boolean {
  return reqs.every((r) => (fieldValue(obj, r.field) === r.value) === (r.op === 'eq'));
}

/** A parsed label + field selector pair, applied to objects. */
export interface ObjectFilter {
  labels: LabelSelector;
  fields: FieldRequirement[];
}

export function matchesFilter(filter: ObjectFilter, obj: KubeObject): boolean {
  return matchesLabels(filter.labels, obj.metadata.labels) && matchesFields(filter.fields, obj);
}
