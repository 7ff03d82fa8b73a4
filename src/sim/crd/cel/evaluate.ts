// Tree-walking evaluator of the CEL subset. int/uint are bigint (64-bit, overflow is an error), double
// is number; mixing them in arithmetic is an error as in CEL, while comparing them is allowed
// (Kubernetes enables heterogeneous equality). Errors are CelEvalError; `&&`/`||` absorb an error on
// one side when the other side decides the result, as CEL specifies.

import type { BinaryOp, CelValue, Expr } from './ast.ts';
import { unescapeFieldName } from './check.ts';
import { CelEvalError, GLOBAL_FUNCTIONS, METHODS, checkInt64 } from './functions.ts';

export type Bindings = ReadonlyMap<string, CelValue>;

export function evaluate(expr: Expr, vars: Bindings): CelValue {
  switch (expr.k) {
    case 'lit':
      return expr.value;
    case 'ident':
      return lookup(vars, expr.name);
    case 'select':
      return selectField(evaluate(expr.operand, vars), expr.field);
    case 'index':
      return indexValue(evaluate(expr.operand, vars), evaluate(expr.index, vars));
    case 'has':
      return hasField(evaluate(expr.operand, vars), expr.field);
    case 'unary':
      return unary(expr.op, evaluate(expr.operand, vars));
    case 'binary':
      return binary(expr, vars);
    case 'cond':
      return evaluate(truthy(evaluate(expr.test, vars), '?:') ? expr.then : expr.otherwise, vars);
    case 'list':
      return expr.items.map((item) => evaluate(item, vars));
    case 'map':
      return mapLiteral(expr.entries, vars);
    case 'call':
      return call(expr, vars);
    case 'comprehension':
      return comprehension(expr, vars);
  }
}

function lookup(vars: Bindings, name: string): CelValue {
  const value = vars.get(name);
  if (value === undefined) throw new CelEvalError(`undeclared reference to '${name}'`);
  return value;
}

function isMap(v: CelValue): v is { [key: string]: CelValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function selectField(target: CelValue, escaped: string): CelValue {
  const field = unescapeFieldName(escaped);
  if (!isMap(target)) throw new CelEvalError(`no such overload: select '${field}' on ${typeName(target)}`);
  if (!Object.hasOwn(target, field)) throw new CelEvalError(`no such key: ${field}`);
  return target[field];
}

function hasField(target: CelValue, escaped: string): boolean {
  const field = unescapeFieldName(escaped);
  if (!isMap(target)) throw new CelEvalError(`no such overload: has() on ${typeName(target)}`);
  return Object.hasOwn(target, field);
}

function indexValue(target: CelValue, index: CelValue): CelValue {
  if (Array.isArray(target)) {
    if (typeof index !== 'bigint') throw new CelEvalError(`no such overload: list index of type ${typeName(index)}`);
    if (index < 0n || index >= BigInt(target.length)) throw new CelEvalError(`index out of bounds: ${index}`);
    return target[Number(index)];
  }
  if (isMap(target) && typeof index === 'string') {
    if (!Object.hasOwn(target, index)) throw new CelEvalError(`no such key: ${index}`);
    return target[index];
  }
  throw new CelEvalError(`no such overload: index on ${typeName(target)}`);
}

function truthy(v: CelValue, op: string): boolean {
  if (typeof v !== 'boolean') throw new CelEvalError(`no such overload: ${op} on ${typeName(v)}`);
  return v;
}

function unary(op: '!' | '-', v: CelValue): CelValue {
  if (op === '!') return !truthy(v, '!');
  if (typeof v === 'bigint') return checkInt64(-v);
  if (typeof v !== 'number') throw new CelEvalError(`no such overload: -${typeName(v)}`);
  return -v;
}

function binary(expr: Extract<Expr, { k: 'binary' }>, vars: Bindings): CelValue {
  if (expr.op === '&&' || expr.op === '||') return logical(expr.op, expr.left, expr.right, vars);
  return arithmetic(expr.op, evaluate(expr.left, vars), evaluate(expr.right, vars));
}

/** CEL's commutative short-circuit: the deciding side wins even if the other side errs. */
function logical(op: '&&' | '||', left: Expr, right: Expr, vars: Bindings): boolean {
  const decisive = op === '||';
  let leftError: unknown;
  try {
    if (truthy(evaluate(left, vars), op) === decisive) return decisive;
  } catch (err) {
    leftError = err;
  }
  if (truthy(evaluate(right, vars), op) === decisive) return decisive;
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what the left side threw, unchanged
  if (leftError !== undefined) throw leftError;
  return !decisive;
}

function arithmetic(op: BinaryOp, a: CelValue, b: CelValue): CelValue {
  switch (op) {
    case '==':
      return deepEqual(a, b);
    case '!=':
      return !deepEqual(a, b);
    case 'in':
      return contains(b, a);
    case '<':
      return compare(a, b, op) < 0;
    case '<=':
      return compare(a, b, op) <= 0;
    case '>':
      return compare(a, b, op) > 0;
    case '>=':
      return compare(a, b, op) >= 0;
    case '+':
      return plus(a, b);
    default:
      return numeric(op, a, b);
  }
}

function plus(a: CelValue, b: CelValue): CelValue {
  if (typeof a === 'bigint' && typeof b === 'bigint') return checkInt64(a + b);
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  throw new CelEvalError(`no such overload: ${typeName(a)} + ${typeName(b)}`);
}

function numeric(op: BinaryOp, a: CelValue, b: CelValue): bigint | number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return integerArithmetic(op, a, b);
  if (typeof a !== 'number' || typeof b !== 'number' || op === '%') {
    throw new CelEvalError(`no such overload: ${typeName(a)} ${op} ${typeName(b)}`);
  }
  switch (op) {
    case '-':
      return a - b;
    case '*':
      return a * b;
    default:
      return a / b;
  }
}

function integerArithmetic(op: BinaryOp, a: bigint, b: bigint): bigint {
  if ((op === '/' || op === '%') && b === 0n)
    throw new CelEvalError(op === '/' ? 'division by zero' : 'modulus by zero');
  switch (op) {
    case '-':
      return checkInt64(a - b);
    case '*':
      return checkInt64(a * b);
    case '/':
      return checkInt64(a / b);
    default:
      return a % b;
  }
}

function isNumber(v: CelValue): v is bigint | number {
  return typeof v === 'bigint' || typeof v === 'number';
}

function compare(a: CelValue, b: CelValue, op: string): number {
  if (isNumber(a) && isNumber(b)) return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  throw new CelEvalError(`no such overload: ${typeName(a)} ${op} ${typeName(b)}`);
}

function contains(collection: CelValue, item: CelValue): boolean {
  if (Array.isArray(collection)) return collection.some((x) => deepEqual(x, item));
  if (isMap(collection)) return typeof item === 'string' && Object.hasOwn(collection, item);
  throw new CelEvalError(`no such overload: in ${typeName(collection)}`);
}

/**
 * Marks a list whose schema is x-kubernetes-list-type set or map: CEL compares such lists without
 * regard to order. Set on the array object itself, so indexing and iteration are unaffected.
 */
export const UNORDERED_LIST = Symbol('unorderedList');

function isUnordered(list: CelValue[]): boolean {
  return (list as CelValue[] & { [UNORDERED_LIST]?: boolean })[UNORDERED_LIST] === true;
}

export function deepEqual(a: CelValue, b: CelValue): boolean {
  if (a === b) return true;
  // Heterogeneous numeric equality: 1 == 1.0 == 1u.
  if (isNumber(a) && isNumber(b)) return a == b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    if (isUnordered(a) && isUnordered(b)) return sameElements(a, b);
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isMap(a) && isMap(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Same elements, any order (each element of b used once). */
function sameElements(a: CelValue[], b: CelValue[]): boolean {
  const unused = [...b];
  return a.every((x) => {
    const i = unused.findIndex((y) => deepEqual(x, y));
    if (i < 0) return false;
    unused.splice(i, 1);
    return true;
  });
}

function mapLiteral(entries: Array<{ key: Expr; value: Expr }>, vars: Bindings): CelValue {
  const out: { [key: string]: CelValue } = {};
  for (const entry of entries) {
    const key = evaluate(entry.key, vars);
    if (typeof key !== 'string') throw new CelEvalError('map keys must be strings in this evaluator');
    out[key] = evaluate(entry.value, vars);
  }
  return out;
}

function call(expr: Extract<Expr, { k: 'call' }>, vars: Bindings): CelValue {
  const args = expr.args.map((a) => evaluate(a, vars));
  if (expr.target) return METHODS[expr.fn].fn([evaluate(expr.target, vars), ...args]);
  return GLOBAL_FUNCTIONS[expr.fn].fn(args);
}

function comprehension(expr: Extract<Expr, { k: 'comprehension' }>, vars: Bindings): CelValue {
  const target = evaluate(expr.target, vars);
  const elements: CelValue[] = Array.isArray(target) ? target : isMap(target) ? Object.keys(target) : [];
  if (!Array.isArray(target) && !isMap(target))
    throw new CelEvalError(`no such overload: ${expr.macro} on ${typeName(target)}`);
  const withVar = (v: CelValue): Bindings => new Map([...vars, [expr.variable, v]]);
  const test = (body: Expr, v: CelValue): boolean => truthy(evaluate(body, withVar(v)), expr.macro);
  switch (expr.macro) {
    case 'all':
      return elements.every((v) => test(expr.body, v));
    case 'exists':
      return elements.some((v) => test(expr.body, v));
    case 'exists_one':
      return elements.filter((v) => test(expr.body, v)).length === 1;
    case 'filter':
      return elements.filter((v) => test(expr.body, v));
    case 'map':
      return elements.filter((v) => !expr.filter || test(expr.filter, v)).map((v) => evaluate(expr.body, withVar(v)));
  }
}

export function typeName(v: CelValue): string {
  if (v === null) return 'null_type';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'double';
  return typeof v === 'boolean' ? 'bool' : 'string';
}
