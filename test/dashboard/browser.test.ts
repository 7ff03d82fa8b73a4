// The dashboard in a real headless Chromium, against the operator running the countdown walkthrough
// on the simulator: the timeline shows 21 bars and the 20 parallel ones end first, a running job's
// log grows live, the keyboard reaches every action, cancel stops the build, and the projects and
// builds pages show what they should. The dashboard is the `brigade-operator dashboard` one (the
// user's kubeconfig, actions enabled). Screenshots are kept (the path is printed).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import pino from 'pino';
import { userDashboard, type RunningDashboard } from '../../src/dashboard/index.ts';
import { launchBrowser, type TestBrowser } from '../helpers/browser.ts';
import { ROOT } from '../helpers/tools.ts';
import { runOperator, startCluster, waitFor, type Cluster, type OperatorHandle } from '../e2e/harness.ts';

let cluster: Cluster;
let operator: OperatorHandle;
let dashboard: RunningDashboard;
let browser: TestBrowser;
let page: Page;
const stop = new AbortController();

before(async () => {
  cluster = await startCluster();
  operator = await runOperator(cluster);
  dashboard = await userDashboard({
    kubeConfig: cluster.clients.kubeConfig,
    namespace: cluster.namespace,
    actions: true,
    token: 'test-session-token',
    logger: pino({ level: 'silent' }),
    signal: stop.signal,
  });
  browser = await launchBrowser();
  page = await browser.browser.newPage({ viewport: { width: 1280, height: 900 } });
  // The printed URL carries the session token; the server trades it for a cookie and drops it.
  await page.goto(dashboard.url);
  assert.equal(new URL(page.url()).search, '', 'the token is gone from the address bar');
});
after(async () => {
  stop.abort();
  /* eslint-disable @typescript-eslint/no-unnecessary-condition -- unset when before() failed */
  await browser?.close();
  await dashboard?.close();
  await operator?.stop();
  await cluster?.stop();
  /* eslint-enable @typescript-eslint/no-unnecessary-condition */
});

const base = (): string => new URL(dashboard.url).origin;
const bars = (p: Page) => p.locator('.bars > li');

interface BarState {
  job: string;
  phase: string;
  nodeKind: string;
  start: number;
  end: number;
}

async function barStates(p: Page): Promise<BarState[]> {
  const states: BarState[] = [];
  for (const li of await bars(p).all()) {
    const button = li.locator('button');
    states.push({
      job: (await li.getAttribute('data-job')) ?? '',
      phase: (await li.getAttribute('data-phase')) ?? '',
      nodeKind: (await li.getAttribute('data-node-kind')) ?? '',
      start: Number(await button.getAttribute('data-start')),
      end: Number(await button.getAttribute('data-end')),
    });
  }
  return states;
}

test('the countdown build: 21 bars on the virtual node, the 20 parallel ones end while the sequential one runs, and its log grows live', async () => {
  // The project first, so a busy machine cannot make the event outwait the project's grace period.
  await cluster.kubectl('apply', '-f', join(ROOT, 'samples', 'countdown', 'project.yaml'));
  await waitFor(
    'the countdown project to be Ready',
    async () => {
      const p = await cluster.objects.get('Project', cluster.namespace, 'countdown');
      return p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined;
    },
    30_000,
  );
  await cluster.kubectl('apply', '-f', join(ROOT, 'samples', 'countdown', 'event.yaml'));
  await page.goto(`${base()}/#/builds/${cluster.namespace}/countdown-1`);
  await waitFor('21 bars', async () => ((await bars(page).count()) === 21 ? true : undefined), 60_000);

  const states = await waitFor(
    'the 20 parallel bars to end Succeeded',
    async () => {
      const s = await barStates(page);
      return s.filter((b) => b.job.startsWith('parallel-') && b.phase === 'Succeeded').length === 20 ? s : undefined;
    },
    90_000,
  );
  const sequential = states.find((b) => b.job === 'sequential-countdown');
  assert.equal(sequential?.phase, 'Running', 'the sequential job still runs');
  for (const b of states) {
    assert.equal(b.nodeKind, 'virtual', `${b.job} is shown on the virtual node`);
    // A running bar reaches the latest instant the view knows of, which may be the moment the last
    // parallel job ended (the view arrived between clock ticks): it never ends before that one.
    if (b.job !== 'sequential-countdown')
      assert.ok(b.end <= sequential.end, `${b.job}'s bar does not outlast the sequential one's`);
  }
  // Phase is never colour alone: every bar's accessible name says it in words.
  const label = await page.locator('.bars > li[data-job="parallel-countdown-3"] button').getAttribute('aria-label');
  assert.match(label ?? '', /^parallel-countdown-3: Succeeded, \d+s, on virtual-kubelet \(virtual node\)$/);
  process.stdout.write(`# ${await browser.screenshot(page, 'countdown-timeline')}\n`);
  process.stdout.write(`# ${await browser.screenshotOf(page.locator('.timeline'), 'countdown-timeline-only')}\n`);

  // The sequential job's log, live: it grows while we watch.
  await page.locator('.bars > li[data-job="sequential-countdown"] button').click();
  const log = page.locator('pre[aria-label="Job log"]');
  const countOf = async (): Promise<number> => ((await log.textContent()) ?? '').match(/counting \d+/g)?.length ?? 0;
  const first = await waitFor(
    'the live log to show lines',
    async () => ((await countOf()) > 0 ? countOf() : undefined),
    30_000,
  );
  await waitFor('the live log to grow', async () => ((await countOf()) > first + 1 ? true : undefined), 30_000);
  assert.match((await log.textContent()) ?? '', /^counting 0\ncounting 1\n/, 'the log starts at the first line');
  process.stdout.write(`# ${await browser.screenshot(page, 'countdown-live-log')}\n`);
});

test('the keyboard reaches every bar and every action of a running build, and Enter on a bar opens its kept log', async () => {
  await page.goto(`${base()}/#/builds/${cluster.namespace}/countdown-1`);
  // A fresh load, so the focus starts at the top of the page (a hash change keeps it where it was).
  await page.reload();
  await waitFor('21 bars', async () => ((await bars(page).count()) === 21 ? true : undefined), 30_000);
  const reached = new Set<string>();
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    // Evaluated in the page (a string: the tests' TypeScript has no DOM types).
    const name = String(
      await page.evaluate(
        "(() => { const el = document.activeElement; return el ? (el.getAttribute('aria-label') ?? el.textContent ?? '').trim() : ''; })()",
      ),
    );
    reached.add(name);
  }
  for (const action of ['Cancel build', 'Skip to content', 'Projects'])
    assert.ok(reached.has(action), `Tab reaches "${action}"`);
  // A running bar's name carries its growing duration: count the jobs, not the names.
  const barJobs = new Set(
    [...reached].filter((n) => /^(parallel|sequential)-countdown/.test(n)).map((n) => n.split(':')[0]),
  );
  assert.equal(barJobs.size, 21, `Tab reaches all 21 bars; it reached: ${[...reached].join(' | ')}`);
  await page.locator('.bars > li[data-job="parallel-countdown-0"] button').focus();
  await page.keyboard.press('Enter');
  await waitFor(
    'the kept log of parallel-countdown-0',
    async () =>
      (await page.locator('pre[aria-label="Job log"]').textContent())?.includes('counting 9') ? true : undefined,
    15_000,
  );
  assert.equal(
    await page.locator('pre[aria-label="Job log"]').getAttribute('data-final'),
    'true',
    'the kept, final log',
  );
});

test('Cancel build on the page sets spec.cancel; the build ends Cancelled and the running job stops', async () => {
  await page.getByRole('button', { name: 'Cancel build' }).click();
  await waitFor(
    'the build to show Cancelled',
    async () => ((await page.locator('#build-title .badge').textContent())?.includes('Cancelled') ? true : undefined),
    60_000,
  );
  const build = await cluster.objects.get('Build', cluster.namespace, 'countdown-1');
  assert.equal(build?.spec.cancel, true, 'the button set spec.cancel');
  const after = await barStates(page);
  assert.notEqual(after.find((b) => b.job === 'sequential-countdown')?.phase, 'Running');
  assert.equal(await page.getByRole('button', { name: 'Cancel build' }).isDisabled(), true, 'nothing left to cancel');
  process.stdout.write(`# ${await browser.screenshot(page, 'countdown-cancelled')}\n`);
});

test('the projects page shows the project Ready with its handlers and last build; the builds page filters by phase', async () => {
  await page.goto(`${base()}/#/`);
  const row = page.locator('tbody tr', { hasText: 'countdown' });
  await waitFor('the countdown project', async () => ((await row.count()) === 1 ? true : undefined), 15_000);
  const text = (await row.textContent()) ?? '';
  assert.match(text, /Ready/);
  assert.match(text, /exec/, 'the handlers');
  assert.match(text, /countdown-1.*Cancelled/, 'the last build and its phase');
  await page.setViewportSize({ width: 390, height: 844 });
  process.stdout.write(`# ${await browser.screenshot(page, 'projects-phone')}\n`);
  await page.setViewportSize({ width: 1280, height: 900 });

  await row.getByRole('link', { name: 'countdown', exact: true }).click();
  await waitFor(
    'the build list',
    async () => ((await page.locator('tbody tr').count()) === 1 ? true : undefined),
    15_000,
  );
  await page.getByLabel('Phase').selectOption('Succeeded');
  await page.getByRole('button', { name: 'Filter' }).click();
  await waitFor(
    'no succeeded builds',
    async () => ((await page.getByText('No builds match.').count()) === 1 ? true : undefined),
    15_000,
  );
  assert.match(page.url(), /phase=Succeeded/, 'the filter is in the address, so it can be shared');
  await page.getByLabel('Phase').selectOption('Cancelled');
  await page.getByRole('button', { name: 'Filter' }).click();
  await waitFor(
    'the cancelled build',
    async () => ((await page.locator('tbody tr', { hasText: 'countdown-1' }).count()) === 1 ? true : undefined),
    15_000,
  );
});

const FAILING_PIPELINE = `apiVersion: brigade.sh/v1alpha1
kind: Project
metadata: { name: pipeline }
spec:
  script: |
    const { events, Job } = require('brigadier');
    events.on('exec', async () => {
      await new Job('build', 'alpine:3.20', ['echo built']).run();
      await new Job('unit-tests', 'alpine:3.20', ['echo tested']).run();
      await new Job('deploy', 'alpine:3.20', ['echo deploy failed', 'exit 3']).run();
    });
`;

test('Rerun of a failed build opens the new build, where the jobs that succeeded are reused and only the failed one runs again', async () => {
  await cluster.apply(
    FAILING_PIPELINE.replace('{ name: pipeline }', `{ name: pipeline, namespace: ${cluster.namespace} }`),
  );
  await waitFor(
    'the pipeline project to be Ready',
    async () => {
      const p = await cluster.objects.get('Project', cluster.namespace, 'pipeline');
      return p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined;
    },
    30_000,
  );
  await cluster.apply(`apiVersion: brigade.sh/v1alpha1
kind: Event
metadata: { name: pipeline-1, namespace: ${cluster.namespace} }
spec: { project: pipeline, type: exec, provider: manual }
`);
  await page.goto(`${base()}/#/builds/${cluster.namespace}/pipeline-1`);
  await waitFor(
    'the build to fail',
    async () => ((await page.locator('#build-title .badge').textContent())?.includes('Failed') ? true : undefined),
    60_000,
  );
  assert.equal(await page.getByRole('button', { name: 'Cancel build' }).isDisabled(), true);
  await page.getByRole('button', { name: 'Rerun (reuse succeeded jobs)' }).click();
  await waitFor(
    'the rerun page',
    () => (/#\/builds\/[^/]+\/(?!pipeline-1$)[^/]+$/.test(page.url()) ? true : undefined),
    30_000,
  );
  const rerun = decodeURIComponent(page.url().split('/').at(-1) ?? '');
  await waitFor(
    'the rerun to end Failed',
    async () => ((await page.locator('#build-title .badge').textContent())?.includes('Failed') ? true : undefined),
    60_000,
  );
  await waitFor('its three bars', async () => ((await bars(page).count()) === 3 ? true : undefined), 15_000);
  const reused = async (job: string): Promise<string | null> =>
    page.locator(`.bars > li[data-job="${job}"]`).getAttribute('data-reused');
  assert.equal(await reused('build'), 'true');
  assert.equal(await reused('unit-tests'), 'true');
  assert.equal(await reused('deploy'), 'false', 'the failed job ran again');
  const label = await page.locator('.bars > li[data-job="build"] button').getAttribute('aria-label');
  assert.match(label ?? '', /^build: Succeeded, .*the result of build pipeline-1 reused$/);
  assert.match((await page.locator('.facts').textContent()) ?? '', /Rerun ofpipeline-1 \(succeeded jobs reused\)/);
  // The cluster agrees: the reused jobs name the original.
  const jobs = await cluster.objects.list('Job', cluster.namespace, { labelSelector: `brigade.sh/build=${rerun}` });
  assert.deepEqual(
    jobs
      .filter((j) => j.spec.reusedFrom?.build === 'pipeline-1')
      .map((j) => j.spec.name)
      .sort(),
    ['build', 'unit-tests'],
  );
  process.stdout.write(`# ${await browser.screenshot(page, 'rerun-reused')}\n`);
});
