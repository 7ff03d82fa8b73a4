// pods/{name}/log: streams what the workloads' PodLogs hold for the pod, as text/plain.

import type { PodLogReadOptions, PodLogs } from '../../types.ts';
import type { ApiStore } from '../api-store.ts';
import { badRequest } from '../errors.ts';
import type { ResourceType } from '../resources.ts';
import type { Exchange } from './handlers.ts';

function int(query: URLSearchParams, key: string): number | undefined {
  const v = query.get(key);
  if (v === null) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw badRequest(`${key}: Invalid value: "${v}": must be an integer`);
  return n;
}

function readOptions(query: URLSearchParams): PodLogReadOptions {
  const opts: PodLogReadOptions = {};
  const container = query.get('container');
  if (container) opts.container = container;
  for (const flag of ['follow', 'timestamps', 'previous'] as const) if (query.get(flag) === 'true') opts[flag] = true;
  for (const key of ['tailLines', 'sinceSeconds', 'limitBytes'] as const) {
    const n = int(query, key);
    if (n !== undefined) opts[key] = n;
  }
  return opts;
}

function firstContainer(pod: Record<string, unknown>): string {
  const containers = (pod['spec'] as { containers?: Array<{ name?: string }> } | undefined)?.containers ?? [];
  return containers[0]?.name ?? '';
}

export async function servePodLog(
  ctx: { store: ApiStore; logs: PodLogs | undefined },
  rt: ResourceType,
  target: { namespace: string; name: string },
  ex: Exchange,
): Promise<void> {
  const pod = ctx.store.get(rt, target.namespace, target.name);
  const opts = readOptions(ex.query);
  const container = opts.container ?? firstContainer(pod);
  if (!ctx.logs || !ctx.logs.has(target.namespace, target.name, opts.container)) {
    throw badRequest(`container "${container}" in pod "${target.name}" is waiting to start: ContainerCreating`);
  }
  const abort = new AbortController();
  ex.res.on('close', () => {
    abort.abort();
  });
  let started = false;
  try {
    for await (const chunk of ctx.logs.read(target.namespace, target.name, opts, abort.signal)) {
      if (!started) {
        ex.res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
        started = true;
      }
      if (!ex.res.write(chunk)) await new Promise<void>((resolve) => ex.res.once('drain', resolve));
    }
  } catch (err) {
    // The client went away: nothing left to answer.
    if (abort.signal.aborted) return;
    // The workloads' LogRequestError (ambiguous or unknown container) carries code 400.
    if (!started && err instanceof Error && (err as { code?: unknown }).code === 400)
      throw badRequest(err.message, undefined, { cause: err });
    throw err;
  }
  if (!started) ex.res.writeHead(200, { 'Content-Type': 'text/plain' });
  ex.res.end();
}
