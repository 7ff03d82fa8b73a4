import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { BuildPage } from './build.tsx';
import { BuildsPage } from './builds.tsx';
import { ProjectsPage } from './projects.tsx';
import { projectHref, useRoute } from './route.ts';

export interface DashboardConfig {
  actions: { cancel: boolean; rerun: boolean };
}

function useConfig(): DashboardConfig | undefined {
  const [config, setConfig] = useState<DashboardConfig>();
  useEffect(() => {
    void fetch('api/config')
      .then((r) => r.json() as Promise<DashboardConfig>)
      .then(setConfig);
  }, []);
  return config;
}

export function App(): JSX.Element {
  const route = useRoute();
  const config = useConfig();
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <nav aria-label="Breadcrumb">
          <ol class="crumbs">
            <li>
              <a href="#/">Projects</a>
            </li>
            {route.page === 'builds' && (
              <li>
                <a href={projectHref(route.namespace, route.project)} aria-current="page">
                  {route.project}
                </a>
              </li>
            )}
            {route.page === 'build' && (
              <li>
                <a href={location.hash} aria-current="page">
                  {route.name}
                </a>
              </li>
            )}
          </ol>
        </nav>
        <span class="mode">{config ? (config.actions.cancel ? 'actions enabled' : 'read-only') : ''}</span>
      </header>
      <main id="main" tabIndex={-1}>
        {route.page === 'projects' && <ProjectsPage />}
        {route.page === 'builds' && (
          <BuildsPage namespace={route.namespace} project={route.project} filter={route.filter} />
        )}
        {route.page === 'build' && config && (
          <BuildPage namespace={route.namespace} name={route.name} config={config} />
        )}
      </main>
    </>
  );
}

export function LiveState({ state }: { state: string }): JSX.Element {
  const text = state === 'live' ? 'live' : state === 'reconnecting' ? 'reconnecting…' : 'connecting…';
  return (
    <span class={`live live-${state}`} role="status">
      {text}
    </span>
  );
}
