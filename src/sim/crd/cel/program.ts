// Compiling a CEL rule: parse, then check every identifier and function against the subset, so a
// rule the evaluator cannot run is refused when the CRD is created, never skipped at admission.
//
// The subset: null/bool/int/uint/double/string literals (quotes, triple quotes, raw strings, escapes),
// list and map literals; variables self and oldSelf; field access (a.b, a['b']), list index;
// ! - * / % + (numbers, strings, lists) == != < <= > >= in && || ?:; has(a.b); size() both
// forms; int() uint() double() string(); startsWith endsWith contains matches lowerAscii upperAscii
// trim; the macros all exists exists_one filter map. Not supported (refused at compile time):
// bytes, duration/timestamp, type(), optional types, the Kubernetes libraries (quantity, url, ip,
// format, lists, regex find), variables other than self/oldSelf. int/uint are 64-bit bigints (uint
// is not kept apart from int), double is a JS number; JSON integers are ints unless the schema says
// `number`. Known deviations: no cost budget (rules are bounded by the object's size); operand
// types are checked when evaluated, not when compiled. Set and map lists compare regardless of order, as in
// Kubernetes, when the values come from the schema walk (cel-rules.ts marks them). With a schema,
// field access is checked against it (check.ts); operand types are not checked before evaluation.

import type { CelValue, Expr } from './ast.ts';
import { evaluate } from './evaluate.ts';
import type { Schema } from '../schema.ts';
import { CelCompileError, checkExpr } from './check.ts';
import { CelSyntaxError } from './lexer.ts';
import { parse } from './parser.ts';

export { CelEvalError } from './functions.ts';
export { CelCompileError } from './check.ts';

export interface CelProgram {
  source: string;
  /** True when the rule mentions oldSelf: a transition rule, run only on updates with an old value. */
  usesOldSelf: boolean;
  /** Evaluates with the given variables (self, oldSelf); throws CelEvalError. */
  run(vars: { self: CelValue; oldSelf?: CelValue }): CelValue;
}

export interface CompileCelOptions {
  /** The schema of `self` (and `oldSelf`): fields it does not declare are refused. */
  schema?: Schema;
}

export function compileCel(source: string, opts: CompileCelOptions = {}): CelProgram {
  let ast: Expr;
  try {
    ast = parse(source);
  } catch (err) {
    if (err instanceof CelSyntaxError) throw new CelCompileError(`Syntax error: ${err.message}`, { cause: err });
    throw err;
  }
  const { usesOldSelf } = checkExpr(
    ast,
    new Map([
      ['self', opts.schema],
      ['oldSelf', opts.schema],
    ]),
  );
  return {
    source,
    usesOldSelf,
    run: ({ self, oldSelf }) => {
      const vars = new Map<string, CelValue>([['self', self]]);
      if (oldSelf !== undefined) vars.set('oldSelf', oldSelf);
      return evaluate(ast, vars);
    },
  };
}
