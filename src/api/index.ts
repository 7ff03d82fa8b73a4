// The brigade.sh/v1alpha1 API: names, types, schemas, CRDs and pure helpers. Shared by every layer.
export * from './constants.ts';
export * from './defaults.ts';
export type * from './types.ts';
export { TERMINAL_BUILD_PHASES, TERMINAL_JOB_PHASES } from './types.ts';
export { PLACEMENTS, HOST_OSES, CONDITION_STATUSES } from './common-schemas.ts';
export { EVENT_PHASES, MAX_PAYLOAD_LENGTH } from './event-schema.ts';
export { BUILD_PHASES, SCRIPT_ORIGINS } from './build-schema.ts';
export { JOB_PHASES } from './job-schema.ts';
export { IMAGE_PULL_POLICIES, MAX_SCRIPT_LENGTH } from './project-schema.ts';
export { crdManifest, crdManifests, openApiSchema } from './crds.ts';
export type { CrdManifest, PrinterColumn } from './crds.ts';
export { setCondition, getCondition, isConditionTrue, conditionUnchanged } from './conditions.ts';
export type { ConditionUpdate } from './conditions.ts';
export { isAnyBrigadeResource, isBrigadeEvent, isBrigadeResource, isBuild, isJobCR, isProject } from './guards.ts';
export * from './names.ts';
export { validateAgainstSchema } from './validate.ts';
export type { SchemaValidation } from './validate.ts';
