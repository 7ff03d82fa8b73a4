// Structural-schema rules for one version's openAPIV3Schema, as apiextensions-apiserver checks them:
// a type at every level (unless preserve-unknown-fields or int-or-string), no properties together with
// additionalProperties, consistent list-type/map-keys, a root metadata limited to name/generateName,
// defaults that validate, and x-kubernetes-validations rules that compile in the CEL subset.

import { celSchemaFor, forEachSchema, parseFieldPath } from './cel-rules.ts';
import { CelCompileError, compileCel } from './cel/program.ts';
import { fieldErrors } from './errors.ts';
import type { FieldError } from './errors.ts';
import { isPlainObject } from './schema.ts';
import type { PathSegment, Schema, ValidationRule } from './schema.ts';
import { compileSchemaValidator } from './schema-validator.ts';

const TYPES = ['object', 'array', 'string', 'integer', 'number', 'boolean'];

export function validateSchema(schema: unknown, base: string): FieldError[] {
  if (!isPlainObject(schema)) return [fieldErrors.required(base, 'schemas are required')];
  const root = schema as Schema;
  const errors: FieldError[] = [];
  if (root.type !== 'object')
    errors.push(fieldErrors.invalid(`${base}.type`, root.type ?? '', 'must be object at the root'));
  errors.push(...rootMetadata(root, base));
  forEachSchema(root, [], (node, path) => errors.push(...nodeErrors(node, schemaPath(base, path), path.length === 0)));
  // Rules and defaults are only checked on an otherwise sound schema: they rely on its shape.
  if (errors.length === 0) errors.push(...celErrors(root, base), ...compileErrors(root, base));
  return errors;
}

/** `properties.spec.items` -> `.properties[spec].items`, as the apiserver names schema positions. */
function schemaPath(base: string, path: PathSegment[]): string {
  let out = base;
  for (let i = 0; i < path.length; i++) {
    if (path[i] === 'properties') out += `.properties[${String(path[++i])}]`;
    else out += `.${String(path[i])}`;
  }
  return out;
}

function nodeErrors(node: Schema, at: string, isRoot: boolean): FieldError[] {
  return [
    ...typeErrors(node, at, isRoot),
    ...shapeErrors(node, at),
    ...keywordErrors(node, at),
    ...listTypeErrors(node, at),
    ...embeddedErrors(node, at),
  ];
}

function typeErrors(node: Schema, at: string, isRoot: boolean): FieldError[] {
  const untyped = node['x-kubernetes-preserve-unknown-fields'] === true || node['x-kubernetes-int-or-string'] === true;
  if (node.type === undefined && !untyped) {
    return [
      fieldErrors.required(
        `${at}.type`,
        isRoot ? 'must not be empty at the root' : 'must not be empty for specified object fields',
      ),
    ];
  }
  if (node.type !== undefined && !TYPES.includes(node.type)) {
    return [fieldErrors.notSupported(`${at}.type`, node.type, TYPES)];
  }
  return [];
}

/** What an object's properties and an array's items must look like. */
function shapeErrors(node: Schema, at: string): FieldError[] {
  const errors: FieldError[] = [];
  if (node.properties && node.additionalProperties !== undefined && node.additionalProperties !== false) {
    errors.push(
      fieldErrors.forbidden(`${at}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'),
    );
  }
  if (node.type === 'array' && !node.items) errors.push(fieldErrors.required(`${at}.items`, 'must be specified'));
  if (Array.isArray(node.items))
    errors.push(fieldErrors.forbidden(`${at}.items`, 'items must be a schema object and not an array'));
  return errors;
}

/** pattern, x-kubernetes-validations, and the keywords a structural schema forbids. */
function keywordErrors(node: Schema, at: string): FieldError[] {
  const errors: FieldError[] = [];
  if (node.pattern !== undefined) errors.push(...patternErrors(node.pattern, `${at}.pattern`));
  const rules = node['x-kubernetes-validations'];
  if (rules !== undefined && (!Array.isArray(rules) || !rules.every(isPlainObject))) {
    errors.push(fieldErrors.invalid(`${at}.x-kubernetes-validations`, rules, 'must be a list of validation rules'));
  }
  if (node.uniqueItems === true)
    errors.push(
      fieldErrors.forbidden(
        `${at}.uniqueItems`,
        'uniqueItems cannot be set to true since the runtime complexity becomes quadratic',
      ),
    );
  if (node.$ref !== undefined) errors.push(fieldErrors.forbidden(`${at}.$ref`, '$ref is not supported'));
  return errors;
}

/** Kubernetes patterns are RE2; JavaScript accepts the common syntax, so refuse what ajv could not run. */
function patternErrors(pattern: unknown, at: string): FieldError[] {
  try {
    new RegExp(String(pattern), 'u');
    return [];
  } catch (err) {
    return [
      fieldErrors.invalid(at, pattern, `must be a valid regular expression, but isn't: ${(err as Error).message}`),
    ];
  }
}

function listTypeErrors(node: Schema, at: string): FieldError[] {
  const listType = node['x-kubernetes-list-type'];
  const keys = node['x-kubernetes-list-map-keys'];
  if (listType === undefined) {
    return keys
      ? [fieldErrors.forbidden(`${at}.x-kubernetes-list-map-keys`, 'must only be set if x-kubernetes-list-type is map')]
      : [];
  }
  if (node.type !== 'array')
    return [fieldErrors.invalid(`${at}.type`, node.type ?? '', 'must be array if x-kubernetes-list-type is specified')];
  if (!['atomic', 'set', 'map'].includes(listType)) {
    return [fieldErrors.notSupported(`${at}.x-kubernetes-list-type`, listType, ['atomic', 'set', 'map'])];
  }
  if (listType !== 'map') {
    return keys
      ? [fieldErrors.forbidden(`${at}.x-kubernetes-list-map-keys`, 'must only be set if x-kubernetes-list-type is map')]
      : [];
  }
  if (!keys?.length)
    return [
      fieldErrors.required(`${at}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'),
    ];
  const items = node.items;
  if (items?.type !== 'object')
    return [
      fieldErrors.invalid(
        `${at}.items.type`,
        items?.type ?? '',
        "must be object if parent array's x-kubernetes-list-type is map",
      ),
    ];
  return keys.flatMap((k, i) =>
    items.properties?.[k]
      ? []
      : [
          fieldErrors.invalid(
            `${at}.x-kubernetes-list-map-keys[${i}]`,
            k,
            'entries must all be names of item properties',
          ),
        ],
  );
}

function embeddedErrors(node: Schema, at: string): FieldError[] {
  if (node['x-kubernetes-embedded-resource'] !== true) return [];
  if (node.type !== 'object')
    return [
      fieldErrors.invalid(`${at}.type`, node.type ?? '', 'must be object if x-kubernetes-embedded-resource is true'),
    ];
  if (!node.properties && node['x-kubernetes-preserve-unknown-fields'] !== true) {
    return [
      fieldErrors.required(
        `${at}.properties`,
        'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields',
      ),
    ];
  }
  return [];
}

/** Only name and generateName may be constrained, and only as strings. */
function rootMetadata(root: Schema, base: string): FieldError[] {
  const meta = root.properties?.metadata;
  if (!meta) return [];
  const allowedKeys = ['type', 'properties'];
  const extraKeys = Object.keys(meta).filter((k) => !allowedKeys.includes(k));
  const props = Object.keys(meta.properties ?? {});
  const badProps = props.filter((p) => p !== 'name' && p !== 'generateName');
  if (meta.type !== 'object' || extraKeys.length > 0 || badProps.length > 0) {
    return [
      fieldErrors.forbidden(
        `${base}.properties[metadata]`,
        'must not specify anything other than name and generateName, but metadata is implicitly specified',
      ),
    ];
  }
  return [];
}

function celErrors(root: Schema, base: string): FieldError[] {
  const errors: FieldError[] = [];
  const uncorrelatable = uncorrelatableNodes(root);
  forEachSchema(root, [], (node, path) => {
    (node['x-kubernetes-validations'] ?? []).forEach((rule, i) => {
      const at = `${schemaPath(base, path)}.x-kubernetes-validations[${i}]`;
      if (typeof rule.rule !== 'string' || rule.rule.trim() === '') errors.push(fieldErrors.required(`${at}.rule`));
      else errors.push(...compileFailures(rule, at, celSchemaFor(node, path)));
      if (uncorrelatable.has(node) && isTransitionRule(rule.rule)) {
        errors.push(
          fieldErrors.forbidden(
            `${at}.rule`,
            `oldSelf cannot be used on the uncorrelatable portion of the schema within ${schemaPath(base, path)}`,
          ),
        );
      }
      if (
        rule.reason !== undefined &&
        !['FieldValueInvalid', 'FieldValueForbidden', 'FieldValueRequired', 'FieldValueDuplicate'].includes(rule.reason)
      ) {
        errors.push(
          fieldErrors.notSupported(`${at}.reason`, rule.reason, [
            'FieldValueInvalid',
            'FieldValueForbidden',
            'FieldValueRequired',
            'FieldValueDuplicate',
          ]),
        );
      }
      try {
        parseFieldPath(rule.fieldPath);
      } catch (e) {
        errors.push(fieldErrors.invalid(`${at}.fieldPath`, rule.fieldPath, (e as Error).message));
      }
    });
  });
  return errors;
}

/**
 * Schema nodes inside atomic lists: an item there has no counterpart in the old object, so a
 * transition rule there could never run; the apiserver refuses such rules.
 */
function uncorrelatableNodes(root: Schema): Set<Schema> {
  const out = new Set<Schema>();
  const visit = (node: Schema, uncorrelatable: boolean): void => {
    if (uncorrelatable) out.add(node);
    for (const child of Object.values(node.properties ?? {})) visit(child, uncorrelatable);
    if (typeof node.additionalProperties === 'object') visit(node.additionalProperties, uncorrelatable);
    const listType = node['x-kubernetes-list-type'];
    if (node.items) visit(node.items, uncorrelatable || (listType !== 'map' && listType !== 'set'));
  };
  visit(root, false);
  return out;
}

function isTransitionRule(source: unknown): boolean {
  if (typeof source !== 'string') return false;
  try {
    return compileCel(source).usesOldSelf;
  } catch (err) {
    // A rule that does not compile is reported by compileFailures; it is no transition rule here.
    if (err instanceof CelCompileError) return false;
    throw err;
  }
}

function compileFailures(rule: ValidationRule, at: string, schema: Schema): FieldError[] {
  const errors: FieldError[] = [];
  for (const key of ['rule', 'messageExpression'] as const) {
    const source = rule[key];
    if (source === undefined) continue;
    try {
      compileCel(source, { schema });
    } catch (err) {
      if (!(err instanceof CelCompileError)) throw err;
      errors.push(fieldErrors.invalid(`${at}.${key}`, source, `compilation failed: ${err.message}`));
    }
  }
  return errors;
}

/** ajv must accept the schema, and every default must validate against the schema it sits in. */
function compileErrors(root: Schema, base: string): FieldError[] {
  try {
    compileSchemaValidator(root);
  } catch (err) {
    return [fieldErrors.invalid(base, 'object', `schema could not be compiled: ${(err as Error).message}`)];
  }
  const errors: FieldError[] = [];
  forEachSchema(root, [], (node, path) => {
    if (node.default === undefined || path.length === 0) return;
    const { default: value, ...withoutDefault } = node;
    errors.push(...compileSchemaValidator(withoutDefault)(value, { basePath: [`${schemaPath(base, path)}.default`] }));
  });
  return errors;
}
