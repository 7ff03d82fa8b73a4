// A promise for an AbortSignal, for racing against work that takes no signal of its own.

/** Resolves when the signal aborts (at once when it already has); never rejects. */
export function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else
      signal.addEventListener(
        'abort',
        () => {
          resolve();
        },
        { once: true },
      );
  });
}
