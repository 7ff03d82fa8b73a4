// Removing secret values from text before it is stored (status, ConfigMap) or printed (logs, Events,
// CLI output). The one redaction rule of the operator: every other module calls this one.
//
// What counts as an occurrence of a secret value v:
// - v itself, and each line of a multi-line v (tools print keys line by line);
// - v as it looks inside a URL (percent-encoded, upper- or lower-case hex, '+' for space) or inside a
//   JSON string (escaped);
// - v in base64 (standard and URL-safe alphabets), also in the middle of a longer base64 text such as
//   an `Authorization: Basic` header or a docker config: the characters that v's bytes alone decide,
//   at each of the three byte alignments.
// Short values are matched as whole tokens only: a secret "admin" hides "user admin" but leaves
// "administrator" alone, and a secret "42" does not blank "420". Values of 16 characters and more are
// matched anywhere (such a value inside another word is the secret, not a coincidence).

export const REDACTED = '***';

/**
 * Values shorter than this are not secrets the operator can recognise: a one-character value cannot
 * be told from ordinary text (and is guessed in a few tries anyway).
 */
export const MIN_REDACTED_LENGTH = 2;

/** From this length on, a value is matched inside longer words too. */
const ANYWHERE_LENGTH = 16;
/** A base64 form is matched inside longer base64 text only when it is at least this long. */
const MIN_EMBEDDED_BASE64 = 8;

const WORD = String.raw`[\p{L}\p{N}_]`;
const STARTS_WORD = new RegExp(`^${WORD}`, 'u');
const ENDS_WORD = new RegExp(`${WORD}$`, 'u');
const SYNTAX = /[\^$\\.*+?()[\]{}|/]/g;

interface Form {
  text: string;
  /** Matched only where it is not part of a longer word. */
  bounded: boolean;
}

function plainForms(value: string): Form[] {
  const bounded = value.length < ANYWHERE_LENGTH;
  const forms = new Set<string>([value]);
  const url = encodeURIComponent(value);
  forms.add(url);
  forms.add(url.replace(/%20/g, '+'));
  forms.add(url.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()));
  forms.add(JSON.stringify(value).slice(1, -1));
  return [...forms].map((text) => ({ text, bounded }));
}

function urlSafe(b64: string): string {
  return b64.replace(/\+/g, '-').replace(/\//g, '_');
}

/** The base64 characters decided by the value's bytes alone, for each of the three alignments. */
function base64Forms(value: string): Form[] {
  const bytes = Buffer.from(value, 'utf8');
  const forms: Form[] = [];
  const whole = bytes.toString('base64');
  // The whole encoding (with its padding) is a token of its own, whatever its length.
  for (const text of new Set([whole, whole.replace(/=+$/, ''), urlSafe(whole), urlSafe(whole).replace(/=+$/, '')])) {
    if (text.length < MIN_REDACTED_LENGTH) continue;
    forms.push({ text, bounded: text.replace(/=+$/, '').length < MIN_EMBEDDED_BASE64 });
  }
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    const core = encoded.slice(Math.ceil((8 * shift) / 6), Math.floor((8 * (shift + bytes.length)) / 6));
    if (core.length < MIN_EMBEDDED_BASE64) continue;
    forms.push({ text: core, bounded: false }, { text: urlSafe(core), bounded: false });
  }
  return forms;
}

/** The values to look for: each secret whole, and each line of a multi-line secret. */
function secretValues(secrets: Iterable<string>): string[] {
  const set = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string') continue;
    if (secret.trim().length >= MIN_REDACTED_LENGTH) set.add(secret);
    if (!secret.includes('\n')) continue;
    for (const line of secret.split(/\r?\n/)) {
      const trimmed = line.trim();
      if (trimmed.length >= MIN_REDACTED_LENGTH) set.add(trimmed);
    }
  }
  return [...set];
}

function alternative(form: Form): string {
  const escaped = form.text.replace(SYNTAX, '\\$&');
  if (!form.bounded) return escaped;
  const before = STARTS_WORD.test(form.text) ? `(?<!${WORD})` : '';
  const after = ENDS_WORD.test(form.text) ? `(?!${WORD})` : '';
  return `${before}${escaped}${after}`;
}

/** A compiled redaction rule for one set of secret values. */
export interface Redactor {
  /** `text` with every occurrence of every secret value (in any form above) replaced by ***. */
  redact(text: string): string;
  /** Whether `text` holds any of the secret values (in any form above). */
  contains(text: string): boolean;
}

const NOTHING: Redactor = { redact: (text) => text, contains: () => false };

export function createRedactor(secrets: Iterable<string>): Redactor {
  const forms = new Map<string, Form>();
  for (const value of secretValues(secrets)) {
    for (const form of [...plainForms(value), ...base64Forms(value)]) {
      const known = forms.get(form.text);
      // The same text reached as an embedded base64 core and as a bounded form: anywhere wins.
      if (!known || (known.bounded && !form.bounded)) forms.set(form.text, form);
    }
  }
  if (forms.size === 0) return NOTHING;
  // Longer forms first, so a secret that contains another is hidden whole.
  const source = [...forms.values()]
    .sort((a, b) => b.text.length - a.text.length)
    .map(alternative)
    .join('|');
  const pattern = new RegExp(source, 'gu');
  return {
    redact: (text) => text.replace(pattern, REDACTED),
    contains: (text) => {
      pattern.lastIndex = 0;
      const found = pattern.test(text);
      pattern.lastIndex = 0;
      return found;
    },
  };
}

// Console lines are redacted one at a time with the same secrets: compile each set once.
const CACHE_SIZE = 32;
const cache = new Map<string, Redactor>();

function cachedRedactor(secrets: Iterable<string>): Redactor {
  const list = [...secrets];
  const key = list.join('\u0000');
  let redactor = cache.get(key);
  if (redactor) {
    cache.delete(key);
  } else {
    redactor = createRedactor(list);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  }
  cache.set(key, redactor);
  return redactor;
}

/** `text` with every occurrence of every secret value replaced by *** (see the rules at the top). */
export function redact(text: string, secrets: Iterable<string>): string {
  return cachedRedactor(secrets).redact(text);
}

/** Whether `text` holds any of the secret values, by the same rules as redact. */
export function containsSecret(text: string, secrets: Iterable<string>): boolean {
  return cachedRedactor(secrets).contains(text);
}

/** The keys of `secrets` whose values `text` holds, by the same rules as redact. */
export function secretKeysIn(text: string, secrets: Readonly<Record<string, string>>): string[] {
  return Object.entries(secrets)
    .filter(([, value]) => containsSecret(text, [value]))
    .map(([key]) => key);
}
