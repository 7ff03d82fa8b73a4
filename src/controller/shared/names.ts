// Names of the bookkeeping objects only the controllers create (the rest are in src/api/names.ts).
import { suffixedName } from '../../api/names.ts';

/** The ConfigMap that keeps a job's full (bounded, redacted) log after its pod is gone. */
export function jobLogConfigMapName(jobCr: string): string {
  return suffixedName(jobCr, 'log');
}

/** The key of that ConfigMap holding the log. */
export const JOB_LOG_KEY = 'log';
