// A phase is always shown as an icon and its word, never by colour alone.
import type { JSX } from 'preact';
/** The icon of each phase (and condition status), shown beside its word. */
export const PHASE_ICONS: Record<string, string> = {
  Pending: '◷',
  Running: '▶',
  Succeeded: '✓',
  Failed: '✗',
  TimedOut: '⏱',
  Cancelled: '⊘',
  True: '✓',
  False: '✗',
  Unknown: '?',
};

export function PhaseBadge({ phase, label }: { phase: string; label?: string }): JSX.Element {
  return (
    <span class={`badge phase-${phase}`}>
      <span aria-hidden="true">{PHASE_ICONS[phase] ?? '•'}</span> {label ?? phase}
    </span>
  );
}

export function ago(time: string | undefined, now: number): string {
  if (!time) return '';
  return `${duration((now - Date.parse(time)) / 1000)} ago`;
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${Math.round(seconds % 60)}s`;
  return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`;
}
