// Pratt parser for the CEL subset the simulator evaluates:
//   expr     := or ('?' expr ':' expr)?
//   or       := and ('||' and)*         and := rel ('&&' rel)*
//   rel      := add (('=='|'!='|'<'|'<='|'>'|'>='|'in') add)*
//   add      := mul (('+'|'-') mul)*    mul := unary (('*'|'/'|'%') unary)*
//   unary    := ('!'|'-') unary | member
//   member   := primary ('.' IDENT ('(' args ')')? | '[' expr ']')*
//   primary  := literal | IDENT ('(' args ')')? | '(' expr ')' | '[' list ']' | '{' map '}'
// has(x.f) and the all/exists/exists_one/map/filter macros are expanded while parsing.

import { MACROS } from './ast.ts';
import type { BinaryOp, Expr, Macro } from './ast.ts';
import { CelSyntaxError, tokenize } from './lexer.ts';
import type { Token } from './lexer.ts';

const BINARY_PRECEDENCE: Record<string, number> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 3,
  '<=': 3,
  '>': 3,
  '>=': 3,
  in: 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
};
const MAX_DEPTH = 64;

export function parse(src: string): Expr {
  const parser = new Parser(tokenize(src));
  const expr = parser.expression(0);
  parser.expectEnd();
  return expr;
}

class Parser {
  private readonly tokens: Token[];
  private pos = 0;
  private depth = 0;

  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.kind !== 'eof') throw new CelSyntaxError(`unexpected '${t.text}'`, t.pos);
  }

  expression(minPrecedence: number): Expr {
    if (++this.depth > MAX_DEPTH) throw new CelSyntaxError('expression nested too deeply', this.peek().pos);
    let left = this.unary();
    for (;;) {
      const op = this.binaryOperator();
      if (op === undefined || BINARY_PRECEDENCE[op] <= minPrecedence) break;
      this.pos++;
      const right = this.expression(BINARY_PRECEDENCE[op]);
      left = { k: 'binary', op, left, right };
    }
    if (minPrecedence === 0 && this.accept('?')) {
      const then = this.expression(0);
      this.expect(':');
      const otherwise = this.expression(0);
      left = { k: 'cond', test: left, then, otherwise };
    }
    this.depth--;
    return left;
  }

  private binaryOperator(): BinaryOp | undefined {
    const t = this.peek();
    if (t.kind === 'op' && t.text in BINARY_PRECEDENCE) return t.text as BinaryOp;
    if (t.kind === 'ident' && t.text === 'in') return 'in';
    return undefined;
  }

  private unary(): Expr {
    for (const op of ['!', '-'] as const) {
      if (this.accept(op)) {
        if (++this.depth > MAX_DEPTH) throw new CelSyntaxError('expression nested too deeply', this.peek().pos);
        const operand = this.unary();
        this.depth--;
        return { k: 'unary', op, operand };
      }
    }
    return this.member(this.primary());
  }

  private member(operand: Expr): Expr {
    for (;;) {
      if (this.accept('.')) {
        const name = this.identifier();
        if (this.accept('(')) operand = this.methodCall(operand, name);
        else operand = { k: 'select', operand, field: name };
      } else if (this.accept('[')) {
        const index = this.expression(0);
        this.expect(']');
        operand = { k: 'index', operand, index };
      } else return operand;
    }
  }

  private methodCall(target: Expr, name: string): Expr {
    const args = this.args(')');
    if (!MACROS.includes(name)) return { k: 'call', fn: name, target, args };
    const arity = name === 'map' ? [2, 3] : [2];
    const variable = args.at(0);
    if (!arity.includes(args.length) || variable?.k !== 'ident') {
      throw new CelSyntaxError(`${name}() takes a variable name and an expression`, this.peek().pos);
    }
    const comprehension = { k: 'comprehension', macro: name as Macro, target, variable: variable.name } as const;
    // map(x, pred, transform) keeps the elements pred accepts, then transforms them.
    return args.length === 3
      ? { ...comprehension, filter: args[1], body: args[2] }
      : { ...comprehension, body: args[1] };
  }

  private primary(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'int':
      case 'uint':
        return { k: 'lit', value: BigInt(t.text) };
      case 'double':
        return { k: 'lit', value: Number(t.text) };
      case 'string':
        return { k: 'lit', value: t.text };
      case 'ident':
        return this.identifierExpr(t);
      case 'op':
        if (t.text === '(') {
          const inner = this.expression(0);
          this.expect(')');
          return inner;
        }
        if (t.text === '[') return { k: 'list', items: this.args(']') };
        if (t.text === '{') return this.mapLiteral();
        break;
      default:
        break;
    }
    throw new CelSyntaxError(t.kind === 'eof' ? 'unexpected end of expression' : `unexpected '${t.text}'`, t.pos);
  }

  private identifierExpr(t: Token): Expr {
    if (t.text === 'true' || t.text === 'false') return { k: 'lit', value: t.text === 'true' };
    if (t.text === 'null') return { k: 'lit', value: null };
    if (!this.accept('(')) return { k: 'ident', name: t.text };
    const args = this.args(')');
    if (t.text !== 'has') return { k: 'call', fn: t.text, args };
    const arg = args.at(0);
    if (args.length !== 1 || arg?.k !== 'select') throw new CelSyntaxError('invalid argument to has() macro', t.pos);
    return { k: 'has', operand: arg.operand, field: arg.field };
  }

  private mapLiteral(): Expr {
    const entries: Array<{ key: Expr; value: Expr }> = [];
    while (!this.accept('}')) {
      if (entries.length > 0) {
        this.expect(',');
        if (this.accept('}')) break;
      }
      const key = this.expression(0);
      this.expect(':');
      entries.push({ key, value: this.expression(0) });
    }
    return { k: 'map', entries };
  }

  private args(close: string): Expr[] {
    const items: Expr[] = [];
    while (!this.accept(close)) {
      if (items.length > 0) {
        this.expect(',');
        if (this.accept(close)) break;
      }
      items.push(this.expression(0));
    }
    return items;
  }

  private identifier(): string {
    const t = this.next();
    if (t.kind !== 'ident') throw new CelSyntaxError(`expected a field name, got '${t.text}'`, t.pos);
    return t.text;
  }

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private next(): Token {
    const t = this.tokens[this.pos];
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private accept(op: string): boolean {
    const t = this.peek();
    if (t.kind === 'op' && t.text === op) {
      this.pos++;
      return true;
    }
    return false;
  }

  private expect(op: string): void {
    const t = this.peek();
    if (!this.accept(op)) throw new CelSyntaxError(`expected '${op}', got '${t.text || 'end of expression'}'`, t.pos);
  }
}
