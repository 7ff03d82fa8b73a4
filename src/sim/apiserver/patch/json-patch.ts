// JSON patch (RFC 6902): add, remove, replace, move, copy, test on JSON pointers (RFC 6901).

import { isDeepStrictEqual } from 'node:util';
import { SimApiError } from '../errors.ts';

export interface JsonPatchOp {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

function patchError(message: string): SimApiError {
  // The real apiserver answers a JSON patch that cannot be applied with 422 Invalid and this wording.
  return new SimApiError({ message, reason: 'Invalid', code: 422 });
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw patchError(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

type Container = Record<string, unknown> | unknown[];

function resolveParent(doc: unknown, tokens: string[], op: string): Container {
  let cur: unknown = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(token)];
    else if (cur !== null && typeof cur === 'object') cur = (cur as Record<string, unknown>)[token];
    else cur = undefined;
    if (cur === undefined)
      throw patchError(
        `the server rejected our request due to an error in our request` +
          ` (${op} operation does not apply: doc is missing path: "/${tokens.join('/')}": missing value)`,
      );
  }
  if (cur === null || typeof cur !== 'object')
    throw patchError(`${op} operation does not apply: doc is missing path: "/${tokens.join('/')}"`);
  return cur as Container;
}

function arrayIndex(arr: unknown[], token: string, allowEnd: boolean): number {
  if (token === '-' && allowEnd) return arr.length;
  const i = Number(token);
  const max = allowEnd ? arr.length : arr.length - 1;
  if (!/^\d+$/.test(token) || i > max) throw patchError(`Unable to access invalid index: ${token}`);
  return i;
}

/** The member or index an operation acts on: the last reference token (the root has none). */
function lastToken(tokens: string[], op: string): string {
  const last = tokens.at(-1);
  if (last === undefined) throw patchError(`${op} operation does not apply: doc is missing path: "/": missing value`);
  return last;
}

function getAt(doc: unknown, tokens: string[], op: string): unknown {
  if (tokens.length === 0) return doc;
  const parent = resolveParent(doc, tokens, op);
  const last = lastToken(tokens, op);
  const value = Array.isArray(parent) ? parent[arrayIndex(parent, last, false)] : parent[last];
  if (value === undefined)
    throw patchError(`${op} operation does not apply: doc is missing path: "/${tokens.join('/')}": missing value`);
  return value;
}

function removeAt(doc: unknown, tokens: string[], op: string): unknown {
  const parent = resolveParent(doc, tokens, op);
  const last = lastToken(tokens, op);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, last, false), 1)[0];
  if (!Object.hasOwn(parent, last))
    throw patchError(`${op} operation does not apply: doc is missing path: "/${tokens.join('/')}": missing value`);
  const value = parent[last];
  delete parent[last];
  return value;
}

function addAt(doc: unknown, tokens: string[], value: unknown, op: string): unknown {
  if (tokens.length === 0) return value;
  const parent = resolveParent(doc, tokens, op);
  const last = lastToken(tokens, op);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, true), 0, value);
  else parent[last] = value;
  return doc;
}

function applyOne(doc: unknown, operation: JsonPatchOp): unknown {
  const tokens = parsePointer(operation.path);
  switch (operation.op) {
    case 'add':
      return addAt(doc, tokens, structuredClone(operation.value), 'add');
    case 'remove':
      removeAt(doc, tokens, 'remove');
      return doc;
    case 'replace':
      if (tokens.length === 0) return structuredClone(operation.value);
      getAt(doc, tokens, 'replace');
      removeAt(doc, tokens, 'replace');
      return addAt(doc, tokens, structuredClone(operation.value), 'replace');
    case 'move': {
      const value = removeAt(doc, parsePointer(operation.from ?? ''), 'move');
      return addAt(doc, tokens, value, 'move');
    }
    case 'copy':
      return addAt(doc, tokens, structuredClone(getAt(doc, parsePointer(operation.from ?? ''), 'copy')), 'copy');
    case 'test':
      if (!isDeepStrictEqual(getAt(doc, tokens, 'test'), operation.value))
        throw patchError(`testing value ${operation.path} failed: test failed`);
      return doc;
    default:
      throw patchError(`Unexpected kind: ${operation.op}`);
  }
}

export function applyJsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch))
    throw new SimApiError({
      message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
      reason: 'BadRequest',
      code: 400,
    });
  let doc = structuredClone(target);
  for (const op of patch as JsonPatchOp[]) doc = applyOne(doc, op);
  return doc;
}
