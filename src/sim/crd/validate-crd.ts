// Validation of a CustomResourceDefinition object itself (apiextensions.k8s.io/v1).

import type { KubeObject } from '../types.ts';
import { fieldErrors } from './errors.ts';
import type { FieldError } from './errors.ts';
import { JsonPathError, compileJsonPath } from './jsonpath.ts';
import { isDns1123Subdomain } from './names.ts';
import { isPlainObject, stringField } from './schema.ts';
import { validateSchema } from './validate-schema.ts';

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_MESSAGE =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const COLUMN_TYPES = ['integer', 'number', 'string', 'boolean', 'date'];
const COLUMN_FORMATS = ['int32', 'int64', 'float', 'double', 'byte', 'date', 'date-time', 'password'];

/**
 * Validates a CRD like the real apiextensions-apiserver: metadata.name is `<plural>.<group>`, names
 * (plural, singular, kind, listKind, shortNames, categories), scope, versions (unique names, exactly
 * one storage version), structural schemas (a type at every level unless
 * x-kubernetes-preserve-unknown-fields or x-kubernetes-int-or-string), printer columns, and every
 * x-kubernetes-validations rule.
 *
 * The CEL evaluator implements a SUBSET of CEL (cel/parser.ts lists it). A rule outside that subset
 * makes the CRD Invalid (`...x-kubernetes-validations[0].rule: Invalid value: "<rule>": compilation
 * failed: ...`) rather than being silently skipped at admission. With `old` (an update), spec.group
 * and spec.scope are immutable and versions in status.storedVersions may not be removed.
 */
export function validateCrd(crd: KubeObject, old?: KubeObject): FieldError[] {
  const spec = isPlainObject(crd.spec) ? crd.spec : {};
  const errors: FieldError[] = [
    ...groupErrors(spec.group),
    ...namesErrors(spec.names),
    ...scopeErrors(spec.scope),
    ...versionsErrors(spec.versions),
  ];
  const names = isPlainObject(spec.names) ? spec.names : {};
  const expectedName = `${stringField(names.plural)}.${stringField(spec.group)}`;
  if (crd.metadata.name !== expectedName) {
    errors.unshift(
      fieldErrors.invalid('metadata.name', crd.metadata.name ?? '', 'must be spec.names.plural+"."+spec.group'),
    );
  }
  if (old) errors.push(...updateErrors(spec, old));
  return errors;
}

function groupErrors(group: unknown): FieldError[] {
  if (typeof group !== 'string' || group === '') return [fieldErrors.required('spec.group')];
  if (!isDns1123Subdomain(group))
    return [fieldErrors.invalid('spec.group', group, 'a lowercase RFC 1123 subdomain is required')];
  if (!group.includes('.'))
    return [fieldErrors.invalid('spec.group', group, 'should be a domain with at least one dot')];
  return [];
}

function dns1035(field: string, value: unknown, required: boolean): FieldError[] {
  if (value === undefined || value === '') return required ? [fieldErrors.required(field)] : [];
  if (typeof value !== 'string' || value.length > 63 || !DNS1035_LABEL.test(value))
    return [fieldErrors.invalid(field, value, DNS1035_MESSAGE)];
  return [];
}

function kindErrors(field: string, value: unknown): FieldError[] {
  if (value === undefined || value === '') return [fieldErrors.required(field)];
  if (typeof value !== 'string' || !DNS1035_LABEL.test(value.toLowerCase())) {
    return [
      fieldErrors.invalid(field, value, 'may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?'),
    ];
  }
  return [];
}

function namesErrors(value: unknown): FieldError[] {
  if (!isPlainObject(value)) return [fieldErrors.required('spec.names')];
  const errors = [
    ...dns1035('spec.names.plural', value.plural, true),
    ...dns1035('spec.names.singular', value.singular, false),
    ...kindErrors('spec.names.kind', value.kind),
  ];
  if (value.listKind !== undefined && value.listKind !== '') {
    errors.push(...kindErrors('spec.names.listKind', value.listKind));
    if (value.listKind === value.kind)
      errors.push(fieldErrors.invalid('spec.names.listKind', value.listKind, 'kind and listKind may not be the same'));
  }
  for (const list of ['shortNames', 'categories'] as const) {
    const items = value[list];
    if (items === undefined) continue;
    if (!Array.isArray(items))
      errors.push(fieldErrors.invalid(`spec.names.${list}`, items, 'must be a list of strings'));
    else items.forEach((item, i) => errors.push(...dns1035(`spec.names.${list}[${i}]`, item, true)));
  }
  return errors;
}

function scopeErrors(scope: unknown): FieldError[] {
  if (scope === undefined || scope === '') return [fieldErrors.required('spec.scope')];
  if (scope !== 'Namespaced' && scope !== 'Cluster')
    return [fieldErrors.notSupported('spec.scope', scope, ['Cluster', 'Namespaced'])];
  return [];
}

function versionsErrors(value: unknown): FieldError[] {
  if (!Array.isArray(value) || value.length === 0)
    return [fieldErrors.required('spec.versions', 'must have at least one version')];
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  value.forEach((v: unknown, i) => {
    const at = `spec.versions[${i}]`;
    if (!isPlainObject(v)) return void errors.push(fieldErrors.invalid(at, v, 'must be an object'));
    errors.push(...dns1035(`${at}.name`, v.name, true));
    if (typeof v.name === 'string' && seen.has(v.name)) errors.push(fieldErrors.duplicate(`${at}.name`, v.name));
    seen.add(String(v.name));
    const schema = isPlainObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
    errors.push(
      ...validateSchema(schema, `${at}.schema.openAPIV3Schema`),
      ...printerColumnErrors(v.additionalPrinterColumns, at),
    );
    if (v.subresources !== undefined && !isPlainObject(v.subresources))
      errors.push(fieldErrors.invalid(`${at}.subresources`, v.subresources, 'must be an object'));
  });
  const storage = value.filter((v: unknown) => isPlainObject(v) && v.storage === true).length;
  if (storage !== 1)
    errors.push(
      fieldErrors.invalid(
        'spec.versions',
        value.map((v: unknown) => (isPlainObject(v) ? v.name : v)),
        'must have exactly one version marked as storage version',
      ),
    );
  if (!value.some((v: unknown) => isPlainObject(v) && v.served === true)) {
    errors.push(
      fieldErrors.invalid(
        'spec.versions',
        value.map((v: unknown) => (isPlainObject(v) ? v.name : v)),
        'must have at least one served version',
      ),
    );
  }
  return errors;
}

function printerColumnErrors(value: unknown, versionPath: string): FieldError[] {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    return [fieldErrors.invalid(`${versionPath}.additionalPrinterColumns`, value, 'must be a list')];
  return value.flatMap((col: unknown, i) => {
    const at = `${versionPath}.additionalPrinterColumns[${i}]`;
    if (!isPlainObject(col)) return [fieldErrors.invalid(at, col, 'must be an object')];
    const errors: FieldError[] = [];
    if (typeof col.name !== 'string' || col.name === '') errors.push(fieldErrors.required(`${at}.name`));
    if (!COLUMN_TYPES.includes(String(col.type)))
      errors.push(fieldErrors.notSupported(`${at}.type`, col.type, COLUMN_TYPES));
    if (
      col.format !== undefined &&
      col.format !== '' &&
      (typeof col.format !== 'string' || !COLUMN_FORMATS.includes(col.format))
    )
      errors.push(fieldErrors.notSupported(`${at}.format`, col.format, COLUMN_FORMATS));
    if (col.priority !== undefined && !(Number.isInteger(col.priority) && (col.priority as number) >= 0))
      errors.push(fieldErrors.invalid(`${at}.priority`, col.priority, 'must be a non-negative integer'));
    errors.push(...jsonPathErrors(`${at}.jsonPath`, col.jsonPath));
    return errors;
  });
}

function jsonPathErrors(field: string, path: unknown): FieldError[] {
  if (typeof path !== 'string' || path === '') return [fieldErrors.required(field)];
  if (!path.startsWith('.')) return [fieldErrors.invalid(field, path, 'must be a simple json path starting with .')];
  try {
    compileJsonPath(path);
    return [];
  } catch (err) {
    if (err instanceof JsonPathError)
      return [fieldErrors.invalid(field, path, `must be a simple json path starting with .: ${err.message}`)];
    throw err;
  }
}

function updateErrors(spec: Record<string, unknown>, old: KubeObject): FieldError[] {
  const oldSpec = isPlainObject(old.spec) ? old.spec : {};
  const errors: FieldError[] = [];
  for (const field of ['group', 'scope'] as const) {
    if (oldSpec[field] !== undefined && spec[field] !== oldSpec[field])
      errors.push(fieldErrors.invalid(`spec.${field}`, spec[field], 'field is immutable'));
  }
  const versions = new Set(
    (Array.isArray(spec.versions) ? spec.versions : []).map((v: unknown) => (isPlainObject(v) ? v.name : undefined)),
  );
  const status = isPlainObject(old.status) ? old.status : {};
  const stored = Array.isArray(status.storedVersions) ? status.storedVersions : [];
  stored.forEach((name: unknown, i) => {
    if (!versions.has(name))
      errors.push(fieldErrors.invalid(`status.storedVersions[${i}]`, name, 'must appear in spec.versions'));
  });
  return errors;
}
