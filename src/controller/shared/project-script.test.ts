import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { Project, ProjectSpec } from '../../api/types.ts';
import { projectScript, scriptSourceSHA256 } from './project-script.ts';

const project = (spec: ProjectSpec): Project => ({
  apiVersion: 'brigade.sh/v1alpha1',
  kind: 'Project',
  metadata: { name: 'p', namespace: 'ns' },
  spec,
});
const maps =
  (data: Partial<Record<string, Record<string, string>>>) =>
  (ns: string, name: string): V1ConfigMap | undefined =>
    ns === 'ns' && data[name] ? { metadata: { name }, data: data[name] } : undefined;

const dir = maps({ scripts: { 'brigade.js': 'main()', 'lib.js': 'lib()', 'config.json': '{}' } });

test('a ConfigMap as the script directory: brigade.js is the script, the other keys are files', () => {
  assert.deepEqual(projectScript(project({ scriptFrom: { configMap: { name: 'scripts' } } }), dir), {
    ok: true,
    script: 'main()',
    files: { 'lib.js': 'lib()', 'config.json': '{}' },
  });
});

test('items place keys at paths (subdirectories), and main names the script among them', () => {
  const spec = {
    scriptFrom: {
      configMap: {
        name: 'scripts',
        main: 'ci/main.js',
        items: [
          { key: 'brigade.js', path: 'ci/main.js' },
          { key: 'lib.js', path: 'ci/lib/index.js' },
        ],
      },
    },
  };
  assert.deepEqual(projectScript(project(spec), dir), {
    ok: true,
    script: 'main()',
    files: { 'ci/lib/index.js': 'lib()' },
  });
});

test('a missing ConfigMap, key or main, a bad path and too many characters are said as such', () => {
  const cases: Array<[ProjectSpec, string, RegExp]> = [
    [{ scriptFrom: { configMap: { name: 'absent' } } }, 'ConfigMapNotFound', /ConfigMap absent not found/],
    [
      { scriptFrom: { configMap: { name: 'scripts', main: 'ci.js' } } },
      'ConfigMapKeyNotFound',
      /has no ci\.js \(scriptFrom\.configMap\.main\)/,
    ],
    [
      { scriptFrom: { configMap: { name: 'scripts', items: [{ key: 'nope', path: 'brigade.js' }] } } },
      'ConfigMapKeyNotFound',
      /has no key nope/,
    ],
    [
      {
        scriptFrom: {
          configMap: {
            name: 'scripts',
            items: [
              { key: 'lib.js', path: '../lib.js' },
              { key: 'brigade.js', path: 'brigade.js' },
            ],
          },
        },
      },
      'ScriptFilesInvalid',
      /not a relative path/,
    ],
  ];
  for (const [spec, reason, message] of cases) {
    const source = projectScript(project(spec), dir);
    assert.equal(source.ok, false);
    assert.equal(source.reason, reason);
    assert.match(source.message, message);
  }
  const big = maps({ big: { 'brigade.js': '', 'huge.js': 'x'.repeat(262145) } });
  const tooBig = projectScript(project({ scriptFrom: { configMap: { name: 'big' } } }), big);
  assert.equal(!tooBig.ok && tooBig.reason, 'ScriptFilesInvalid');
});

test('the SHA covers the files, so editing one re-inspects the project; without files it is the script SHA', () => {
  const a = scriptSourceSHA256({ ok: true, script: 's', files: { 'lib.js': 'one' } });
  const b = scriptSourceSHA256({ ok: true, script: 's', files: { 'lib.js': 'two' } });
  const c = scriptSourceSHA256({ ok: true, script: 's', files: { 'lib.jsone': '' } });
  assert.notEqual(a, b);
  assert.notEqual(a, c);
  assert.equal(
    scriptSourceSHA256({ ok: true, script: 's' }),
    '043a718774c572bd8a25adbeb1bfcd5c0256ae11cecf9f9c3f925d0e52beaf89',
  );
  assert.equal(scriptSourceSHA256({ ok: false, reason: 'NoScript', message: '' }), undefined);
});
