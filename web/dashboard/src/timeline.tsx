// The Gantt timeline of a build's jobs: one bar per job from its start to its end (to now while it
// runs), on a common time axis. Each bar is a button (keyboard reachable) that opens the job's log;
// its phase is an icon and a word, its node kind a label and a hatch pattern, never colour alone.
import type { JSX } from 'preact';
import type { TimelineBar } from '../../../src/dashboard/views.ts';
import { PHASE_ICONS, duration } from './phase.tsx';

const NODE_LABEL = { virtual: 'virtual node', regular: 'regular node', unknown: 'node not known yet' } as const;

const t = (s: string | undefined): number | undefined => (s ? Date.parse(s) : undefined);

export interface Span {
  start: number;
  end: number;
}

/**
 * The span a bar covers; a job not started yet is a point at its creation, and so is a reused one
 * (its recorded times are the original build's, not this one's).
 */
export function spanOf(bar: TimelineBar, now: number): Span {
  if (bar.reusedFrom) {
    const at = t(bar.created) ?? now;
    return { start: at, end: at };
  }
  const start = t(bar.startTime) ?? t(bar.created) ?? now;
  const end = t(bar.completionTime) ?? (bar.over ? start : bar.startTime ? now : start);
  return { start, end: Math.max(start, end) };
}

export function Timeline({
  bars,
  now,
  selected,
  onSelect,
}: {
  bars: TimelineBar[];
  now: number;
  selected?: string;
  onSelect: (resource: string) => void;
}): JSX.Element {
  if (bars.length === 0) return <p>No jobs yet.</p>;
  // The clock ticks once a second but a view can arrive between ticks: a running bar reaches at
  // least the latest time the view knows of, so it never ends before a job that already ended.
  const known = bars.flatMap((b) => (b.reusedFrom ? [] : [t(b.startTime), t(b.completionTime)]));
  const latest = Math.max(now, ...known.filter((v): v is number => v !== undefined));
  const spans = bars.map((b) => spanOf(b, latest));
  const t0 = Math.min(...spans.map((s) => s.start));
  const t1 = Math.max(t0 + 1000, ...spans.map((s) => s.end));
  const pct = (v: number): number => ((v - t0) / (t1 - t0)) * 100;
  const total = (t1 - t0) / 1000;
  // Under ten seconds whole seconds would repeat along the axis: tenths then.
  const tick = (secs: number): string => (total < 10 ? `${secs.toFixed(1)}s` : duration(secs) || '0s');
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => ({ f, label: tick(total * f) }));
  return (
    <div class="timeline">
      <div class="axis" aria-hidden="true">
        {ticks.map((tick) => (
          <span key={tick.f} style={{ left: `${tick.f * 100}%` }}>
            {tick.label}
          </span>
        ))}
      </div>
      <ol class="bars" aria-label="Jobs, in the order they started">
        {bars.map((bar, i) => {
          const span = spans[i];
          const secs = (span.end - span.start) / 1000;
          const where = bar.reusedFrom
            ? `not run again: the result of build ${bar.reusedFrom} reused`
            : bar.node
              ? `on ${bar.node} (${NODE_LABEL[bar.nodeKind]})`
              : 'not scheduled yet';
          const label = `${bar.name}: ${bar.phase}, ${duration(secs) || '0s'}, ${where}`;
          return (
            <li
              key={bar.resource}
              class="row"
              data-job={bar.name}
              data-phase={bar.phase}
              data-node-kind={bar.nodeKind}
              data-reused={bar.reusedFrom !== undefined}
            >
              <span class="job-name" aria-hidden="true">
                {bar.name}
              </span>
              <span class="track">
                <button
                  type="button"
                  class={`bar phase-${bar.phase} node-${bar.nodeKind}${bar.reusedFrom ? ' reused' : ''}${selected === bar.resource ? ' selected' : ''}`}
                  style={{ left: `${pct(span.start)}%`, width: `max(${pct(span.end) - pct(span.start)}%, 0.6rem)` }}
                  aria-label={label}
                  aria-pressed={selected === bar.resource}
                  title={label}
                  data-start={span.start}
                  data-end={span.end}
                  onClick={() => {
                    onSelect(bar.resource);
                  }}
                >
                  <span aria-hidden="true">
                    {PHASE_ICONS[bar.phase] ?? '•'}{' '}
                    {bar.nodeKind === 'virtual' ? 'VK' : bar.nodeKind === 'regular' ? 'N' : ''}
                  </span>
                </button>
              </span>
            </li>
          );
        })}
      </ol>
      <p class="legend">
        <span class="swatch node-regular" aria-hidden="true" /> N: regular node{' '}
        <span class="swatch node-virtual" aria-hidden="true" /> VK: virtual-kubelet node (hatched){' '}
        <span class="swatch reused" aria-hidden="true" /> ↺ reused: a rerun returned the original&apos;s result
      </p>
    </div>
  );
}
