// Static checks of the rules a CRD's openAPIV3Schema must follow to be "structural" (Kubernetes
// apiextensions v1), so a schema mistake fails a unit test instead of `kubectl apply`.

/** The Kubernetes extensions of OpenAPI a CRD schema may use (also ajv's extra vocabulary in validate.ts). */
export const KUBERNETES_KEYWORDS: readonly string[] = [
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-validations',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-int-or-string',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-map-type',
];

const ALLOWED_KEYS = new Set([
  'type',
  'format',
  'description',
  'title',
  'properties',
  'required',
  'items',
  'additionalProperties',
  'enum',
  'default',
  'nullable',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'example',
  ...KUBERNETES_KEYWORDS,
]);
const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

/** Keywords outside the structural subset. */
function keywordProblems(node: Record<string, unknown>, path: string): string[] {
  return Object.keys(node)
    .filter((key) => !ALLOWED_KEYS.has(key))
    .map((key) => `${path}: keyword ${key} is not allowed`);
}

/** A schema that keeps unknown fields or is int-or-string needs no type and no properties. */
function isOpen(node: Record<string, unknown>): boolean {
  return node['x-kubernetes-preserve-unknown-fields'] === true || node['x-kubernetes-int-or-string'] === true;
}

function typeProblems(node: Record<string, unknown>, path: string): string[] {
  if (typeof node.type !== 'string') return isOpen(node) ? [] : [`${path}: type is missing`];
  return TYPES.has(node.type) ? [] : [`${path}: unknown type ${node.type}`];
}

/** What an object or array node must say about its members. */
function memberProblems(node: Record<string, unknown>, path: string): string[] {
  const problems: string[] = [];
  if (node.properties !== undefined && node.additionalProperties !== undefined)
    problems.push(`${path}: properties and additionalProperties together`);
  if (node.additionalProperties === false) problems.push(`${path}: additionalProperties: false is not allowed`);
  if (
    node.type === 'object' &&
    !node.properties &&
    !node.additionalProperties &&
    !isOpen(node) &&
    path !== '.metadata'
  ) {
    problems.push(
      `${path}: object without properties would be pruned empty (mark it x-kubernetes-preserve-unknown-fields)`,
    );
  }
  if (node.type === 'array' && typeof node.items !== 'object') problems.push(`${path}: array without items`);
  return problems;
}

function requiredProblems(node: Record<string, unknown>, path: string): string[] {
  if (!Array.isArray(node.required)) return [];
  const props = (node.properties ?? {}) as Record<string, unknown>;
  return (node.required as string[])
    .filter((name) => !(name in props))
    .map((name) => `${path}: required ${name} is not a property`);
}

function problemsAt(node: Record<string, unknown>, path: string): string[] {
  return [
    ...keywordProblems(node, path),
    ...typeProblems(node, path),
    ...memberProblems(node, path),
    ...requiredProblems(node, path),
  ];
}

function listMapKeyProblems(node: Record<string, unknown>, path: string): string[] {
  const keys = node['x-kubernetes-list-map-keys'];
  if (!Array.isArray(keys)) return [];
  const items = (node.items ?? {}) as Record<string, unknown>;
  const required = (items.required ?? []) as string[];
  return (keys as string[])
    .filter((k) => !required.includes(k))
    .map((k) => `${path}: list-map key ${k} must be required in items`);
}

/** Every rule violation found in `schema`, as `<path>: <problem>`; empty when it is structural. */
export function structuralProblems(schema: Record<string, unknown>, path = ''): string[] {
  const problems = [...problemsAt(schema, path || '.'), ...listMapKeyProblems(schema, path)];
  const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  for (const [name, child] of Object.entries(props)) problems.push(...structuralProblems(child, `${path}.${name}`));
  if (typeof schema.items === 'object' && schema.items)
    problems.push(...structuralProblems(schema.items as Record<string, unknown>, `${path}[]`));
  if (typeof schema.additionalProperties === 'object' && schema.additionalProperties) {
    problems.push(...structuralProblems(schema.additionalProperties as Record<string, unknown>, `${path}{}`));
  }
  return problems;
}
