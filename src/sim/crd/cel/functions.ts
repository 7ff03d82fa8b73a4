// The functions of the CEL subset: what the checker accepts and what the evaluator runs.

import type { CelValue } from './ast.ts';

export class CelEvalError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CelEvalError';
  }
}

type Fn = (args: CelValue[]) => CelValue;

const noOverload = (name: string): CelEvalError => new CelEvalError(`no such overload: ${name}`);

function str(v: CelValue, name: string): string {
  if (typeof v !== 'string') throw noOverload(name);
  return v;
}

function size(v: CelValue): bigint {
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- CEL's size() counts code points, which is what spreading yields
  if (typeof v === 'string') return BigInt([...v].length);
  if (Array.isArray(v)) return BigInt(v.length);
  if (v !== null && typeof v === 'object') return BigInt(Object.keys(v).length);
  throw noOverload('size');
}

function toInt(v: CelValue): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return checkInt64(BigInt(Math.trunc(v)));
  if (typeof v === 'string' && /^[-+]?\d+$/.test(v)) return checkInt64(BigInt(v));
  throw new CelEvalError(`cannot convert ${describe(v)} to int`);
}

function toDouble(v: CelValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  throw new CelEvalError(`cannot convert ${describe(v)} to double`);
}

function toStringValue(v: CelValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  throw noOverload('string');
}

function describe(v: CelValue): string {
  return typeof v === 'bigint' ? String(v) : JSON.stringify(v);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** CEL ints are 64-bit: results outside that range are an error, not a silent wrap. */
export function checkInt64(v: bigint): bigint {
  if (v < INT64_MIN || v > INT64_MAX) throw new CelEvalError('integer overflow');
  return v;
}

/** RE2 and JavaScript agree on the common syntax; a pattern JS refuses is an evaluation error. */
function matches(s: CelValue, pattern: CelValue): boolean {
  try {
    return new RegExp(str(pattern, 'matches'), 'u').test(str(s, 'matches'));
  } catch (err) {
    if (err instanceof CelEvalError) throw err;
    throw new CelEvalError(`invalid regular expression ${JSON.stringify(pattern)}`, { cause: err });
  }
}

/** Global functions by name, with the argument counts they accept. */
export const GLOBAL_FUNCTIONS: Record<string, { arity: number; fn: Fn }> = {
  size: { arity: 1, fn: ([v]) => size(v) },
  int: { arity: 1, fn: ([v]) => toInt(v) },
  uint: { arity: 1, fn: ([v]) => toInt(v) },
  double: { arity: 1, fn: ([v]) => toDouble(v) },
  string: { arity: 1, fn: ([v]) => toStringValue(v) },
  matches: { arity: 2, fn: ([s, p]) => matches(s, p) },
};

/** Receiver-style functions (`x.startsWith(y)`): the receiver is args[0]. */
export const METHODS: Record<string, { arity: number; fn: Fn }> = {
  size: { arity: 0, fn: ([v]) => size(v) },
  startsWith: { arity: 1, fn: ([s, p]) => str(s, 'startsWith').startsWith(str(p, 'startsWith')) },
  endsWith: { arity: 1, fn: ([s, p]) => str(s, 'endsWith').endsWith(str(p, 'endsWith')) },
  contains: { arity: 1, fn: ([s, p]) => str(s, 'contains').includes(str(p, 'contains')) },
  matches: { arity: 1, fn: ([s, p]) => matches(s, p) },
  lowerAscii: { arity: 0, fn: ([s]) => str(s, 'lowerAscii').replace(/[A-Z]/g, (c) => c.toLowerCase()) },
  upperAscii: { arity: 0, fn: ([s]) => str(s, 'upperAscii').replace(/[a-z]/g, (c) => c.toUpperCase()) },
  trim: { arity: 0, fn: ([s]) => str(s, 'trim').trim() },
};
