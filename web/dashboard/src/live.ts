// Hooks over the server's event streams. EventSource reconnects by itself after a drop; a view stream
// sends the whole view each time, a log stream starts over with `reset`, so a reconnect is harmless.
import { useEffect, useState } from 'preact/hooks';
import type { LogEnd, LogMessage } from '../../../src/dashboard/log-stream.ts';

export type Live<T> = { state: 'connecting' } | { state: 'live' | 'reconnecting'; value: T };

export function useLiveView<T>(url: string): Live<T> {
  const [live, setLive] = useState<Live<T>>({ state: 'connecting' });
  useEffect(() => {
    setLive({ state: 'connecting' });
    const source = new EventSource(url);
    source.addEventListener('view', (e) => {
      setLive({ state: 'live', value: JSON.parse((e as MessageEvent<string>).data) as T });
    });
    source.addEventListener('error', () => {
      setLive((prev) => (prev.state === 'connecting' ? prev : { state: 'reconnecting', value: prev.value }));
    });
    return () => {
      source.close();
    };
  }, [url]);
  return live;
}

export interface JobLogState {
  text: string;
  end?: LogEnd;
}

/** The job's log; `epoch` changes (the job started, ended) open it again. */
export function useJobLog(url: string | undefined, epoch: string): JobLogState {
  const [log, setLog] = useState<JobLogState>({ text: '' });
  useEffect(() => {
    setLog({ text: '' });
    if (!url) return;
    const source = new EventSource(url);
    source.addEventListener('log', (e) => {
      const m = JSON.parse((e as MessageEvent<string>).data) as LogMessage;
      setLog((prev) => ({ text: m.reset ? m.text : prev.text + m.text }));
    });
    source.addEventListener('end', (e) => {
      const end = JSON.parse((e as MessageEvent<string>).data) as LogEnd;
      // The server closes the stream after `end`: do not let EventSource reconnect.
      source.close();
      setLog((prev) => ({ ...prev, end }));
    });
    return () => {
      source.close();
    };
  }, [url, epoch]);
  return log;
}

export async function postAction(
  url: string,
  body: unknown,
): Promise<{ ok: boolean; message: string; data: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  const data = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  const message = typeof data.error === 'string' ? data.error : res.statusText;
  return { ok: res.ok, message, data };
}
