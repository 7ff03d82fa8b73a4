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
