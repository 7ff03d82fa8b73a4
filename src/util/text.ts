// Bounding text that is stored in statuses and ConfigMaps.

/** The last `maxChars` characters of `text`; when cut, a first line says how much was left out. */
export function tail(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const dropped = text.length - maxChars;
  return `[... ${dropped} earlier characters not shown]\n${text.slice(dropped)}`;
}

/** The first `maxBytes` bytes of UTF-8 `text` (cut at a character boundary), with a marker when cut. */
export function headBytes(text: string, maxBytes: number): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= maxBytes) return text;
  // Decoding a cut buffer may end in a replacement character; drop it.
  const head = buf
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return `${head}\n[... log truncated at ${maxBytes} bytes]`;
}

/** "1h2m3s", "4m0s", "12s", "0s": the style of kubectl's durations. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** UTF-8 byte length of `text`. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * `text` cut into parts of at most `maxBytes` UTF-8 bytes each, never inside a character: joined,
 * they are `text` again. An empty text is one empty part.
 */
export function splitUtf8(text: string, maxBytes: number): string[] {
  if (maxBytes < 4) throw new RangeError('splitUtf8: a part must hold at least one character (4 bytes)');
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= maxBytes) return [text];
  const parts: string[] = [];
  let start = 0;
  while (start < buf.length) {
    let end = Math.min(start + maxBytes, buf.length);
    // Back off continuation bytes (10xxxxxx): the cut goes before the character they belong to.
    while (end < buf.length && ((buf[end] ?? 0) & 0xc0) === 0x80) end--;
    parts.push(buf.subarray(start, end).toString('utf8'));
    start = end;
  }
  return parts;
}
