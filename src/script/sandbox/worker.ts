/**
 * Entry of a sandbox worker thread: hosts many builds, each in its own QuickJS instance (see
 * HostedBuild). Talks to the engine only through the messages in protocol.ts. The engine's watchdog
 * may terminate this thread at any moment; nothing here needs cleanup beyond what dies with it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { DEFAULT_LIMITS } from '../defaults.ts';
import type { FromWorker, SandboxResult, ToWorker } from '../protocol.ts';
import type { ScriptLogLevel } from '../types.ts';
import { readGuestSources } from './guest-sources.ts';
import { HostedBuild } from './hosted-build.ts';
import { SandboxPool, pagesFor } from './sandbox-pool.ts';
import { SandboxReclaimer } from './reclaim.ts';
import { WatchCell } from './watch-cell.ts';
import { wasm } from './wasm.ts';

interface WorkerData {
  watchBuffer: SharedArrayBuffer;
}

const port = parentPort;
if (!port) throw new Error('sandbox worker must run in a worker thread');

const require = createRequire(import.meta.url);
const wasmModule = await wasm.compile(readFileSync(require.resolve('@jitl/quickjs-ng-wasmfile-release-sync/wasm')));
const sources = readGuestSources();
const cell = new WatchCell((workerData as WorkerData).watchBuffer);
// Two ready sandboxes: a burst of builds starts warm while the worker makes the next ones.
const sandboxes = new SandboxPool({ wasmModule, sources, size: 2, pages: pagesFor(DEFAULT_LIMITS.memoryBytes) });
sandboxes.fill();
const builds = new Map<number, HostedBuild>();
const reclaimer = new SandboxReclaimer();

function post(message: FromWorker): void {
  port?.postMessage(message);
}

function startBuild(start: Extract<ToWorker, { type: 'start' }>): void {
  const { id } = start;
  const build = new HostedBuild({
    start,
    sandboxes,
    sources,
    cell,
    // Inspection evaluates top-level code only: jobs it starts are never run, and stay pending.
    runJob:
      start.kind === 'inspect'
        ? () => undefined
        : (callId, requestJson, clock) => {
            post({ type: 'runJob', id, callId, requestJson, clock });
          },
    jobLogs:
      start.kind === 'inspect'
        ? () => undefined
        : (callId, name) => {
            post({ type: 'jobLogs', id, callId, name });
          },
    log: (level: ScriptLogLevel, text: string) => {
      post({ type: 'log', id, level, text });
    },
    done: (result: SandboxResult) => {
      builds.delete(id);
      reclaimer.freed();
      post({ type: 'done', id, result });
    },
  });
  builds.set(id, build);
  build.begin().catch((error: unknown) => {
    builds.delete(id);
    post({
      type: 'done',
      id,
      result: {
        kind: 'run',
        status: 'Failed',
        reason: 'SandboxError',
        message: `sandbox start failed: ${String(error)}`,
      },
    });
  });
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'start':
      startBuild(message);
      return;
    case 'jobResult': {
      const answer =
        message.outcomeJson !== undefined
          ? { outcomeJson: message.outcomeJson }
          : { error: message.error ?? { name: 'Error', message: 'job failed' } };
      return builds.get(message.id)?.jobSettled(message.callId, answer);
    }
    case 'drop': {
      builds.get(message.id)?.drop();
      builds.delete(message.id);
      reclaimer.freed();
      return;
    }
    case 'hibernate': {
      const build = builds.get(message.id);
      if (!build?.hibernate()) {
        post({ type: 'awake', id: message.id });
        return;
      }
      builds.delete(message.id);
      reclaimer.freed();
      post({ type: 'hibernated', id: message.id });
      return;
    }
  }
});

post({ type: 'ready' });
