// Live pages: each open page is one Server-Sent Events stream subscribed to one view. Informer
// changes mark the views they touch; a marked view is rendered again and sent once the burst of
// changes that marked it has settled for a moment, so a build of 20 jobs changing at once costs a few
// messages, not hundreds. Nothing here polls: no change, no message (apart from a keep-alive comment).
import type { ServerResponse } from 'node:http';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Build, JobCR } from '../api/types.ts';
import type { DashboardData } from './data.ts';

/** Which objects a page shows, so only their changes render it again. */
export type Topic =
  | { view: 'projects' }
  | { view: 'builds'; namespace: string; project: string }
  | { view: 'build'; namespace: string; name: string };

type Change =
  { kind: 'project' | 'node'; obj: KubernetesObject } | { kind: 'build'; obj: Build } | { kind: 'job'; obj: JobCR };

export function touches(topic: Topic, change: Change): boolean {
  const ns = change.obj.metadata?.namespace ?? '';
  switch (topic.view) {
    case 'projects':
      return change.kind === 'project' || change.kind === 'build';
    case 'builds':
      return change.kind === 'build' && ns === topic.namespace && change.obj.spec.project === topic.project;
    case 'build':
      if (change.kind === 'build') return ns === topic.namespace && change.obj.metadata.name === topic.name;
      if (change.kind === 'job') return ns === topic.namespace && change.obj.spec.build === topic.name;
      return change.kind === 'node';
  }
}

/** Writes SSE frames; a closed connection just stops receiving. */
export class EventStream {
  readonly #res: ServerResponse;
  readonly #keepAlive: NodeJS.Timeout;
  #closed = false;

  constructor(res: ServerResponse, o: { keepAliveMs?: number } = {}) {
    this.#res = res;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    // A proxy that sees no bytes for a while closes the stream; a comment line is ignored by EventSource.
    this.#keepAlive = setInterval(() => {
      this.#write(': keep-alive\n\n');
    }, o.keepAliveMs ?? 25_000);
    res.on('close', () => {
      this.close();
    });
    this.#write('retry: 2000\n\n');
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Resolves when the browser goes away (or close() is called). */
  readonly gone = (): Promise<void> =>
    new Promise((resolve) => {
      if (this.#closed) resolve();
      else this.#res.once('close', resolve);
    });

  send(event: string, data: unknown): void {
    const lines = JSON.stringify(data);
    this.#write(`event: ${event}\ndata: ${lines}\n\n`);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#keepAlive);
    this.#res.end();
  }

  #write(text: string): void {
    if (!this.#closed) this.#res.write(text);
  }
}

interface Subscriber {
  topic: Topic;
  render: () => unknown;
  stream: EventStream;
  timer?: NodeJS.Timeout;
}

/** Fans the informers' changes out to the open pages. One handler per informer, for every page. */
export class LiveViews {
  readonly #subscribers = new Set<Subscriber>();
  readonly #settleMs: number;

  constructor(data: DashboardData, o: { settleMs?: number } = {}) {
    this.#settleMs = o.settleMs ?? 150;
    data.projects.onChange((obj) => {
      this.#changed({ kind: 'project', obj });
    });
    data.builds.onChange((obj) => {
      this.#changed({ kind: 'build', obj });
    });
    data.jobs.onChange((obj) => {
      this.#changed({ kind: 'job', obj });
    });
    data.nodes?.onChange((obj) => {
      this.#changed({ kind: 'node', obj });
    });
  }

  /** Sends the view now and again after every change that touches it, until the page closes. */
  subscribe(stream: EventStream, topic: Topic, render: () => unknown): void {
    const sub: Subscriber = { topic, render, stream };
    this.#subscribers.add(sub);
    stream.send('view', render());
    void stream.gone().then(() => {
      clearTimeout(sub.timer);
      this.#subscribers.delete(sub);
    });
  }

  get open(): number {
    return this.#subscribers.size;
  }

  #changed(change: Change): void {
    for (const sub of this.#subscribers) {
      if (sub.timer || !touches(sub.topic, change)) continue;
      sub.timer = setTimeout(() => {
        sub.timer = undefined;
        sub.stream.send('view', sub.render());
      }, this.#settleMs);
    }
  }
}
