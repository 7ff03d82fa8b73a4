// List-then-watch over the SimStore: existing objects are delivered as ADDED (the start-up resync),
// then every change. An ERROR event (e.g. 410 Gone after compaction) re-lists and re-watches, so a
// controller never stops silently.

import type { GroupVersionResource, KubeObject, SimStore, WatchEventType } from '../types.ts';

export type ChangeHandler = (type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject) => void;

export function inform(store: SimStore, gvr: GroupVersionResource, onChange: ChangeHandler): () => void {
  let stopWatch: (() => void) | undefined;
  let stopped = false;
  const start = (): void => {
    const list = store.list(gvr);
    for (const obj of list.items) onChange('ADDED', obj);
    stopWatch = store.watch(gvr, { resourceVersion: list.resourceVersion }, (type: WatchEventType, obj: KubeObject) => {
      if (type === 'BOOKMARK') return;
      if (type === 'ERROR') {
        stopWatch?.();
        restart();
        return;
      }
      onChange(type, obj);
    });
  };
  // Re-listing can itself fail (410 from a compacted history): back off and try again, never give up silently.
  let delayMs = 10;
  const restart = (): void => {
    if (stopped) return;
    setTimeout(() => {
      if (stopped) return;
      try {
        start();
        delayMs = 10;
      } catch (err) {
        delayMs = Math.min(delayMs * 2, 5000);
        process.emitWarning(new Error(`sim workloads: re-watching ${gvr.resource} failed, retrying`, { cause: err }));
        restart();
      }
    }, delayMs);
  };
  start();
  return () => {
    stopped = true;
    stopWatch?.();
  };
}
