// Runs one pod on a simulated node: volumes, then init containers in order, then the containers in
// parallel, each as a local process (see process.ts), reporting every state change through
// writeStatus. The image is never pulled; the `Pulled` event says so. A container without `command`
// fails with StartError: without the image the simulator cannot know its entrypoint, and running
// `args` through a shell instead would silently run something else than the real pod.

import type { SimStore } from '../types.ts';
import { rfc3339 } from './conditions.ts';
import { ContainerConfigError, containerEnv, expandVars } from './env.ts';
import type { Container, Pod } from './kube-types.ts';
import type { LogStore } from './logs.ts';
import { newContainerRecord, terminalPhase, type ContainerRecord, type PodRuntime } from './pod-status.ts';
import { ContainerProcess, type ProcessExit } from './process.ts';
import { PROVIDER_FAILED, aciUnsupportedFeature } from './provider.ts';
import { VolumeMountError, prepareContainerRoot, prepareVolumes } from './volumes.ts';

export interface SimNode {
  name: string;
  ip: string;
  virtualKubeletProvider: boolean;
}

export interface PodRunnerDeps {
  store: SimStore;
  logs: LogStore;
  dataDir: string;
  node: SimNode;
  podIP: string;
  now: () => Date;
  writeStatus: (runtime: PodRuntime) => void;
  event: (type: 'Normal' | 'Warning', reason: string, message: string) => void;
  /** Delay before the nth restart of a container (CrashLoopBackOff). */
  restartDelayMs?: (restarts: number) => number;
}

/** How run() ended: the pod finished (or was stopped), or it waits for a Secret/ConfigMap to appear. */
export type RunOutcome = 'finished' | 'blocked';

const defaultRestartDelay = (restarts: number): number => Math.min(300_000, 10_000 * 2 ** Math.max(0, restarts - 1));

export class PodRunner {
  readonly uid: string;
  readonly #pod: Pod;
  readonly #deps: PodRunnerDeps;
  readonly #rt: PodRuntime;
  readonly #processes = new Set<ContainerProcess>();
  readonly #stopping = new AbortController();
  #envs = new Map<string, Record<string, string>>();
  #deadlineExceeded = false;
  #volumes = new Map<string, string>();

  constructor(pod: Pod, deps: PodRunnerDeps) {
    this.#pod = pod;
    this.#deps = deps;
    this.uid = pod.metadata.uid ?? '';
    const init = pod.spec.initContainers ?? [];
    const mainWaiting = init.length > 0 ? 'PodInitializing' : 'ContainerCreating';
    this.#rt = {
      phase: 'Pending',
      startTime: deps.now(),
      hostIP: deps.node.ip,
      sandboxReady: false,
      init: init.map((c) => newContainerRecord(c.name, c.image, 'PodInitializing')),
      main: (pod.spec.containers ?? []).map((c) => newContainerRecord(c.name, c.image, mainWaiting)),
    };
  }

  get stopping(): boolean {
    return this.#stopping.signal.aborted;
  }

  async run(): Promise<RunOutcome> {
    this.#deps.writeStatus(this.#rt);
    const refusal = this.#deps.node.virtualKubeletProvider ? aciUnsupportedFeature(this.#pod) : undefined;
    if (refusal) return this.#refuse(refusal);
    if (!(await this.#prepare())) return 'blocked';
    const deadline = this.#armDeadline();
    try {
      return await this.#runContainers();
    } finally {
      clearTimeout(deadline);
    }
  }

  async #runContainers(): Promise<RunOutcome> {
    for (const [i, container] of (this.#pod.spec.initContainers ?? []).entries()) {
      const ok = await this.#runUntilDone(container, this.#rt.init[i], true);
      if (!ok) return this.#finish('Failed');
    }
    if (this.stopping) return this.#finish('Failed');
    this.#rt.phase = 'Running';
    await Promise.all((this.#pod.spec.containers ?? []).map((c, i) => this.#runUntilDone(c, this.#rt.main[i], false)));
    return this.#finish(this.#deadlineExceeded ? 'Failed' : terminalPhase(this.#rt.main));
  }

  /** Pod-level activeDeadlineSeconds, counted from startTime: the kubelet kills the pod and fails it. */
  #armDeadline(): NodeJS.Timeout | undefined {
    const seconds = this.#pod.spec.activeDeadlineSeconds;
    if (seconds === undefined) return undefined;
    const remaining = this.#rt.startTime.getTime() + seconds * 1000 - this.#deps.now().getTime();
    return setTimeout(
      () => {
        this.#deadlineExceeded = true;
        this.#rt.reason = 'DeadlineExceeded';
        this.#rt.message = 'Pod was active on the node longer than the specified deadline';
        this.#deps.event('Normal', 'DeadlineExceeded', this.#rt.message);
        this.stop((this.#pod.spec.terminationGracePeriodSeconds ?? 30) * 1000).catch((err: unknown) => {
          this.#deps.event(
            'Warning',
            'FailedKillPod',
            `error killing pod: ${err instanceof Error ? err.message : String(err)}`,
          );
        });
      },
      Math.max(0, remaining),
    );
  }

  /** run() failed unexpectedly (a bug or a host problem): say so on the pod rather than leave it in limbo. */
  reportCrash(err: unknown): void {
    this.#rt.phase = 'Failed';
    this.#rt.reason = 'SimulatorError';
    this.#rt.message = `the simulated kubelet failed to run this pod: ${err instanceof Error ? err.message : String(err)}`;
    this.#deps.writeStatus(this.#rt);
  }

  /** Stops every process (SIGTERM, SIGKILL after graceMs); run() then settles. */
  async stop(graceMs: number): Promise<void> {
    this.#stopping.abort();
    await Promise.all([...this.#processes].map((p) => p.stop(graceMs)));
  }

  #refuse(message: string): RunOutcome {
    this.#rt.phase = 'Failed';
    this.#rt.reason = PROVIDER_FAILED;
    this.#rt.message = message;
    // The provider never created the containers, so the real pod has no container statuses and
    // kubectl shows ProviderFailed as its status.
    this.#rt.init = [];
    this.#rt.main = [];
    this.#deps.event('Warning', 'ProviderCreateFailed', message);
    this.#deps.writeStatus(this.#rt);
    return 'finished';
  }

  /** Volumes and environments; false when a Secret/ConfigMap is missing (the pod waits for it). */
  async #prepare(): Promise<boolean> {
    const { store, dataDir } = this.#deps;
    try {
      this.#volumes = await prepareVolumes({ store, pod: this.#pod, dataDir });
    } catch (err) {
      if (!(err instanceof VolumeMountError)) throw err;
      this.#deps.event('Warning', 'FailedMount', err.message);
      return false;
    }
    this.#rt.sandboxReady = true;
    this.#rt.podIP = this.#deps.podIP;
    const all: Array<[Container, ContainerRecord]> = [
      ...(this.#pod.spec.initContainers ?? []).map((c, i): [Container, ContainerRecord] => [c, this.#rt.init[i]]),
      ...(this.#pod.spec.containers ?? []).map((c, i): [Container, ContainerRecord] => [c, this.#rt.main[i]]),
    ];
    for (const [container, record] of all) {
      try {
        this.#envs.set(container.name, containerEnv({ store, pod: this.#pod, container, podIP: this.#rt.podIP }));
      } catch (err) {
        if (!(err instanceof ContainerConfigError)) throw err;
        record.state = { waiting: { reason: 'CreateContainerConfigError', message: err.message } };
        this.#deps.event('Warning', 'Failed', `Error: ${err.message}`);
        this.#deps.writeStatus(this.#rt);
        return false;
      }
    }
    this.#deps.writeStatus(this.#rt);
    return true;
  }

  #finish(phase: 'Succeeded' | 'Failed'): RunOutcome {
    this.#rt.phase = phase;
    for (const record of [...this.#rt.init, ...this.#rt.main]) {
      // Containers that never started stay waiting in the real status too; nothing to change.
      if (record.state.running)
        record.state = {
          terminated: {
            exitCode: 137,
            reason: 'Error',
            startedAt: record.state.running.startedAt,
            finishedAt: rfc3339(this.#deps.now()),
          },
        };
    }
    this.#deps.writeStatus(this.#rt);
    return 'finished';
  }

  #shouldRestart(exit: ProcessExit, isInit: boolean): boolean {
    if (this.stopping) return false;
    const policy = this.#pod.spec.restartPolicy ?? 'Always';
    if (isInit) return exit.exitCode !== 0 && policy !== 'Never';
    return policy === 'Always' || (policy === 'OnFailure' && exit.exitCode !== 0);
  }

  /** Runs the container, restarting it as the restart policy says; true when it ended with exit 0. */
  async #runUntilDone(container: Container, record: ContainerRecord, isInit: boolean): Promise<boolean> {
    for (;;) {
      if (this.stopping) return false;
      const exit = await this.#runOnce(container, record);
      if (!this.#shouldRestart(exit, isInit)) return exit.exitCode === 0;
      if (!(await this.#backOff(record))) return false;
    }
  }

  async #backOff(record: ContainerRecord): Promise<boolean> {
    const delay = (this.#deps.restartDelayMs ?? defaultRestartDelay)(record.restartCount + 1);
    const pod = this.#pod.metadata;
    record.lastState = record.state;
    record.state = {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${record.name} pod=${pod.name}_${pod.namespace}(${pod.uid})`,
      },
    };
    this.#deps.writeStatus(this.#rt);
    const signal = this.#stopping.signal;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delay);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
    if (this.stopping) return false;
    record.restartCount += 1;
    return true;
  }

  #announce(container: Container): void {
    this.#deps.event(
      'Normal',
      'Pulled',
      `Container image "${container.image ?? ''}" was NOT pulled: the Kubernetes simulator does not pull images; ` +
        "it runs the container's command directly on this host as a local process, with the host's tools",
    );
    this.#deps.event('Normal', 'Created', `Created container: ${container.name}`);
  }

  async #runOnce(container: Container, record: ContainerRecord): Promise<ProcessExit> {
    const startedAt = rfc3339(this.#deps.now());
    if (!container.command?.length) {
      const message = `the simulator cannot run the entrypoint of image "${container.image ?? ''}": it does not pull images, so it cannot know their entrypoint (a real node runs it); set command to run something on the simulator`;
      this.#deps.event('Warning', 'Failed', `Error: ${message}`);
      return this.#terminated(record, { exitCode: 128, startError: message }, startedAt);
    }
    this.#announce(container);
    let dirs: { root: string; cwd: string };
    try {
      dirs = await prepareContainerRoot({
        pod: this.#pod,
        dataDir: this.#deps.dataDir,
        container,
        volumes: this.#volumes,
      });
    } catch (err) {
      if (!(err instanceof VolumeMountError)) throw err;
      this.#deps.event('Warning', 'Failed', `Error: ${err.message}`);
      return this.#terminated(record, { exitCode: 128, startError: err.message }, startedAt);
    }
    const { root, cwd } = dirs;
    if (this.stopping) return this.#terminated(record, { exitCode: 137 }, startedAt);
    const env = this.#processEnv(container, root);
    const argv = [...container.command, ...(container.args ?? [])].map((a) =>
      expandVars(a, this.#envs.get(container.name) ?? {}),
    );
    const log = this.#deps.logs.open(
      this.#pod.metadata.namespace ?? 'default',
      this.#pod.metadata.name ?? '',
      this.uid,
      container.name,
    );
    const proc = new ContainerProcess({
      argv,
      cwd,
      env,
      onLine: (line) => {
        log.append(line);
      },
    });
    this.#processes.add(proc);
    if (proc.pid !== undefined) {
      record.containerID = `sim://${proc.pid}`;
      record.state = { running: { startedAt } };
      this.#deps.event('Normal', 'Started', `Started container ${container.name}`);
      this.#deps.writeStatus(this.#rt);
    }
    const exit = await proc.exited;
    this.#processes.delete(proc);
    log.finish();
    if (exit.startError) this.#deps.event('Warning', 'Failed', `Error: ${exit.startError}`);
    return this.#terminated(record, exit, startedAt);
  }

  #terminated(record: ContainerRecord, exit: ProcessExit, startedAt: string): ProcessExit {
    const reason = exit.startError ? 'StartError' : exit.exitCode === 0 ? 'Completed' : 'Error';
    record.state = {
      terminated: {
        exitCode: exit.exitCode,
        ...(exit.signal ? { signal: exit.signal } : {}),
        reason,
        ...(exit.startError ? { message: exit.startError } : {}),
        startedAt,
        finishedAt: rfc3339(this.#deps.now()),
        ...(record.containerID ? { containerID: record.containerID } : {}),
      },
    };
    this.#deps.writeStatus(this.#rt);
    return exit;
  }

  /** Only what the container defines plus a minimal base: the host's environment (tokens!) never leaks in. */
  #processEnv(container: Container, root: string): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: root,
      HOSTNAME: this.#pod.metadata.name ?? '',
      SIM_ROOT: root,
      ...this.#envs.get(container.name),
    };
  }
}
