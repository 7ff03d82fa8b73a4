// The JSON merge patch (RFC 7386) that turns one JSON value into another: changed and added members
// as they are, removed ones as null, objects compared member by member, anything else (arrays
// included) replaced whole. A status write sends this instead of the whole status, so a member the
// new status no longer has is removed on the server too.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The merge patch from `before` to `after` (objects), or undefined when they are equal. */
export function mergePatchOf(before: unknown, after: unknown): Record<string, Json> | undefined {
  const patch: Record<string, Json> = {};
  const from = isObject(before) ? before : {};
  const to = isObject(after) ? after : {};
  for (const key of Object.keys(from)) if (!(key in to) || to[key] === undefined) patch[key] = null;
  for (const [key, value] of Object.entries(to)) {
    if (value === undefined) continue;
    const old = from[key];
    if (isObject(value) && isObject(old)) {
      const inner = mergePatchOf(old, value);
      if (inner) patch[key] = inner;
    } else if (JSON.stringify(old) !== JSON.stringify(value)) patch[key] = value as Json;
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}
