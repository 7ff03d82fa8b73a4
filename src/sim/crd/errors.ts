// Field errors shaped like k8s.io/apimachinery/pkg/util/validation/field, so that the API server can
// build the same 422 Invalid Status (details.causes[].reason/field/message) the real apiserver sends.

export type FieldErrorReason =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTypeInvalid'
  | 'FieldValueDuplicate'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueNotFound';

export interface FieldError {
  reason: FieldErrorReason;
  /** Dotted path with list indices and quoted map keys, e.g. `spec.jobs[0].image`, `spec.env[FOO]`. */
  field: string;
  /** The full message as the real apiserver words it, including the field: `spec.image: Required value`. */
  message: string;
}

/** Renders a value the way field.Error does (Go's %q for strings, %v for scalars, %#v otherwise). */
export function renderValue(value: unknown): string {
  if (value === null || value === undefined) return '"null"';
  if (typeof value === 'string') return JSON.stringify(value);
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- not an object: TypeScript does not narrow unknown by a negative typeof
  if (typeof value !== 'object') return String(value);
  return goSyntax(value);
}

function goSyntax(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return 'interface {}(nil)';
  if (Array.isArray(value)) return `[]interface {}{${value.map(goSyntax).join(', ')}}`;
  if (typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[string]interface {}{${entries.map(([k, v]) => `${JSON.stringify(k)}:${goSyntax(v)}`).join(', ')}}`;
  }
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects were handled above; TypeScript does not narrow unknown by a negative typeof
  return String(value);
}

/** Allowed values are listed quoted, non-strings as their quoted JSON (`"1"`), like field.NotSupported. */
function quoteAllowed(value: unknown): string {
  return JSON.stringify(typeof value === 'string' ? value : JSON.stringify(value));
}

function make(reason: FieldErrorReason, field: string, detail: string): FieldError {
  return { reason, field, message: field ? `${field}: ${detail}` : detail };
}

export const fieldErrors = {
  required: (field: string, detail = ''): FieldError =>
    make('FieldValueRequired', field, detail ? `Required value: ${detail}` : 'Required value'),
  invalid: (field: string, value: unknown, detail: string): FieldError =>
    make('FieldValueInvalid', field, `Invalid value: ${renderValue(value)}${detail ? `: ${detail}` : ''}`),
  notSupported: (field: string, value: unknown, allowed: unknown[]): FieldError =>
    make(
      'FieldValueNotSupported',
      field,
      `Unsupported value: ${renderValue(value)}${allowed.length ? `: supported values: ${allowed.map(quoteAllowed).join(', ')}` : ''}`,
    ),
  forbidden: (field: string, detail: string): FieldError => make('FieldValueForbidden', field, `Forbidden: ${detail}`),
  typeInvalid: (field: string, value: unknown, detail: string): FieldError =>
    make('FieldValueTypeInvalid', field, `Invalid value: ${renderValue(value)}: ${detail}`),
  duplicate: (field: string, value: unknown): FieldError =>
    make('FieldValueDuplicate', field, `Duplicate value: ${renderValue(value)}`),
  tooLong: (field: string, max: number): FieldError =>
    make('FieldValueTooLong', field, `Too long: may not be more than ${max} bytes`),
  tooMany: (field: string, actual: number, max: number): FieldError =>
    make('FieldValueTooMany', field, `Too many: ${actual}: must have at most ${max} items`),
};

/** One error as a line (its message already names the field). */
export function formatFieldError(err: FieldError): string {
  return err.message;
}

/**
 * The aggregate the apiserver puts in Status.message after `<Kind> "<name>" is invalid: `:
 * one error alone, or `[a, b]` for several.
 */
export function formatFieldErrors(errs: FieldError[]): string {
  return errs.length === 1 ? errs[0].message : `[${errs.map((e) => e.message).join(', ')}]`;
}
