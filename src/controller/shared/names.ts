// Names of the bookkeeping objects only the controllers create (the rest are in src/api/names.ts).
import { suffixedName } from '../../api/names.ts';

/**
 * The ConfigMap that holds part `index` of a job's kept log (bounded, redacted) after its pod is
 * gone: JOB-log for the first part (the only one an older operator wrote), JOB-log-1, JOB-log-2, ...
 */
export function jobLogConfigMapName(jobCr: string, index = 0): string {
  return suffixedName(jobCr, index === 0 ? 'log' : `log-${index}`);
}

/** The key of that ConfigMap holding the log. */
export const JOB_LOG_KEY = 'log';
