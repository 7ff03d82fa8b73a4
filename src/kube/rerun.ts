// Asking for a rerun of a finished build: one Build with spec.project and spec.rerunOf, which the
// operator completes from the original and runs. What `brigade-operator rerun` and the dashboard call,
// with the caller's own credentials (the API server's RBAC decides who may create Builds).
import { rerunRefusal, rerunRequest } from '../api/rerun.ts';
import type { Build } from '../api/types.ts';
import type { BrigadeObjects } from './custom-objects.ts';

/** The rerun cannot be asked for: the build is missing or not finished (the message says which). */
export class RerunRefusedError extends Error {
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.name = 'RerunRefusedError';
    this.reason = reason;
  }
}

/**
 * Creates the rerun of build `name` in `namespace` and returns it (its name is generated). With
 * `all`, every job runs again; without it, jobs that succeeded in the original with the same name and
 * spec return their recorded result. Throws RerunRefusedError when the original is missing or has not
 * finished, KubeApiError when the API refuses (e.g. RBAC).
 */
export async function requestRerun(
  objects: BrigadeObjects,
  namespace: string,
  name: string,
  options: { all?: boolean } = {},
): Promise<Build> {
  const original = await objects.get('Build', namespace, name);
  const request = original ? rerunRequest(original, options) : undefined;
  const refusal = rerunRefusal(request ?? { spec: { project: '', rerunOf: { build: name } } }, original);
  if (refusal || !request) throw new RerunRefusedError(refusal?.reason ?? 'RerunOfNotFound', refusal?.message ?? '');
  return (await objects.create('Build', request)).object;
}
