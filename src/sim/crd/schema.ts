// The slice of a structural openAPIV3Schema (apiextensions.k8s.io/v1 JSONSchemaProps) that the CRD
// machinery walks itself, and field-path helpers shared by the walkers.

export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  format?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  not?: Schema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: ValidationRule[];
  [keyword: string]: unknown;
}

/** A position in an object: property names and list indices. */
export type PathSegment = string | number;

/** Renders a path like field.Path does: `spec.jobs[0].image`; the root is `<nil>`. */
export function formatPath(path: readonly PathSegment[]): string {
  if (path.length === 0) return '<nil>';
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A CRD field the schema makes a string (group, kind, plural); '' when it is absent or not a string. */
export function stringField(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The schema for a property of an object node, or undefined when the property is unknown. */
export function propertySchema(schema: Schema, key: string): Schema | undefined {
  const known = schema.properties?.[key];
  if (known) return known;
  const extra = schema.additionalProperties;
  if (extra === true) return {};
  return typeof extra === 'object' ? extra : undefined;
}

/** The fields of ObjectMeta the apiserver keeps; any other metadata field is pruned. */
export const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

export const TYPE_META_FIELDS = ['apiVersion', 'kind', 'metadata'];
