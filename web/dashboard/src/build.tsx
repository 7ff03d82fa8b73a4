import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { BuildView } from '../../../src/dashboard/views.ts';
import type { DashboardConfig } from './app.tsx';
import { LiveState } from './app.tsx';
import { postAction, useJobLog, useLiveView } from './live.ts';
import { PhaseBadge } from './phase.tsx';
import { buildHref, projectHref } from './route.ts';
import { Timeline } from './timeline.tsx';

/** A clock for the bars of running jobs; it stops once the build is over. */
function useNow(running: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      setNow(Date.now());
    }, 1000);
    return () => {
      clearInterval(timer);
    };
  }, [running]);
  return running ? now : Date.now();
}

type BuildLive = BuildView | { missing: true };

export function BuildPage({
  namespace,
  name,
  config,
}: {
  namespace: string;
  name: string;
  config: DashboardConfig;
}): JSX.Element {
  const live = useLiveView<BuildLive>(`api/live/build/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`);
  const [selected, setSelected] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const build = live.state !== 'connecting' && !('missing' in live.value) ? live.value : undefined;
  const now = useNow(build !== undefined && !build.over);
  useEffect(() => {
    setSelected(undefined);
    setNotice(undefined);
  }, [namespace, name]);
  if (live.state === 'connecting') return <LiveState state="connecting" />;
  if (!build)
    return (
      <p role="alert">
        Build {name} was not found in namespace {namespace}.
      </p>
    );
  const job = build.timeline.find((b) => b.resource === selected);
  const act = async (action: 'cancel' | 'rerun', body: unknown = {}): Promise<void> => {
    setNotice(`${action} requested…`);
    const r = await postAction(
      `api/builds/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${action}`,
      body,
    );
    if (!r.ok) setNotice(`${action} refused: ${r.message}`);
    else if (action === 'rerun' && typeof r.data.build === 'string') location.hash = buildHref(namespace, r.data.build);
    else setNotice(`${action} requested`);
  };
  return (
    <article aria-labelledby="build-title">
      <div class="title-row">
        <h1 id="build-title">
          Build {build.name} <PhaseBadge phase={build.phase} />
        </h1>
        <LiveState state={live.state} />
      </div>
      <BuildFacts build={build} />
      {build.message && <p class="msg">{build.message}</p>}
      <BuildActions build={build} config={config} act={act} />
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <h2>Timeline</h2>
      <Timeline bars={build.timeline} now={now} selected={selected} onSelect={setSelected} />
      <div class="panes">
        <section aria-labelledby="console-title">
          <h2 id="console-title">Script console</h2>
          <pre class="log" tabIndex={0} aria-label="Script console">
            {build.console || '(nothing logged)'}
          </pre>
        </section>
        <section aria-labelledby="joblog-title">
          <h2 id="joblog-title">{job ? `Log of ${job.name}` : 'Job log'}</h2>
          {job ? (
            <JobLog namespace={namespace} resource={job.resource} epoch={`${job.phase}/${job.over}`} />
          ) : (
            <p>Choose a job in the timeline to see its log.</p>
          )}
        </section>
      </div>
    </article>
  );
}

function JobLog({ namespace, resource, epoch }: { namespace: string; resource: string; epoch: string }): JSX.Element {
  const log = useJobLog(`api/log/${encodeURIComponent(namespace)}/${encodeURIComponent(resource)}`, epoch);
  return (
    <>
      <pre class="log" tabIndex={0} role="log" aria-label="Job log" data-final={log.end?.final === true}>
        {log.text || '(no output yet)'}
      </pre>
      {log.end?.note && <p class="muted">{log.end.note}</p>}
    </>
  );
}

function BuildFacts({ build }: { build: BuildView }): JSX.Element {
  return (
    <dl class="facts">
      <div>
        <dt>Project</dt>
        <dd>
          <a href={projectHref(build.namespace, build.project)}>{build.project}</a>
        </dd>
      </div>
      <div>
        <dt>Event</dt>
        <dd>
          {build.type} ({build.provider})
        </dd>
      </div>
      {build.rerunOf && (
        <div>
          <dt>Rerun of</dt>
          <dd>
            <a href={buildHref(build.namespace, build.rerunOf.build)}>{build.rerunOf.build}</a>
            {build.rerunOf.all ? ' (all jobs)' : ' (succeeded jobs reused)'}
          </dd>
        </div>
      )}
      {build.ref && (
        <div>
          <dt>Ref</dt>
          <dd>{build.ref}</dd>
        </div>
      )}
      <div>
        <dt>Jobs</dt>
        <dd>{build.jobs ?? '—'}</dd>
      </div>
      {build.duration && (
        <div>
          <dt>Duration</dt>
          <dd>{build.duration}</dd>
        </div>
      )}
    </dl>
  );
}

function BuildActions({
  build,
  config,
  act,
}: {
  build: BuildView;
  config: DashboardConfig;
  act: (action: 'cancel' | 'rerun', body?: unknown) => Promise<void>;
}): JSX.Element | null {
  if (!config.actions.cancel && !config.actions.rerun) return null;
  return (
    <div class="actions" role="group" aria-label="Build actions">
      {config.actions.cancel && (
        <button type="button" class="danger" disabled={!build.actions.cancel} onClick={() => void act('cancel')}>
          Cancel build
        </button>
      )}
      {config.actions.rerun && (
        <>
          <button type="button" disabled={!build.actions.rerun} onClick={() => void act('rerun', { all: false })}>
            Rerun (reuse succeeded jobs)
          </button>
          <button type="button" disabled={!build.actions.rerun} onClick={() => void act('rerun', { all: true })}>
            Rerun all jobs
          </button>
        </>
      )}
    </div>
  );
}
