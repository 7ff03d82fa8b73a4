import type { JSX } from 'preact';
import type { ProjectView } from '../../../src/dashboard/views.ts';
import { LiveState } from './app.tsx';
import { useLiveView } from './live.ts';
import { ago, PhaseBadge } from './phase.tsx';
import { buildHref, projectHref } from './route.ts';

export function ProjectsPage(): JSX.Element {
  const live = useLiveView<ProjectView[]>('api/live/projects');
  const now = Date.now();
  return (
    <section aria-labelledby="projects-title">
      <div class="title-row">
        <h1 id="projects-title">Projects</h1>
        <LiveState state={live.state} />
      </div>
      {live.state !== 'connecting' && live.value.length === 0 && <p>No projects here yet.</p>}
      {live.state !== 'connecting' && live.value.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Project</th>
                <th scope="col">Ready</th>
                <th scope="col">Handlers</th>
                <th scope="col">Last build</th>
                <th scope="col">Builds</th>
              </tr>
            </thead>
            <tbody>
              {live.value.map((p) => (
                <tr key={`${p.namespace}/${p.name}`}>
                  <th scope="row" data-label="Project">
                    <a href={projectHref(p.namespace, p.name)}>{p.name}</a>
                    <span class="ns">{p.namespace}</span>
                  </th>
                  <td data-label="Ready">
                    <PhaseBadge
                      phase={p.ready.status}
                      label={p.ready.status === 'True' ? 'Ready' : (p.ready.reason ?? 'Not ready')}
                    />
                    {p.ready.status !== 'True' && p.ready.message && <div class="msg">{p.ready.message}</div>}
                  </td>
                  <td data-label="Handlers">{p.handlers.join(', ') || '—'}</td>
                  <td data-label="Last build">
                    {p.lastBuild ? (
                      <>
                        <a href={buildHref(p.namespace, p.lastBuild.name)}>{p.lastBuild.name}</a>{' '}
                        <PhaseBadge phase={p.lastBuild.phase} />{' '}
                        <span class="muted">{ago(p.lastBuild.created, now)}</span>
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td data-label="Builds">
                    {p.counts
                      ? `${p.counts.running} running, ${p.counts.queued} queued, ${p.counts.succeeded} ok, ${p.counts.failed} failed`
                      : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
