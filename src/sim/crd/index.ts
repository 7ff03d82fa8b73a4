// Public API of the simulator's CRD machinery: validating CustomResourceDefinitions, admitting custom
// resources against their openAPIV3Schema (defaults, pruning, schema and CEL validation), Table output
// for printer columns, and the OpenAPI documents kubectl reads. The API server is the only caller; it
// owns HTTP, storage, metadata.name rules (see names.ts helpers) and status codes.

export type { FieldError, FieldErrorReason } from './errors.ts';
export { formatFieldError, formatFieldErrors } from './errors.ts';
export type { CompiledCrd, CompiledVersion, AdmitOptions, AdmitResult } from './compile.ts';
export type { TableColumn } from './table.ts';
export { compileCrd, CrdCompileError } from './compile.ts';
export { validateCrd } from './validate-crd.ts';
export { openApiV3ForGroupVersion, openApiV2, openApiV3Paths } from './openapi.ts';
export { isDns1123Subdomain, isDns1123Label, validateObjectName } from './names.ts';
