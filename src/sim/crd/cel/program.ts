// Compiling a CEL rule: parse, then check every identifier and function against the subset, so a
// rule the evaluator cannot run is refused when the CRD is created, never skipped at admission.
//
// The subset: null/bool/int/uint/double/string literals (quotes, triple quotes, raw strings, escapes),
// list and map literals; variables self and oldSelf; field access (a.b, a['b']), list index;
// ! - * / % + (numbers, strings, lists) == != < <= > >= in && || ?:; has(a.b); size() both
// forms; int() uint() double() string(); startsWith endsWith contains matches lowerAscii upperAscii
// trim; the macros all exists exists_one filter map. Not supported (refused at compile time):
// bytes, duration/timestamp, type(), optional types, the Kubernetes libraries (quantity, url, ip,
// format, lists, regex find), variables other than self/oldSelf. Known deviations: int and double
// are both JS numbers (7.0 / 2.0 truncates like ints; no int64 overflow errors); no cost budget
// (rules are bounded by the object's size). Set and map lists compare regardless of order, as in
// Kubernetes, when the values come from the schema walk (cel-rules.ts marks them).

import type { CelValue, Expr } from './ast.ts';
import { evaluate } from './evaluate.ts';
import { GLOBAL_FUNCTIONS, METHODS } from './functions.ts';
import { CelSyntaxError, } from './lexer.ts';
import { parse } from './parser.ts';

export { CelEvalError } from './functions.ts';

export interface CelProgram {
  source: string;
  /** True when the rule mentions oldSelf: a transition rule, run only on updates with an old value. */
  usesOldSelf: boolean;
  /** Evaluates with the given variables (self, oldSelf); throws CelEvalError. */
  run(vars: { self: CelValue; oldSelf?: CelValue }): CelValue;
}

export class CelCompileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CelCompileError';
  }
}

export function compileCel(source: string): CelProgram {
  let ast: Expr;
  try {
    ast = parse(source);
  } catch (err) {
    if (err instanceof CelSyntaxError) throw new CelCompileError(`Syntax error: ${err.message}`, { cause: err });
    throw err;
  }
  const usage = { oldSelf: false };
  check(ast, new Set(['self', 'oldSelf']), usage);
  return {
    source,
    usesOldSelf: usage.oldSelf,
    run: ({ self, oldSelf }) => {
      const vars = new Map<string, CelValue>([['self', self]]);
      if (oldSelf !== undefined) vars.set('oldSelf', oldSelf);
      return evaluate(ast, vars);
    },
  };
}

function check(expr: Expr, scope: ReadonlySet<string>, usage: { oldSelf: boolean }): void {
  const sub = (e: Expr, s: ReadonlySet<string> = scope): void => check(e, s, usage);
  switch (expr.k) {
    case 'lit': return;
    case 'ident':
      if (!scope.has(expr.name)) throw new CelCompileError(`undeclared reference to '${expr.name}'`);
      if (expr.name === 'oldSelf') usage.oldSelf = true;
      return;
    case 'select': case 'has': case 'unary': return sub(expr.operand);
    case 'index': sub(expr.operand); return sub(expr.index);
    case 'binary': sub(expr.left); return sub(expr.right);
    case 'cond': sub(expr.test); sub(expr.then); return sub(expr.otherwise);
    case 'list': return expr.items.forEach((e) => sub(e));
    case 'map': return expr.entries.forEach((e) => { sub(e.key); sub(e.value); });
    case 'call': return checkCall(expr, sub);
    case 'comprehension': {
      sub(expr.target);
      const inner = new Set([...scope, expr.variable]);
      if (expr.filter) sub(expr.filter, inner);
      return sub(expr.body, inner);
    }
  }
}

function checkCall(expr: Extract<Expr, { k: 'call' }>, sub: (e: Expr) => void): void {
  const table = expr.target ? METHODS : GLOBAL_FUNCTIONS;
  const known = Object.hasOwn(table, expr.fn) ? table[expr.fn] : undefined;
  if (!known) {
    throw new CelCompileError(`function '${expr.fn}' is not supported by the simulator's CEL subset`);
  }
  if (known.arity !== expr.args.length) {
    throw new CelCompileError(`found no matching overload for '${expr.fn}' with ${expr.args.length} arguments`);
  }
  if (expr.target) sub(expr.target);
  expr.args.forEach((a) => sub(a));
}
