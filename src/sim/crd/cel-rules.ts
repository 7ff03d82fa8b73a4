// x-kubernetes-validations: compiles every rule of a schema once, and evaluates them over an object,
// with oldSelf correlated to the stored object on updates (by property name, by list-map keys, by set
// value; atomic lists do not correlate, as in the apiserver).

import type { CelValue } from './cel/ast.ts';
import { UNORDERED_LIST } from './cel/evaluate.ts';
import { CelEvalError, compileCel } from './cel/program.ts';
import type { CelProgram } from './cel/program.ts';
import { fieldErrors } from './errors.ts';
import type { FieldError } from './errors.ts';
import { formatPath, isPlainObject, propertySchema } from './schema.ts';
import type { PathSegment, Schema, ValidationRule } from './schema.ts';
import { canonicalJson } from './structural-checks.ts';

interface CompiledRule {
  rule: ValidationRule;
  program: CelProgram;
  message?: CelProgram;
}

/** Where a rule sits in the schema, for errors in validateCrd. */
export interface RuleLocation {
  schemaPath: PathSegment[];
  index: number;
}

export class CelRuleError extends Error {
  readonly location: RuleLocation;
  readonly rule: string;
  constructor(message: string, location: RuleLocation, rule: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CelRuleError';
    this.location = location;
    this.rule = rule;
  }
}

export type CompiledRules = WeakMap<Schema, CompiledRule[]>;

/** Compiles all rules in the schema tree; throws CelRuleError for the first rule outside the subset. */
export function compileRules(schema: Schema): CompiledRules {
  const out: CompiledRules = new WeakMap();
  forEachSchema(schema, [], (node, schemaPath) => {
    const rules = node['x-kubernetes-validations'];
    if (!rules?.length) return;
    out.set(
      node,
      rules.map((rule, index) => compileRule(rule, { schemaPath, index }, celSchemaFor(node, schemaPath))),
    );
  });
  return out;
}

/** What CEL sees of metadata at a resource's root: only name and generateName, as in the apiserver. */
const CEL_METADATA: Schema = {
  type: 'object',
  properties: { name: { type: 'string' }, generateName: { type: 'string' } },
};

/** The schema CEL rules at this node are checked against (the root gets its metadata view). */
export function celSchemaFor(node: Schema, schemaPath: PathSegment[]): Schema {
  if (schemaPath.length > 0 && node['x-kubernetes-embedded-resource'] !== true) return node;
  return { ...node, properties: { ...node.properties, metadata: CEL_METADATA } };
}

function compileRule(rule: ValidationRule, location: RuleLocation, schema: Schema): CompiledRule {
  try {
    const program = compileCel(rule.rule, { schema });
    const message = rule.messageExpression ? compileCel(rule.messageExpression, { schema }) : undefined;
    return { rule, program, message };
  } catch (err) {
    throw new CelRuleError(`compilation failed: ${(err as Error).message}`, location, rule.rule, { cause: err });
  }
}

/** Visits every schema node with its path in schema terms (properties.x, items, additionalProperties). */
export function forEachSchema(schema: Schema, path: PathSegment[], fn: (s: Schema, p: PathSegment[]) => void): void {
  fn(schema, path);
  for (const [key, child] of Object.entries(schema.properties ?? {}))
    forEachSchema(child, [...path, 'properties', key], fn);
  if (schema.items) forEachSchema(schema.items, [...path, 'items'], fn);
  if (typeof schema.additionalProperties === 'object') {
    forEachSchema(schema.additionalProperties, [...path, 'additionalProperties'], fn);
  }
}

export function evaluateRules(obj: unknown, old: unknown, schema: Schema, rules: CompiledRules): FieldError[] {
  const errors: FieldError[] = [];
  visit({ value: obj, old, schema, path: [], rules, errors });
  return errors;
}

interface Visit {
  value: unknown;
  old: unknown;
  schema: Schema;
  path: PathSegment[];
  rules: CompiledRules;
  errors: FieldError[];
}

function visit(v: Visit): void {
  if (v.value === undefined || v.value === null) return;
  runRulesAt(v);
  visitChildren(v);
}

/** The rules of this node's own schema. */
function runRulesAt(v: Visit): void {
  // Ratcheting: a rule that does not look at oldSelf is not re-checked on a value the update left alone.
  const unchanged = v.old !== undefined && canonicalJson(v.old) === canonicalJson(v.value);
  for (const compiled of v.rules.get(v.schema) ?? []) {
    if (compiled.program.usesOldSelf ? v.old === undefined || v.old === null : unchanged) continue;
    const err = runRule(compiled, v);
    if (err) v.errors.push(err);
  }
}

function visitChildren(v: Visit): void {
  if (Array.isArray(v.value) && v.schema.items) {
    const items = v.schema.items;
    v.value.forEach((item, i) => {
      visit({ ...v, value: item, old: correlateItem(item, v.old, v.schema), schema: items, path: [...v.path, i] });
    });
  } else if (isPlainObject(v.value)) {
    for (const [key, child] of Object.entries(v.value)) {
      const childSchema = propertySchema(v.schema, key);
      const old = isPlainObject(v.old) ? v.old[key] : undefined;
      if (childSchema) visit({ ...v, value: child, old, schema: childSchema, path: [...v.path, key] });
    }
  }
}

function correlateItem(item: unknown, oldList: unknown, listSchema: Schema): unknown {
  if (!Array.isArray(oldList)) return undefined;
  const listType = listSchema['x-kubernetes-list-type'];
  if (listType === 'set') return oldList.find((o) => canonicalJson(o) === canonicalJson(item));
  if (listType !== 'map' || !isPlainObject(item)) return undefined;
  const keys = listSchema['x-kubernetes-list-map-keys'] ?? [];
  return oldList.find((o) => isPlainObject(o) && keys.every((k) => canonicalJson(o[k]) === canonicalJson(item[k])));
}

function runRule(compiled: CompiledRule, v: Visit): FieldError | undefined {
  const field = formatPath([...v.path, ...parseFieldPath(compiled.rule.fieldPath)]);
  const vars = {
    self: toCelValue(v.value, v.schema),
    oldSelf: compiled.program.usesOldSelf ? toCelValue(v.old, v.schema) : undefined,
  };
  let result: CelValue;
  try {
    result = compiled.program.run(vars);
  } catch (err) {
    if (!(err instanceof CelEvalError)) throw err;
    return fieldErrors.invalid(field, v.schema.type ?? '', `${err.message} evaluating rule: ${compiled.rule.rule}`);
  }
  if (result === true) return undefined;
  if (result !== false) {
    return fieldErrors.invalid(field, v.schema.type ?? '', `rule did not evaluate to a boolean: ${compiled.rule.rule}`);
  }
  return ruleFailure(compiled, field, v.schema, vars);
}

function ruleFailure(
  compiled: CompiledRule,
  field: string,
  schema: Schema,
  vars: { self: CelValue; oldSelf?: CelValue },
): FieldError {
  const message = ruleMessage(compiled, vars);
  switch (compiled.rule.reason) {
    case 'FieldValueForbidden':
      return fieldErrors.forbidden(field, message);
    case 'FieldValueRequired':
      return fieldErrors.required(field, message);
    // Like the apiserver's fieldErrorForReason: a Duplicate carries the type, not the message.
    case 'FieldValueDuplicate':
      return fieldErrors.duplicate(field, schema.type ?? '');
    default:
      return fieldErrors.invalid(field, schema.type ?? '', message);
  }
}

/** messageExpression wins when it yields a non-empty string; then message; then `failed rule: <rule>`. */
function ruleMessage(compiled: CompiledRule, vars: { self: CelValue; oldSelf?: CelValue }): string {
  if (compiled.message) {
    try {
      const text = compiled.message.run(vars);
      if (typeof text === 'string' && text.trim() !== '') return text;
    } catch (err) {
      // A messageExpression that fails falls back to the static message, as the apiserver does.
      if (!(err instanceof CelEvalError)) throw err;
    }
  }
  return compiled.rule.message ?? `failed rule: ${compiled.rule.rule}`;
}

/**
 * The CEL view of a JSON value: integers become int (bigint) unless the schema says `number`, and
 * set/map lists are marked so that CEL equality ignores their order.
 */
function toCelValue(value: unknown, schema: Schema | undefined): CelValue {
  if (typeof value === 'number') return Number.isInteger(value) && schema?.type !== 'number' ? BigInt(value) : value;
  if (Array.isArray(value)) {
    const out = value.map((item) => toCelValue(item, schema?.items));
    const listType = schema?.['x-kubernetes-list-type'];
    if (listType === 'set' || listType === 'map') Object.defineProperty(out, UNORDERED_LIST, { value: true });
    return out;
  }
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, child]) => [k, toCelValue(child, schema && propertySchema(schema, k))]),
    );
  }
  return value as CelValue;
}

/** `.spec.items['a.b'][0]` -> ['spec', 'items', 'a.b', 0]; the apiserver allows this JSONPath-like form. */
export function parseFieldPath(fieldPath: string | undefined): PathSegment[] {
  if (!fieldPath) return [];
  const segments: PathSegment[] = [];
  const re = /\.([A-Za-z0-9_-]+)|\['([^']*)'\]|\[(\d+)\]/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(fieldPath)) !== null) {
    segments.push(m.at(1) ?? m.at(2) ?? Number(m.at(3)));
    if (re.lastIndex === fieldPath.length) return segments;
  }
  throw new Error(`invalid fieldPath ${JSON.stringify(fieldPath)}`);
}
