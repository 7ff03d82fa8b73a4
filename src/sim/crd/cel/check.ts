// Compile-time checks of a CEL rule against the subset and, when the rule's schema is known, against
// the schema: like the apiserver's type checker, a field the schema does not declare is an error
// (`undefined field 'imgae'`), so a typo fails when the CRD is created rather than at admission.

import type { Schema } from '../schema.ts';
import type { Expr } from './ast.ts';
import { GLOBAL_FUNCTIONS, METHODS } from './functions.ts';

export class CelCompileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CelCompileError';
  }
}

/** Variables in scope with their schema (undefined: not known, nothing checked). */
export type Scope = ReadonlyMap<string, Schema | undefined>;

export interface CheckResult {
  usesOldSelf: boolean;
}

export function checkExpr(expr: Expr, scope: Scope): CheckResult {
  const usage = { usesOldSelf: false };
  visit(expr, scope, usage);
  return usage;
}

const CEL_RESERVED = new Set([
  'as',
  'break',
  'const',
  'continue',
  'else',
  'false',
  'for',
  'function',
  'if',
  'import',
  'in',
  'let',
  'loop',
  'package',
  'namespace',
  'null',
  'return',
  'true',
  'var',
  'void',
  'while',
]);

/**
 * The property a CEL field name stands for: the apiserver escapes `__` `.` `-` `/` as
 * `__underscores__` `__dot__` `__dash__` `__slash__`, and reserved words as `__word__`.
 */
export function unescapeFieldName(name: string): string {
  const reserved = /^__([a-z]+)__$/.exec(name);
  if (reserved && CEL_RESERVED.has(reserved[1])) return reserved[1];
  return name.replace(FIELD_ESCAPE_PATTERN, (_, word: keyof typeof FIELD_ESCAPES) => FIELD_ESCAPES[word]);
}

const FIELD_ESCAPES = { underscores: '__', dot: '.', dash: '-', slash: '/' } as const;
// Built from FIELD_ESCAPES' keys, so every word the pattern captures is a key of it.
const FIELD_ESCAPE_PATTERN = new RegExp(`__(${Object.keys(FIELD_ESCAPES).join('|')})__`, 'g');

function visit(expr: Expr, scope: Scope, usage: { usesOldSelf: boolean }): void {
  const sub = (e: Expr, s: Scope = scope): void => {
    visit(e, s, usage);
  };
  switch (expr.k) {
    case 'lit':
      return;
    case 'ident':
      visitIdent(expr.name, scope, usage);
      return;
    case 'select':
    case 'has':
      sub(expr.operand);
      fieldSchema(schemaOf(expr.operand, scope), expr.field);
      return;
    case 'unary':
      sub(expr.operand);
      return;
    case 'index':
      sub(expr.operand);
      sub(expr.index);
      return;
    case 'binary':
      sub(expr.left);
      sub(expr.right);
      return;
    case 'cond':
      sub(expr.test);
      sub(expr.then);
      sub(expr.otherwise);
      return;
    case 'list':
      expr.items.forEach((e) => {
        sub(e);
      });
      return;
    case 'map':
      expr.entries.forEach((e) => {
        sub(e.key);
        sub(e.value);
      });
      return;
    case 'call':
      checkCall(expr, sub);
      return;
    case 'comprehension':
      visitComprehension(expr, scope, sub);
      return;
  }
}

function visitIdent(name: string, scope: Scope, usage: { usesOldSelf: boolean }): void {
  if (!scope.has(name)) throw new CelCompileError(`undeclared reference to '${name}'`);
  if (name === 'oldSelf') usage.usesOldSelf = true;
}

function visitComprehension(
  expr: Extract<Expr, { k: 'comprehension' }>,
  scope: Scope,
  sub: (e: Expr, s?: Scope) => void,
): void {
  sub(expr.target);
  const target = schemaOf(expr.target, scope);
  // Over a list the variable is an item; over a map it is a key (a string).
  const element = target?.type === 'array' ? target.items : undefined;
  const inner = new Map([...scope, [expr.variable, element]]);
  if (expr.filter) sub(expr.filter, inner);
  sub(expr.body, inner);
}

/** The schema of a field of an object schema; throws for a field the schema does not declare. */
function fieldSchema(object: Schema | undefined, escaped: string): Schema | undefined {
  if (!object || object.type !== 'object') return undefined;
  const name = unescapeFieldName(escaped);
  const declared = object.properties?.[name];
  if (declared) return declared;
  if (typeof object.additionalProperties === 'object') return object.additionalProperties;
  const open =
    object.additionalProperties === true ||
    object['x-kubernetes-preserve-unknown-fields'] === true ||
    ((object['x-kubernetes-embedded-resource'] === true || object.properties === undefined) &&
      ['apiVersion', 'kind', 'metadata'].includes(name));
  if (open) return undefined;
  throw new CelCompileError(`undefined field '${escaped}'`);
}

/** What schema an expression's value has, when that follows from field access alone. */
function schemaOf(expr: Expr, scope: Scope): Schema | undefined {
  switch (expr.k) {
    case 'ident':
      return scope.get(expr.name);
    case 'select':
      return fieldSchema(schemaOf(expr.operand, scope), expr.field);
    case 'index': {
      const operand = schemaOf(expr.operand, scope);
      if (operand?.type === 'array') return operand.items;
      return typeof operand?.additionalProperties === 'object' ? operand.additionalProperties : undefined;
    }
    default:
      return undefined;
  }
}

function checkCall(expr: Extract<Expr, { k: 'call' }>, sub: (e: Expr) => void): void {
  const table = expr.target ? METHODS : GLOBAL_FUNCTIONS;
  const known = Object.hasOwn(table, expr.fn) ? table[expr.fn] : undefined;
  if (!known) {
    throw new CelCompileError(`function '${expr.fn}' is not supported by the simulator's CEL subset`);
  }
  if (known.arity !== expr.args.length) {
    throw new CelCompileError(`found no matching overload for '${expr.fn}' with ${expr.args.length} arguments`);
  }
  if (expr.target) sub(expr.target);
  expr.args.forEach((a) => {
    sub(a);
  });
}
