// The kept log of a job that just finished, handed from the Job controller to the Build session in
// the same process, so the script's Result needs no read of what was just written. Only a cache:
// after a restart (or when it evicted the entry) the reader falls back to what the cluster keeps.
// Keyed by the Job resource's UID, so a Job re-created with the same name never gets another's log.

/** Default bound of the texts held at once. */
const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

export class KeptLogHandoff {
  readonly #maxBytes: number;
  readonly #texts = new Map<string, string>();
  #bytes = 0;

  constructor(maxBytes = DEFAULT_MAX_BYTES) {
    this.#maxBytes = maxBytes;
  }

  /** Holds a job's kept log; the oldest entries go when the bound is reached. */
  put(uid: string, text: string): void {
    if (!uid) return;
    this.take(uid);
    const size = text.length * 2; // UTF-16 in memory
    if (size > this.#maxBytes) return;
    this.#texts.set(uid, text);
    this.#bytes += size;
    for (const [key, old] of this.#texts) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#texts.delete(key);
      this.#bytes -= old.length * 2;
    }
  }

  /** The log held for the job, if any (it stays held: the archiver may want it too). */
  get(uid: string | undefined): string | undefined {
    return uid ? this.#texts.get(uid) : undefined;
  }

  /** Drops the job's entry (its Job resource is gone). */
  take(uid: string): string | undefined {
    const text = this.#texts.get(uid);
    if (text === undefined) return undefined;
    this.#texts.delete(uid);
    this.#bytes -= text.length * 2;
    return text;
  }

  get size(): number {
    return this.#texts.size;
  }
}
