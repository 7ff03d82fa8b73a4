// Bounding a job's log before it is kept or handed to the script: the per-project cap, cutting
// where a read stopped without leaving part of a secret value, and the line that says a log was cut.
import type { Project } from '../../api/types.ts';
import { splitUtf8, utf8Bytes } from '../../util/text.ts';
import type { ControllerDeps } from './deps.ts';

/** The cap on a job's kept log: the project's, else the operator's. */
export function jobLogCap(deps: ControllerDeps, project: Project | undefined): number {
  return project?.spec.logs?.maxJobLogBytes ?? deps.settings.maxJobLogBytes;
}

/**
 * A log read up to a byte limit may end inside a secret value, which redaction cannot recognise in
 * part: drop the cut last line (or, in one long line, as much as the longest form of a secret).
 */
export function withoutCutEnd(raw: string, secrets: readonly string[]): string {
  const newline = raw.lastIndexOf('\n');
  if (newline >= 0) return raw.slice(0, newline + 1);
  // Percent-encoding makes a value up to 9 characters per byte; base64 4 per 3.
  const longest = Math.max(0, ...secrets.map((s) => utf8Bytes(s) * 9));
  return raw.slice(0, Math.max(0, raw.length - longest));
}

/** The line a cut log ends with. */
export function capMarker(maxBytes: number): string {
  return (
    `[brigade-operator: log cut here: only its first ${maxBytes} bytes are kept ` +
    "(the Project's spec.logs.maxJobLogBytes, else the operator's --max-job-log-bytes)]\n"
  );
}

/** `text` bounded to `maxBytes` (at a character boundary), ending with the marker line when cut. */
export function capLog(text: string, maxBytes: number, alreadyCut = false): { text: string; truncated: boolean } {
  if (!alreadyCut && utf8Bytes(text) <= maxBytes) return { text, truncated: false };
  const head = splitUtf8(text, maxBytes)[0] ?? '';
  return { text: `${head}${head.endsWith('\n') || head === '' ? '' : '\n'}${capMarker(maxBytes)}`, truncated: true };
}
