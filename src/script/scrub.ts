/**
 * Scrubbing of text that leaves the runtime for the guest or for statuses: host error messages can
 * carry API server URLs with credentials or tokens, and console lines can carry project secrets
 * (those are removed with the operator's one redaction rule, util/redact).
 */
import { redact } from '../util/redact.ts';
import { capText } from './sandbox/guest-json.ts';

const URL_WITH_DETAILS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@]+@)?([^\s/?#]+)([^\s?#]*)(\?[^\s#]*)?(#\S*)?/gi;
const AUTH_SCHEME = /\b(bearer|basic)\s+[^\s",;]+/gi;
const ASSIGNMENT = /\b(token|authorization|password|secret)(\s*[:=]\s*)("?)[^\s",;]+/gi;

/** Removes URL userinfo and query strings and token-like assignments. */
export function scrubCredentials(text: string): string {
  return text
    .replace(URL_WITH_DETAILS, (_m, scheme: string, _user, host: string, path: string) => `${scheme}${host}${path}`)
    .replace(AUTH_SCHEME, (_m, scheme: string) => `${scheme} [redacted]`)
    .replace(ASSIGNMENT, (_m, word: string, sep: string, quote: string) => `${word}${sep}${quote}[redacted]`);
}

/** A host error as the guest may see it: name and message only, scrubbed and capped. */
export function scrubHostError(
  error: unknown,
  opts: { secrets: readonly string[]; maxChars: number },
): {
  name: string;
  message: string;
} {
  const name = error instanceof Error && /^[A-Za-z]{1,40}$/.test(error.name) ? error.name : 'Error';
  const raw = error instanceof Error ? error.message : typeof error === 'string' ? error : 'host error';
  return { name, message: capText(redact(scrubCredentials(raw), opts.secrets), opts.maxChars) };
}
