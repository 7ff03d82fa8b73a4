// The JSONPath subset of client-go's jsonpath that printer columns use: `.a.b`, `['a.b']`, `[0]`,
// `[-1]`, `[*]`, `.*`, `..name` (recursive descent) and filters `[?(@.type=="Ready")]` with
// ==, !=, <, <=, >, >= against a literal or existence `[?(@.x)]`. Anything else is refused at
// parse time, so validateCrd can reject the column.

import { isPlainObject } from './schema.ts';

type Step =
  | { k: 'field'; name: string }
  | { k: 'index'; index: number }
  | { k: 'wildcard' }
  | { k: 'recursive'; name: string }
  | { k: 'filter'; path: string[]; op?: FilterOp; literal?: unknown };

type FilterOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export class JsonPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonPathError';
  }
}

export interface JsonPath {
  source: string;
  /** All matches, in document order. */
  find(root: unknown): unknown[];
}

export function compileJsonPath(source: string): JsonPath {
  let text = source.trim();
  if (text.startsWith('{') && text.endsWith('}')) text = text.slice(1, -1).trim();
  if (text.startsWith('$')) text = text.slice(1);
  if (!text.startsWith('.') && !text.startsWith('['))
    throw new JsonPathError(`unrecognized JSONPath ${JSON.stringify(source)}`);
  const steps = parseSteps(text, source);
  return {
    source,
    find: (root) => steps.reduce<unknown[]>((values, step) => values.flatMap((v) => apply(step, v)), [root]),
  };
}

const STEP_PATTERNS: Array<[RegExp, (m: RegExpExecArray) => Step]> = [
  [/^\.\.([A-Za-z0-9_-]+)/, (m) => ({ k: 'recursive', name: m[1] })],
  [/^\.\*/, () => ({ k: 'wildcard' })],
  [/^\.([A-Za-z0-9_-]+)/, (m) => ({ k: 'field', name: m[1] })],
  [/^\[\s*\*\s*\]/, () => ({ k: 'wildcard' })],
  [/^\[\s*(-?\d+)\s*\]/, (m) => ({ k: 'index', index: Number(m[1]) })],
  [/^\[\s*'([^']*)'\s*\]/, (m) => ({ k: 'field', name: m[1] })],
  [/^\[\s*"([^"]*)"\s*\]/, (m) => ({ k: 'field', name: m[1] })],
  [
    /^\[\?\(\s*@((?:\.[A-Za-z0-9_-]+)+)\s*(?:(==|!=|<=|>=|<|>)\s*('[^']*'|"[^"]*"|-?\d+(?:\.\d+)?|true|false|null))?\s*\)\]/,
    filterStep,
  ],
];

function filterStep(m: RegExpExecArray): Step {
  const path = m[1].slice(1).split('.');
  if (!m[2]) return { k: 'filter', path };
  const raw = m[3];
  const literal = raw.startsWith("'") || raw.startsWith('"') ? raw.slice(1, -1) : (JSON.parse(raw) as unknown);
  return { k: 'filter', path, op: m[2] as FilterOp, literal };
}

function parseSteps(text: string, source: string): Step[] {
  const steps: Step[] = [];
  let rest = text;
  while (rest.length > 0) {
    const next = nextStep(rest);
    if (!next) throw new JsonPathError(`unsupported JSONPath ${JSON.stringify(source)} near ${JSON.stringify(rest)}`);
    steps.push(next.step);
    rest = rest.slice(next.length);
  }
  return steps;
}

/** The step the first matching pattern reads from the start of `rest`, and how many characters it takes. */
function nextStep(rest: string): { step: Step; length: number } | undefined {
  for (const [re, make] of STEP_PATTERNS) {
    const m = re.exec(rest);
    if (m) return { step: make(m), length: m[0].length };
  }
  return undefined;
}

function apply(step: Step, value: unknown): unknown[] {
  switch (step.k) {
    case 'field':
      return isPlainObject(value) && value[step.name] !== undefined ? [value[step.name]] : [];
    case 'index': {
      if (!Array.isArray(value)) return [];
      const i = step.index < 0 ? value.length + step.index : step.index;
      return i >= 0 && i < value.length ? [value[i]] : [];
    }
    case 'wildcard':
      return Array.isArray(value) ? value : isPlainObject(value) ? Object.values(value) : [];
    case 'recursive':
      return descend(value, step.name);
    case 'filter':
      return (Array.isArray(value) ? value : []).filter((item) => matchesFilter(item, step));
  }
}

function descend(value: unknown, name: string): unknown[] {
  const children = Array.isArray(value) ? value : isPlainObject(value) ? Object.values(value) : [];
  const own = isPlainObject(value) && value[name] !== undefined ? [value[name]] : [];
  return [...own, ...children.flatMap((c) => descend(c, name))];
}

function matchesFilter(item: unknown, step: Extract<Step, { k: 'filter' }>): boolean {
  let v: unknown = item;
  for (const key of step.path) v = isPlainObject(v) ? v[key] : undefined;
  if (!step.op) return v !== undefined;
  if (v === undefined) return false;
  const lit = step.literal;
  switch (step.op) {
    case '==':
      return v === lit;
    case '!=':
      return v !== lit;
    default:
      return compareOrdered(v, lit, step.op);
  }
}

function compareOrdered(a: unknown, b: unknown, op: FilterOp): boolean {
  if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) return false;
  const x = a;
  const y = b as number | string;
  return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
}

/** Go's fmt.Sprint of a decoded JSON value, which is what jsonpath prints for string columns. */
export function goSprint(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goSprint).join(' ')}]`;
  if (isPlainObject(value)) {
    return `map[${Object.keys(value)
      .sort()
      .map((k) => `${k}:${goSprint(value[k])}`)
      .join(' ')}]`;
  }
  if (typeof value === 'number' && Math.abs(value) >= 1e21)
    return value.toExponential().replace(/e\+?(-?)(\d)$/, 'e+$10$2');
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- decoded JSON: its only objects, arrays and plain objects, are handled above
  return String(value);
}
