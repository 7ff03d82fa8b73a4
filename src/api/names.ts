// Deterministic names of the objects the operator creates. Every one is a DNS-1123 label of at most
// 63 characters, so it is valid as an object name, a label value and a batch/v1 Job name (whose pods
// carry it in a label). A name that had to be shortened or cleaned up, or that combines several
// names, ends in a hash of its inputs, so different inputs never collide.
import { createHash } from 'node:crypto';

export const MAX_NAME_LENGTH = 63;
const HASH_LENGTH = 8;
const DNS1123_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isDns1123Label(value: string): boolean {
  return value.length <= MAX_NAME_LENGTH && DNS1123_LABEL_RE.test(value);
}

function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, HASH_LENGTH);
}

function truncatedWithHash(joined: string, hashInput: string, max: number): string {
  const cleaned = joined.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  const prefix = cleaned.slice(0, max - HASH_LENGTH - 1).replace(/^-+|-+$/g, '');
  const hash = shortHash(hashInput);
  return prefix ? `${prefix}-${hash}` : hash;
}

/**
 * A label-safe name for one input name: the name itself when it is already a valid label, else a
 * cleaned-up, shortened form ending in a hash of the input.
 */
export function labelSafeName(name: string, max: number = MAX_NAME_LENGTH): string {
  if (name.length <= max && DNS1123_LABEL_RE.test(name)) return name;
  return truncatedWithHash(name, name, max);
}

/**
 * A name for a combination of several names, always ending in a hash of the parts: joining with '-'
 * alone is ambiguous (build "a-b" + job "c" and build "a" + job "b-c" both give "a-b-c").
 */
export function combinedName(parts: readonly string[], max: number = MAX_NAME_LENGTH): string {
  return truncatedWithHash(parts.join('-'), JSON.stringify(parts), max);
}

/** `<name>-<suffix>` for a fixed suffix (unambiguous: the suffix is a constant), bounded like labelSafeName. */
export function suffixedName(name: string, suffix: string, max: number = MAX_NAME_LENGTH): string {
  const joined = `${name}-${suffix}`;
  if (joined.length <= max && DNS1123_LABEL_RE.test(joined)) return joined;
  const hash = shortHash(JSON.stringify([name, suffix]));
  const head = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, max - suffix.length - HASH_LENGTH - 2)
    .replace(/^-+|-+$/g, '');
  return `${head ? `${head}-` : ''}${hash}-${suffix}`;
}

/** Name of the Build of an Event: the operator makes one Build per Event (reruns get generated names). */
export function buildName(event: { metadata: { name?: string } } | string): string {
  const name = typeof event === 'string' ? event : event.metadata.name;
  if (!name) throw new TypeError('buildName: the event has no metadata.name');
  return labelSafeName(name);
}

/** Name of the Job CR for the job `jobName` of build `build`, e.g. `demo-1-test-3f2a1b9c`. */
export function jobCrName(build: string, jobName: string): string {
  return combinedName([build, jobName]);
}

/** Name of the batch/v1 Job a Job CR owns (the same name: one child, no second lookup table). */
export function childJobName(jobCr: string): string {
  return labelSafeName(jobCr);
}

/** Name of the Secret holding a job's env values that came from project secrets. */
export function jobSecretName(jobCr: string): string {
  return suffixedName(jobCr, 'env');
}

/** Name of a build's shared storage PVC. */
export function buildStoragePvcName(build: string): string {
  return suffixedName(build, 'storage');
}

/** Name of the cache PVC of job `jobName` in `project`, shared by all builds of the project. */
export function jobCachePvcName(project: string, jobName: string): string {
  return suffixedName(combinedName([project, jobName], MAX_NAME_LENGTH - 'cache'.length - 1), 'cache');
}
