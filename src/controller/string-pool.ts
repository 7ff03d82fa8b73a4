// One copy of each repeated string in the caches. JSON.parse makes a new string for every value, and
// with thousands of builds in flight the same namespaces, label values, owner names, API versions,
// images, mount paths, condition reasons and the scheduler's long messages recur tens of thousands
// of times. Two generations bound the pool: when the young one is full it becomes the old one and
// the previous old one is dropped, so a string seen again keeps its single copy while strings seen
// once (uids, resourceVersions, timestamps) pass through without evicting the recurring ones.

const GENERATION_MAX = 25_000;
/** Longer strings are rarely repeated (logs, scripts, payloads): not worth a pool slot. */
const MAX_LENGTH = 512;

let young = new Map<string, string>();
let old = new Map<string, string>();

export function intern(value: string): string;
export function intern(value: string | undefined): string | undefined;
export function intern(value: string | undefined): string | undefined {
  if (value === undefined || value.length > MAX_LENGTH) return value;
  const known = young.get(value);
  if (known !== undefined) return known;
  const promoted = old.get(value) ?? value;
  if (young.size >= GENERATION_MAX) {
    old = young;
    young = new Map();
  }
  young.set(promoted, promoted);
  return promoted;
}

/**
 * Replaces, in place, every string value of a freshly parsed JSON object (nested objects and arrays
 * included) by its pooled copy. Values only: keys are already shared by V8, and replacing a value
 * does not change an object's shape.
 */
export function internStrings<T>(value: T): T {
  if (Array.isArray(value)) {
    const list = value as unknown[];
    for (let i = 0; i < list.length; i++) list[i] = internValue(list[i]);
  } else if (isPlainObject(value)) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = internValue(record[key]);
  }
  return value;
}

function internValue(v: unknown): unknown {
  if (typeof v === 'string') return intern(v);
  if (typeof v === 'object' && v !== null) internStrings(v);
  return v;
}

function isPlainObject(v: unknown): v is object {
  if (typeof v !== 'object' || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** For tests: the pool's size across both generations. */
export function pooledStrings(): number {
  return young.size + old.size;
}
