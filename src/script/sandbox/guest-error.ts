/** Reading an error thrown by guest code into plain, capped host data (never a live guest object). */
import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten-core';
import { BRIDGE_CAPS } from '../defaults.ts';
import { capText } from './guest-json.ts';

export interface GuestError {
  name: string;
  message: string;
  /** Where the error was thrown: brigade.js or a file beside it, when the error says. */
  file?: string;
  /** 1-based position in that file. */
  line?: number;
  column?: number;
  /** The error's stack (capped), for diagnose.ts. */
  stack?: string;
  /** The error's `code` (MODULE_NOT_FOUND for a refused require). */
  code?: string;
}

/** The first position in a stack outside the operator's own guest code (its files never are the script's). */
const POSITION = /at (?:[^\n]*? \()?((?!brigadier\.js|brigadier-runtime\.js|node:)[^\s()]+):(\d+):(\d+)\)?/;

function stringProp(ctx: QuickJSContext, handle: QuickJSHandle, key: string): string | undefined {
  const prop = ctx.getProp(handle, key);
  try {
    return ctx.typeof(prop) === 'string' ? ctx.getString(prop) : undefined;
  } finally {
    prop.dispose();
  }
}

/** Name, message and brigade.js position of a thrown guest value; non-Error throws become a message. */
export function readGuestError(ctx: QuickJSContext, handle: QuickJSHandle): GuestError {
  const kind = ctx.typeof(handle);
  if (kind !== 'object') {
    const text = kind === 'string' ? ctx.getString(handle) : kind;
    return { name: 'Error', message: capText(text, BRIDGE_CAPS.errorMessage) };
  }
  const name = stringProp(ctx, handle, 'name') ?? 'Error';
  const message = stringProp(ctx, handle, 'message') ?? '';
  const stack = stringProp(ctx, handle, 'stack') ?? '';
  const code = stringProp(ctx, handle, 'code');
  const position = POSITION.exec(stack);
  return {
    name: capText(name, 100),
    message: capText(message, BRIDGE_CAPS.errorMessage),
    ...(position ? { file: capText(position[1], 253), line: Number(position[2]), column: Number(position[3]) } : {}),
    ...(stack ? { stack: capText(stack, BRIDGE_CAPS.errorMessage) } : {}),
    ...(code ? { code: capText(code, 64) } : {}),
  };
}
