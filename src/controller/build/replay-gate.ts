// After a restart every running build's script is evaluated again (replay). Evaluating all of them
// at once made a crash-looping operator useless: each start spent its life re-evaluating every
// build, none got to its next job before the next crash, and the cost grew with the number of
// running builds. The gate lets a few replays catch up at a time, oldest build first. A replay has
// caught up once it waits on a job that is not finished (or asks for a new one), or ends; a replay
// that waits on something else (a long timer) gives its slot up after `holdMs`.

export interface ReplayCandidate {
  key: string;
  /** status.startTime of the build: older builds replay first. */
  startTime: string;
}

export class ReplayGate {
  readonly #limit: number;
  readonly #holdMs: number;
  /** Replays catching up, with when they started. */
  readonly #catchingUp = new Map<string, number>();

  constructor(options: { limit: number; holdMs: number }) {
    this.#limit = Math.max(1, options.limit);
    this.#holdMs = options.holdMs;
  }

  /** Replays holding a slot now. */
  active(now: number): number {
    let n = 0;
    for (const since of this.#catchingUp.values()) if (now - since < this.#holdMs) n++;
    return n;
  }

  /**
   * Whether the replay of `key` may start: it is among the oldest waiting candidates that fit into
   * the free slots. `waiting` are the builds whose replay has not started (`key` among them).
   */
  mayStart(key: string, waiting: readonly ReplayCandidate[], now: number): boolean {
    const free = this.#limit - this.active(now);
    if (free <= 0) return false;
    const order = [...waiting].sort((a, b) => a.startTime.localeCompare(b.startTime) || a.key.localeCompare(b.key));
    return order.slice(0, free).some((c) => c.key === key);
  }

  started(key: string, now: number): void {
    this.#catchingUp.set(key, now);
  }

  /** The replay of `key` caught up (or ended); true when it held a slot. */
  release(key: string): boolean {
    return this.#catchingUp.delete(key);
  }

  /** How long a waiting replay should wait before it asks again (a release also wakes it). */
  get retryMs(): number {
    return Math.min(1000, this.#holdMs);
  }
}
