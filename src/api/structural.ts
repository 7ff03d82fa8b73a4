// Static checks of the rules a CRD's openAPIV3Schema must follow to be "structural" (Kubernetes
// apiextensions v1), so a schema mistake fails a unit test instead of `kubectl apply`.

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
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-validations',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-int-or-string',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-map-type',
]);
const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

function problemsAt(node: Record<string, unknown>, path: string): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(node))
    if (!ALLOWED_KEYS.has(key)) problems.push(`${path}: keyword ${key} is not allowed`);
  const open = node['x-kubernetes-preserve-unknown-fields'] === true || node['x-kubernetes-int-or-string'] === true;
  if (typeof node.type !== 'string' && !open) problems.push(`${path}: type is missing`);
  if (typeof node.type === 'string' && !TYPES.has(node.type)) problems.push(`${path}: unknown type ${node.type}`);
  if (node.properties !== undefined && node.additionalProperties !== undefined)
    problems.push(`${path}: properties and additionalProperties together`);
  if (node.additionalProperties === false) problems.push(`${path}: additionalProperties: false is not allowed`);
  if (node.type === 'object' && !node.properties && !node.additionalProperties && !open && path !== '.metadata') {
    problems.push(
      `${path}: object without properties would be pruned empty (mark it x-kubernetes-preserve-unknown-fields)`,
    );
  }
  if (node.type === 'array' && typeof node.items !== 'object') problems.push(`${path}: array without items`);
  if (Array.isArray(node.required)) {
    const props = (node.properties ?? {}) as Record<string, unknown>;
    for (const name of node.required as string[])
      if (!(name in props)) problems.push(`${path}: required ${name} is not a property`);
  }
  return problems;
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
