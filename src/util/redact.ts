// Removing secret values from text before it is stored (status, ConfigMap) or printed (logs, Events).

export const REDACTED = '***';

/** Values shorter than this are not redacted: replacing "1" or "a" everywhere would garble every log. */
export const MIN_REDACTED_LENGTH = 3;

/**
 * `text` with every occurrence of every secret value replaced by ***. Longer values are replaced
 * first, so a secret that contains another is hidden whole. Multi-line secrets are also matched line
 * by line, because tools often print them one line at a time.
 */
export function redact(text: string, secrets: Iterable<string>): string {
  const values = secretFragments(secrets);
  let out = text;
  for (const value of values) out = out.split(value).join(REDACTED);
  return out;
}

function secretFragments(secrets: Iterable<string>): string[] {
  const set = new Set<string>();
  for (const secret of secrets) {
    if (secret.length >= MIN_REDACTED_LENGTH) set.add(secret);
    for (const line of secret.split(/\r?\n/)) if (line.trim().length >= MIN_REDACTED_LENGTH) set.add(line);
  }
  return [...set].sort((a, b) => b.length - a.length);
}
