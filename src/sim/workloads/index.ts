// The simulator's workloads: scheduler, batch/v1 Job controller and kubelet, all driven by store
// watches. startWorkloads registers the nodes, starts the three controllers and returns the pod logs
// the API server serves at pods/{name}/log.

import type { StartWorkloads, Workloads } from '../types.ts';

export { LogRequestError } from './logs.ts';

export const startWorkloads: StartWorkloads = async (opts): Promise<Workloads> => {
  void opts;
  throw new Error('startWorkloads: not implemented yet');
};
