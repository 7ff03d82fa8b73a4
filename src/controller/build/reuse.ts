// Rerun reuse (pure): whether a job a rerun's script asks for is the one that succeeded in the
// original build, same name and same spec, so that its recorded result is returned instead of
// running it again. The spec is compared normalised: what differs between two builds by
// construction (the build name, the job's own env Secret name) is taken out, and so is every field
// equal to its CRD default (the stored original has them filled in, the wanted job may not).
import { createHash } from 'node:crypto';
import { JobSpecSchema } from '../../api/job-schema.ts';
import { jobSecretName } from '../../api/names.ts';
import type { JobCR } from '../../api/types.ts';

interface SchemaNode {
  default?: unknown;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

/** `value` without the fields that hold their schema default (recursively through objects and arrays). */
function withoutDefaults(schema: SchemaNode | undefined, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutDefaults(schema?.items, v));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    const child = schema?.properties?.[key];
    if (child && 'default' in child && canonical(child.default) === canonical(v)) continue;
    out[key] = withoutDefaults(child, v);
  }
  return out;
}

/** JSON with object keys sorted, so equal values give equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return value === undefined ? 'null' : JSON.stringify(value);
}

const OWN_SECRET = '<the job env Secret>';

/** SHA-256 of the job's normalised spec: equal for the same job request in two builds of one event. */
export function jobSpecDigest(job: JobCR): string {
  const own = jobSecretName(job.metadata.name ?? '');
  const spec: Record<string, unknown> = { ...job.spec };
  delete spec['build'];
  delete spec['reusedFrom'];
  spec['env'] = job.spec.env?.map((e) =>
    e.valueFrom?.secretKeyRef?.name === own
      ? { ...e, valueFrom: { ...e.valueFrom, secretKeyRef: { ...e.valueFrom.secretKeyRef, name: OWN_SECRET } } }
      : e,
  );
  if (spec['env'] === undefined) delete spec['env'];
  const normalised = withoutDefaults(JobSpecSchema, spec);
  return createHash('sha256').update(canonical(normalised)).digest('hex');
}

export interface ReuseCandidate {
  /** The Job CR the rerun would create. */
  wanted: JobCR;
  /** The values of its env Secret (project secrets the env refers to). */
  secretData: Readonly<Record<string, string>>;
  /** The original build's Job CR of the same job name, if any. */
  original: JobCR | undefined;
  /** The values of the original's env Secret, when it had one. */
  originalSecretData: Readonly<Record<string, string>> | undefined;
}

/** Why the original's result cannot stand for this job (undefined: it can). */
export function reuseRefusal(c: ReuseCandidate): string | undefined {
  if (!c.original) return 'the original build has no job of this name';
  if (c.original.status?.phase !== 'Succeeded') return `the job ended ${c.original.status?.phase ?? 'unfinished'}`;
  if (jobSpecDigest(c.original) !== jobSpecDigest(c.wanted)) return 'the job spec differs';
  // Secret values are compared, never hashed into anything stored: a rotated secret runs the job again.
  if (canonical(c.secretData) !== canonical(c.originalSecretData ?? {})) return 'the env secret values differ';
  return undefined;
}
