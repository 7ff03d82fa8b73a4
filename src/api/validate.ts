// Offline validation of a brigade.sh object against its CRD schema (ajv), e.g. for a CLI lint of
// a Project manifest before it is applied, and for tests. It checks types, patterns, enums and
// required fields; it does not evaluate x-kubernetes-validations (CEL) — the API server does.
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { BrigadeKind } from './constants.ts';
import { openApiSchema } from './crds.ts';
import { KUBERNETES_KEYWORDS } from './structural.ts';

// ajv-formats is CommonJS with a default export; under nodenext its type is the module namespace.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

let validators: Map<BrigadeKind, ValidateFunction> | undefined;

function validatorFor(kind: BrigadeKind): ValidateFunction {
  if (!validators) {
    const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: false });
    addFormats(ajv);
    ajv.addVocabulary([...KUBERNETES_KEYWORDS]);
    validators = new Map();
    for (const k of ['Project', 'Event', 'Build', 'Job'] as const) validators.set(k, ajv.compile(openApiSchema(k)));
  }
  const validate = validators.get(kind);
  if (!validate) throw new Error(`no schema for kind ${kind}`);
  return validate;
}

export interface SchemaValidation {
  valid: boolean;
  /** `<path>: <message>` for each problem, e.g. `/spec/policy/allowPrivileged: must be boolean`. */
  errors: string[];
}

export function validateAgainstSchema(kind: BrigadeKind, object: unknown): SchemaValidation {
  const validate = validatorFor(kind);
  const valid = validate(object);
  const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword}`);
  return { valid, errors };
}
