// Job translation: brigade.sh Job CR -> batch/v1 Job, PVCs and the job's env Secret. Pure functions.
export { translateJob, JOB_CONTAINER, ANNOTATIONS } from './translate.ts';
export type { TranslateInput, TranslateResult, Translation, Refusal, RefusalReason, RequiredClaim } from './types.ts';
export { splitJobEnv, jobEnvSecret } from './env.ts';
export type { SplitEnv, SplitEnvInput, JobEnvSecretInput } from './env.ts';
export { VIRTUAL_NODE_NAME, VIRTUAL_NODE_TOLERATIONS } from './placement.ts';
export { CLONE_SCRIPT, INLINE_CLONE_SCRIPT } from './source.ts';
export { secretsOfVolume } from './access.ts';
