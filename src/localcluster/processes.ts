// The control plane's processes: each component is a child process with its output in a log file of
// its own. Stopping is reverse start order, SIGTERM then SIGKILL after a grace period; a component
// that exits on its own is reported with the tail of its log. If this process dies without stopping
// them, the kernel signals the components (kubeground asks for a parent-death
// signal when KUBEGROUND_PARENT_DEATH_SIGNAL is set; `kubeground exec` arms it for the node agent),
// so no stray process survives.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Component {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Resolves when the process has exited, with its code or signal. */
  exited: Promise<string>;
}

export class ComponentExitedError extends Error {
  readonly component: string;
  readonly how: string;

  constructor(component: string, how: string, tail: string) {
    super(`${component} exited (${how}); last lines of its log:\n${tail}`);
    this.name = 'ComponentExitedError';
    this.component = component;
    this.how = how;
  }
}

const TAIL_BYTES = 4096;

export function logTail(file: string): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.slice(-TAIL_BYTES);
  } catch {
    return '(no log)';
  }
}

export class ProcessGroup {
  private readonly components: Component[] = [];
  private readonly logDir: string;
  private readonly onUnexpectedExit: (err: ComponentExitedError) => void;
  private stopping = false;
  private readonly onExit = (): void => {
    for (const c of this.components)
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  };

  constructor(logDir: string, onUnexpectedExit: (err: ComponentExitedError) => void) {
    this.logDir = logDir;
    this.onUnexpectedExit = onUnexpectedExit;
    process.on('exit', this.onExit);
  }

  /**
   * deathSignal is what the kernel sends the component if this process dies first: SIGKILL for the
   * control plane, SIGTERM for the node agent so it still stops its containers.
   */
  start(name: string, file: string, args: string[], deathSignal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Component {
    const logFile = join(this.logDir, `${name}.log`);
    const fd = openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(file, args, {
        stdio: ['ignore', fd, fd],
        env: { ...process.env, KUBEGROUND_PARENT_DEATH_SIGNAL: deathSignal },
      });
    } finally {
      closeSync(fd);
    }
    const exited = new Promise<string>((resolve) => {
      child.once('exit', (code, signal) => {
        resolve(signal ? `signal ${signal}` : `code ${code}`);
      });
    });
    const component: Component = { name, child, logFile, exited };
    this.components.push(component);
    void exited.then((how) => {
      if (!this.stopping) this.onUnexpectedExit(new ComponentExitedError(name, how, logTail(logFile)));
    });
    return component;
  }

  /** Stops every component, newest first; each gets graceMs after SIGTERM before SIGKILL. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    for (const c of [...this.components].reverse()) {
      if (c.child.exitCode !== null || c.child.signalCode !== null) continue;
      c.child.kill('SIGTERM');
      const timer = setTimeout(() => c.child.kill('SIGKILL'), graceMs);
      await c.exited;
      clearTimeout(timer);
    }
    process.off('exit', this.onExit);
  }
}
