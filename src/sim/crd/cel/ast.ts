// Syntax tree of the CEL subset.

export type Expr =
  | { k: 'lit'; value: CelValue }
  | { k: 'ident'; name: string }
  | { k: 'select'; operand: Expr; field: string }
  | { k: 'index'; operand: Expr; index: Expr }
  | { k: 'call'; fn: string; target?: Expr; args: Expr[] }
  | { k: 'unary'; op: '!' | '-'; operand: Expr }
  | { k: 'binary'; op: BinaryOp; left: Expr; right: Expr }
  | { k: 'cond'; test: Expr; then: Expr; otherwise: Expr }
  | { k: 'list'; items: Expr[] }
  | { k: 'map'; entries: Array<{ key: Expr; value: Expr }> }
  | { k: 'has'; operand: Expr; field: string }
  | { k: 'comprehension'; macro: Macro; target: Expr; variable: string; body: Expr; filter?: Expr };

export type BinaryOp = '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | '+' | '-' | '*' | '/' | '%';
export type Macro = 'all' | 'exists' | 'exists_one' | 'map' | 'filter';
export const MACROS: readonly string[] = ['all', 'exists', 'exists_one', 'map', 'filter'];

/** CEL values: int and uint are bigint, double is number; lists and maps as in JSON. */
export type CelValue = null | boolean | bigint | number | string | CelValue[] | { [key: string]: CelValue };
