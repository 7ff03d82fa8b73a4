/**
 * Scrubbing of text that leaves the runtime for the guest or for statuses: host error messages can
 * carry API server URLs with credentials or tokens, and console lines can carry project secrets.
 */
import { capText } from './sandbox/guest-json.ts';

const URL_WITH_DETAILS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@]+@)?([^\s/?#]+)([^\s?#]*)(\?[^\s#]*)?(#\S*)?/gi;
const AUTH_SCHEME = /\b(bearer|basic)\s+[^\s",;]+/gi;
const ASSIGNMENT = /\b(token|authorization|password|secret)(\s*[:=]\s*)("?)[^\s",;]+/gi;
/** Secret values shorter than this are not redacted: they would blank out ordinary words. */
const MIN_SECRET_LENGTH = 4;

/** Removes URL userinfo and query strings and token-like assignments. */
export function scrubCredentials(text: string): string {
  return text
    .replace(URL_WITH_DETAILS, (_m, scheme: string, _user, host: string, path: string) => `${scheme}${host}${path}`)
    .replace(AUTH_SCHEME, (_m, scheme: string) => `${scheme} [redacted]`)
    .replace(ASSIGNMENT, (_m, word: string, sep: string, quote: string) => `${word}${sep}${quote}[redacted]`);
}

/** Replaces every occurrence of a known secret value with `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_SECRET_LENGTH && out.includes(secret)) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/** Secret values worth redacting, longest first so a secret containing another is redacted whole. */
export function secretValues(secrets: Record<string, string>): string[] {
  return Object.values(secrets)
    .filter((v) => typeof v === 'string' && v.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
}

/** A host error as the guest may see it: name and message only, scrubbed and capped. */
export function scrubHostError(error: unknown, opts: { secrets: readonly string[]; maxChars: number }): {
  name: string;
  message: string;
} {
  const name = error instanceof Error && /^[A-Za-z]{1,40}$/.test(error.name) ? error.name : 'Error';
  const raw = error instanceof Error ? error.message : typeof error === 'string' ? error : 'host error';
  return { name, message: capText(redactSecrets(scrubCredentials(raw), opts.secrets), opts.maxChars) };
}
