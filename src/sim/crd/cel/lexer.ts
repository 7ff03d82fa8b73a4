// Tokenizer for the CEL subset (see parser.ts for the grammar).

export type TokenKind = 'int' | 'uint' | 'double' | 'string' | 'ident' | 'op' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Operator text, identifier name, or the literal's decoded value as a string. */
  text: string;
  pos: number;
}

export class CelSyntaxError extends Error {
  readonly pos: number;
  constructor(message: string, pos: number) {
    super(`${message} at position ${pos}`);
    this.name = 'CelSyntaxError';
    this.pos = pos;
  }
}

const OPERATORS = [
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '<',
  '>',
  '!',
  '+',
  '-',
  '*',
  '/',
  '%',
  '?',
  ':',
  '.',
  ',',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
];
const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  '"': '"',
  "'": "'",
  '`': '`',
  '?': '?',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
};

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const afterTrivia = skipTrivia(src, i);
    if (afterTrivia !== i) {
      i = afterTrivia;
      continue;
    }
    const { token, end } = readToken(src, i);
    tokens.push(token);
    i = end;
  }
  tokens.push({ kind: 'eof', text: '', pos: src.length });
  return tokens;
}

/** Where the whitespace character or `//` comment at `i` ends; `i` itself when there is none. */
function skipTrivia(src: string, i: number): number {
  if (/\s/.test(src[i])) return i + 1;
  if (src[i] === '/' && src[i + 1] === '/') {
    let end = i;
    while (end < src.length && src[end] !== '\n') end++;
    return end;
  }
  return i;
}

function readToken(src: string, start: number): { token: Token; end: number } {
  const ch = src[start];
  if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(src[start + 1] ?? ''))) return readNumber(src, start);
  if (/[A-Za-z_]/.test(ch)) return readWord(src, start);
  if (ch === '"' || ch === "'") {
    const { value, end } = readString(src, start, false);
    return { token: { kind: 'string', text: value, pos: start }, end };
  }
  const op = OPERATORS.find((o) => src.startsWith(o, start));
  if (!op) throw new CelSyntaxError(`unexpected character '${ch}'`, start);
  return { token: { kind: 'op', text: op, pos: start }, end: start + op.length };
}

/** An identifier, or a raw string literal (`r"..."`, `R'...'`). */
function readWord(src: string, start: number): { token: Token; end: number } {
  let i = start;
  while (i < src.length && /[A-Za-z0-9_]/.test(src[i])) i++;
  const word = src.slice(start, i);
  if ((word === 'r' || word === 'R') && (src[i] === '"' || src[i] === "'")) {
    const { value, end } = readString(src, i, true);
    return { token: { kind: 'string', text: value, pos: start }, end };
  }
  return { token: { kind: 'ident', text: word, pos: start }, end: i };
}

function readNumber(src: string, start: number): { token: Token; end: number } {
  const hex = /^0[xX][0-9a-fA-F]+/.exec(src.slice(start));
  if (hex) return suffixed(src, start, start + hex[0].length, BigInt(hex[0]).toString());
  const m = /^(\d*\.\d+|\d+\.(?!\w)|\d+)([eE][+-]?\d+)?/.exec(src.slice(start));
  if (!m) throw new CelSyntaxError('invalid number literal', start);
  const end = start + m[0].length;
  if (m[0].includes('.') || m[2]) return { token: { kind: 'double', text: m[0], pos: start }, end };
  return suffixed(src, start, end, m[0]);
}

function suffixed(src: string, start: number, end: number, value: string): { token: Token; end: number } {
  if (src[end] === 'u' || src[end] === 'U') return { token: { kind: 'uint', text: value, pos: start }, end: end + 1 };
  return { token: { kind: 'int', text: value, pos: start }, end };
}

function readString(src: string, start: number, raw: boolean): { value: string; end: number } {
  const quote = src[start];
  const triple = src.startsWith(quote.repeat(3), start);
  const close = triple ? quote.repeat(3) : quote;
  let i = start + close.length;
  let value = '';
  while (i < src.length) {
    if (src.startsWith(close, i)) return { value, end: i + close.length };
    const ch = src[i];
    if (!triple && ch === '\n') break;
    if (ch === '\\' && !raw) {
      const { text, next } = readEscape(src, i + 1);
      value += text;
      i = next;
      continue;
    }
    value += ch;
    i++;
  }
  throw new CelSyntaxError('unterminated string literal', start);
}

function readEscape(src: string, i: number): { text: string; next: number } {
  const e = src[i] ?? '';
  if (e in ESCAPES) return { text: ESCAPES[e], next: i + 1 };
  const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
  if (hexLen > 0) {
    const digits = src.slice(i + 1, i + 1 + hexLen);
    if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(digits)) throw new CelSyntaxError('invalid escape', i);
    return { text: String.fromCodePoint(Number.parseInt(digits, 16)), next: i + 1 + hexLen };
  }
  if (/[0-3]/.test(e) && /^[0-7]{3}$/.test(src.slice(i, i + 3))) {
    return { text: String.fromCodePoint(Number.parseInt(src.slice(i, i + 3), 8)), next: i + 3 };
  }
  throw new CelSyntaxError(`invalid escape sequence '\\${e}'`, i);
}
