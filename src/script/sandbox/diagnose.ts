/**
 * Turning a guest error into a message a script author can act on: where it happened (file, line,
 * column, function) and, for QuickJS's bare "not a function", which expression was called. Pure;
 * works on the plain strings read out of the guest (name, message, stack), never on guest objects.
 */

/** A thrown value as the guest runtime reported it: an Error's parts, or the text of anything else. */
export interface GuestFault {
  name?: string;
  message?: string;
  stack?: string;
  /** Error `code`, e.g. MODULE_NOT_FOUND for a refused require. */
  code?: string;
  /** A thrown non-Error, already printed. */
  text?: string;
}

export interface FaultSite {
  file: string;
  line: number;
  column: number;
  /** Function name from the frame; `<eval>` is top level, `<anonymous>` an unnamed function. */
  fn: string;
}

/** Frames of the operator's own guest code: the site is the first frame outside them. */
const RUNTIME_FILES = /^(brigadier\.js|brigadier-runtime\.js|node:.*)$/;
const FRAME = /^\s*at (.*?) \((.+?):(\d+):(\d+)\)\s*$/;
const MAX_CALLEE = 80;

/** The first stack frame in the script's own files. */
export function faultSite(stack: string | undefined): FaultSite | undefined {
  for (const line of (stack ?? '').split('\n')) {
    const m = FRAME.exec(line);
    // FRAME's four groups are not optional: a match has them all.
    if (!m || RUNTIME_FILES.test(m[2])) continue;
    return { fn: m[1], file: m[2], line: Number(m[3]), column: Number(m[4]) };
  }
  return undefined;
}

const IDENT = /[\w$]/;

/**
 * The called expression at a "not a function" site. QuickJS points at the property name of a method
 * call (at its `.` in top-level code), or at the start of a plain call's callee.
 */
export function calleeAt(source: string | undefined, site: FaultSite): string | undefined {
  const text = source?.split('\n')[site.line - 1];
  if (text === undefined) return undefined;
  const at = site.column - 1;
  const dot = text[at] === '.' ? at : text[at - 1] === '.' ? at - 1 : -1;
  const start = dot >= 0 ? receiverStart(text, dot) : at;
  const end = dot >= 0 ? endOf(text, dot + 1, /[\w$]/) : endOf(text, at, /[\w$.?[\]'"]/);
  const callee = text.slice(start, end).trim();
  if (!callee || text[end] !== '(' || callee.length > MAX_CALLEE) return undefined;
  return dot >= 0 && start === dot ? `(…)${callee}` : callee;
}

/** Where the receiver of the method call whose `.` is at `dot` begins (identifiers and dots before it). */
function receiverStart(text: string, dot: number): number {
  let start = dot;
  while (start > 0 && (IDENT.test(text[start - 1] ?? '') || text[start - 1] === '.')) start--;
  return start;
}

/** The end of the run of `member` characters from `from`. */
function endOf(text: string, from: number, member: RegExp): number {
  let end = from;
  while (end < text.length && member.test(text[end] ?? '')) end++;
  return end;
}

function where(site: FaultSite): string {
  const scope =
    site.fn === '<eval>'
      ? 'at top level'
      : site.fn === '<anonymous>' || site.fn === ''
        ? 'in an anonymous function'
        : `in function ${site.fn}`;
  return `${site.file}:${site.line}:${site.column}, ${scope}`;
}

/** "TypeError: o.deploy is not a function (brigade.js:4:12, in function build)". */
export function explainFault(fault: GuestFault, source: (file: string) => string | undefined): string {
  if (fault.text !== undefined) return fault.text;
  const name = fault.name || 'Error';
  let message = fault.message ?? '';
  // A file that does not compile: where in that file, not where it was required.
  if (isCompileError(fault)) return `${name}: ${message} (${(fault.stack ?? '').split('\n')[0].trim().slice(3)})`;
  const site = faultSite(fault.stack);
  if (!site) return `${name}: ${message}`;
  if (name === 'TypeError' && (message === 'not a function' || message === 'not a constructor')) {
    const callee = calleeAt(source(site.file), site);
    if (callee) message = `${callee} is ${message}`;
  }
  return `${name}: ${message} (${where(site)})`;
}

/** Reads a fault the driver reported (parsed JSON): strings only, anything else dropped. */
export function faultFrom(value: unknown): GuestFault | null {
  if (value === null || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  const out: GuestFault = {};
  for (const key of ['name', 'message', 'stack', 'code', 'text'] as const) {
    const field = v[key];
    if (typeof field === 'string') out[key] = field;
  }
  return out;
}

/**
 * A SyntaxError from compiling the script or a file beside it: its stack starts at a position in that
 * file (`at lib.js:3:5`), where JSON.parse, eval and new Function start at `<input>`.
 */
export function isCompileError(fault: GuestFault): boolean {
  if (fault.name !== 'SyntaxError') return false;
  // split always yields a first element, and the pattern's one group is not optional.
  const first = /^\s*at ([^\s()]+):\d+:\d+\s*$/.exec((fault.stack ?? '').split('\n')[0]);
  return first !== null && !first[1].startsWith('<') && !RUNTIME_FILES.test(first[1]);
}
