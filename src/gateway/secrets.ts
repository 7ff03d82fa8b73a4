// Constant-time comparisons of shared secrets and GitHub signatures. Both sides are hashed first so the
// comparison takes the same time whatever the lengths are (timingSafeEqual needs equal lengths, and an
// early return on a length mismatch would leak the secret's length).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

function digest(value: string | Buffer): Buffer {
  return createHash('sha256').update(value).digest();
}

/** True when `given` equals `expected`, compared in constant time. An empty expected secret never matches. */
export function secretsEqual(given: string, expected: string): boolean {
  if (expected.length === 0) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

const SIGNATURE_PREFIX = 'sha256=';

/** The `X-Hub-Signature-256` value GitHub sends for `body` signed with `secret`. */
export function githubSignature(body: Buffer, secret: string): string {
  return SIGNATURE_PREFIX + createHmac('sha256', secret).update(body).digest('hex');
}

/** Verifies an `X-Hub-Signature-256` header (HMAC-SHA256 over the raw body) in constant time. */
export function verifyGithubSignature(opts: { body: Buffer; header: string | undefined; secret: string }): boolean {
  if (!opts.header || !opts.header.startsWith(SIGNATURE_PREFIX) || opts.secret.length === 0) return false;
  return timingSafeEqual(digest(opts.header.toLowerCase()), digest(githubSignature(opts.body, opts.secret)));
}

/** The `X-Hub-Signature` value (HMAC-SHA1, Brigade 1's only check) for `body` signed with `secret`. */
export function githubSha1Signature(body: Buffer, secret: string): string {
  return 'sha1=' + createHmac('sha1', secret).update(body).digest('hex');
}

/** Verifies an `X-Hub-Signature` header (HMAC-SHA1 over the raw body) in constant time. */
export function verifyGithubSha1Signature(opts: { body: Buffer; header: string | undefined; secret: string }): boolean {
  if (!opts.header || !opts.header.startsWith('sha1=') || opts.secret.length === 0) return false;
  return timingSafeEqual(digest(opts.header.toLowerCase()), digest(githubSha1Signature(opts.body, opts.secret)));
}

/** The shared secret a caller presents: `X-Brigade-Token: s` or `Authorization: Bearer s`. */
export function presentedToken(headers: Record<string, string | string[] | undefined>): string | undefined {
  const token = headers['x-brigade-token'];
  if (typeof token === 'string' && token.length > 0) return token;
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (match) return match[1];
  }
  return undefined;
}
