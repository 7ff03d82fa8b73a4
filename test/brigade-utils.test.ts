// @brigadecore/brigade-utils, Brigade's own helper library, from the real npm registry: resolved (its
// @brigadecore/brigadier dependency is the operator's runtime, never fetched), checked, and used by a
// brigade.js inside the sandbox. Needs the npm registry, which CI reaches.
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { PROVIDED_PACKAGES, scriptPackages } from '../src/controller/shared/dependencies.ts';
import { DEFAULT_PACKAGE_LIMITS, packageStore, registryClient, resolveDependencies } from '../src/npm/index.ts';
import { createScriptEngine } from '../src/script/index.ts';
import { REFUSED_MODULES } from '../src/script/refused-modules.ts';
import { FakeHost, testEvent, testProject } from '../src/script/test-support.ts';

const engine = createScriptEngine({ workers: 1 });
after(() => engine.close());

it('KindJob and Check of @brigadecore/brigade-utils 0.7.0 work in the sandbox', async () => {
  const client = registryClient();
  const store = packageStore({ client, limits: DEFAULT_PACKAGE_LIMITS });
  const lock = await resolveDependencies(
    { '@brigadecore/brigade-utils': '0.7.0' },
    { client, store, limits: DEFAULT_PACKAGE_LIMITS, provided: PROVIDED_PACKAGES, refused: REFUSED_MODULES },
  );
  assert.deepEqual(
    lock.packages.map((p) => `${p.name}@${p.version}`),
    ['@brigadecore/brigade-utils@0.7.0'],
  );
  const script = `
    const { events, Job } = require('brigadier');
    const { KindJob, Check } = require('@brigadecore/brigade-utils');
    events.on('push', async (e, p) => {
      const kind = new KindJob('kind');
      kind.tasks.push('kubectl get nodes');
      console.log(String(kind instanceof Job), typeof Check);
      await kind.run();
    });`;
  const host = new FakeHost();
  const outcome = await engine.runBuild({
    script,
    packages: await scriptPackages(lock, store),
    event: testEvent(),
    project: testProject(),
    host,
  });
  assert.equal(outcome.status, 'Succeeded', outcome.message);
  assert.equal(host.texts()[0], 'true function');
  const request = host.requests[0];
  assert.ok(request);
  assert.equal(request.image, 'brigadecore/golang-kind:1.15.8-v0.10.0');
  assert.equal(request.privileged, true);
  assert.equal(request.timeout, 1_800_000);
  assert.ok(request.tasks.includes('kubectl get nodes'));
  assert.deepEqual(
    request.volumeMounts.map((m) => (m as { mountPath: string }).mountPath),
    ['/lib/modules', '/sys/fs/cgroup', '/var/lib/docker'],
  );
});
