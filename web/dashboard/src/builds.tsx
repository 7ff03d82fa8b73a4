import type { JSX } from 'preact';
import type { BuildRow } from '../../../src/dashboard/views.ts';
import { LiveState } from './app.tsx';
import { useLiveView } from './live.ts';
import { ago, PhaseBadge } from './phase.tsx';
import { buildHref, projectHref } from './route.ts';

const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'TimedOut', 'Cancelled'];

export function BuildsPage({
  namespace,
  project,
  filter,
}: {
  namespace: string;
  project: string;
  filter: URLSearchParams;
}): JSX.Element {
  const query = filter.toString();
  const live = useLiveView<{ builds: BuildRow[] }>(
    `api/live/builds/${encodeURIComponent(namespace)}/${encodeURIComponent(project)}${query ? `?${query}` : ''}`,
  );
  const now = Date.now();
  const onSubmit = (e: Event): void => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const next = new URLSearchParams();
    for (const key of ['phase', 'type', 'ref']) {
      const v = form.get(key);
      if (typeof v === 'string' && v.trim()) next.set(key, v.trim());
    }
    location.hash = projectHref(namespace, project, next);
  };
  return (
    <section aria-labelledby="builds-title">
      <div class="title-row">
        <h1 id="builds-title">
          Builds of {project} <span class="ns">{namespace}</span>
        </h1>
        <LiveState state={live.state} />
      </div>
      <form class="filters" onSubmit={onSubmit} aria-label="Filter builds">
        <label>
          Phase
          <select name="phase" defaultValue={filter.get('phase') ?? ''}>
            <option value="">any</option>
            {PHASES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          Event type
          <input name="type" defaultValue={filter.get('type') ?? ''} placeholder="e.g. push" />
        </label>
        <label>
          Ref
          <input name="ref" defaultValue={filter.get('ref') ?? ''} placeholder="e.g. main" />
        </label>
        <button type="submit">Filter</button>
      </form>
      {live.state !== 'connecting' && live.value.builds.length === 0 && <p>No builds match.</p>}
      {live.state !== 'connecting' && live.value.builds.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Build</th>
                <th scope="col">Phase</th>
                <th scope="col">Type</th>
                <th scope="col">Ref</th>
                <th scope="col">Jobs</th>
                <th scope="col">Duration</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {live.value.builds.map((b) => (
                <tr key={b.name}>
                  <th scope="row" data-label="Build">
                    <a href={buildHref(b.namespace, b.name)}>{b.name}</a>
                  </th>
                  <td data-label="Phase">
                    <PhaseBadge phase={b.phase} />
                  </td>
                  <td data-label="Type">{b.type}</td>
                  <td data-label="Ref">{b.ref ?? '—'}</td>
                  <td data-label="Jobs">{b.jobs ?? '—'}</td>
                  <td data-label="Duration">{b.duration ?? '—'}</td>
                  <td data-label="Created">{ago(b.created, now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
