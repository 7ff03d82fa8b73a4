/** Parsing what the guest sends: it is untrusted text, so size-capped and without prototype keys. */

export class GuestDataError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GuestDataError';
  }
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** JSON.parse with a length cap and `__proto__`/`constructor`/`prototype` keys refused at any depth. */
export function parseGuestJson(text: string, opts: { maxChars: number; what: string }): unknown {
  if (text.length > opts.maxChars) {
    throw new GuestDataError(`${opts.what} is ${text.length} characters, more than the limit of ${opts.maxChars}`);
  }
  try {
    return JSON.parse(text, (key: string, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) throw new GuestDataError(`${opts.what} contains the forbidden key "${key}"`);
      return value;
    });
  } catch (error) {
    if (error instanceof GuestDataError) throw error;
    throw new GuestDataError(`${opts.what} is not valid JSON`, { cause: error });
  }
}

/** Truncates text to `max` characters, saying so. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}... [truncated ${text.length - max} characters]`;
}
