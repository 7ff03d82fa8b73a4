// The samples are what users copy first: each must be accepted by the CRDs as written, and each
// Project's inline script must be the brigade.js beside it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { startSimulator, type Simulator } from '../src/sim/index.ts';
import { kubectl, ROOT, runTool } from './helpers/tools.ts';

const SAMPLES = join(ROOT, 'samples');
const sampleDirs = readdirSync(SAMPLES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

interface Doc {
  kind?: string;
  metadata?: { name?: string };
  spec?: { script?: string };
}

function docsOf(dir: string): Doc[] {
  return readdirSync(join(SAMPLES, dir))
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => loadAll(readFileSync(join(SAMPLES, dir, f), 'utf8')) as Doc[]);
}

describe('samples', () => {
  test('there are the hello, countdown and ci samples', () => {
    for (const name of ['hello', 'countdown', 'ci']) assert.ok(sampleDirs.includes(name), `samples/${name} missing`);
  });

  for (const dir of sampleDirs) {
    test(`${dir}: the Project's inline script is samples/${dir}/brigade.js`, () => {
      const projects = docsOf(dir).filter((d) => d.kind === 'Project');
      assert.equal(projects.length, 1);
      assert.equal(projects[0].spec?.script, readFileSync(join(SAMPLES, dir, 'brigade.js'), 'utf8'));
    });
  }

  describe('accepted by the CRDs (kubectl apply --dry-run=server)', () => {
    let sim: Simulator;
    before(async () => {
      sim = await startSimulator({ workloads: false });
      await kubectl(sim.kubeconfigPath, 'apply', '-k', join(ROOT, 'crds'));
      await kubectl(sim.kubeconfigPath, 'wait', '--for=condition=Established', 'crd', '--all', '--timeout=30s');
    });
    after(async () => sim.stop());

    for (const dir of sampleDirs) {
      test(`${dir} applies cleanly`, async () => {
        const out = await kubectl(sim.kubeconfigPath, 'apply', '--dry-run=server', '-f', join(SAMPLES, dir));
        const created = out.trim().split('\n');
        assert.equal(created.length, docsOf(dir).length, out);
        for (const line of created) assert.match(line, /created \(server dry run\)$/);
      });
    }

    test('a Project with both script and scriptFrom is refused with a clear message', async () => {
      const bad = JSON.stringify({
        apiVersion: 'brigade.sh/v1alpha1',
        kind: 'Project',
        metadata: { name: 'both', namespace: 'default' },
        spec: { script: 'x', scriptFrom: { configMapKeyRef: { name: 'c', key: 'k' } } },
      });
      const result = await runTool(
        'kubectl',
        ['--kubeconfig', sim.kubeconfigPath, 'apply', '--dry-run=server', '-f', '-'],
        { input: bad },
      );
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /set script or scriptFrom, not both/);
    });
  });
});
