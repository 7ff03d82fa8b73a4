// Dependency resolution against a local registry serving real tarballs.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeRegistry, type FakeRegistry } from '../../test/helpers/fake-npm-registry.ts';
import {
  DEFAULT_PACKAGE_LIMITS,
  DependencyError,
  packageStore,
  registryClient,
  resolveDependencies,
  type ResolveOptions,
} from './index.ts';

const REFUSED = new Map([['fs', 'file system access']]);
const PROVIDED = new Set(['@brigadecore/brigadier']);

let registry: FakeRegistry;
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'npm-store-'));
  registry = await startFakeRegistry([
    { name: 'left-pad', version: '1.2.0', files: { 'index.js': 'module.exports = 1;' } },
    { name: 'left-pad', version: '1.3.0', files: { 'index.js': 'module.exports = 2;' } },
    { name: 'left-pad', version: '2.0.0', files: { 'index.js': 'module.exports = 3;' } },
    {
      name: '@acme/notify',
      version: '0.4.1',
      main: 'lib/main.js',
      dependencies: { 'left-pad': '^1.2.0', '@brigadecore/brigadier': '^1.0.0' },
      files: { 'lib/main.js': 'module.exports = require("left-pad");', 'README.md': '# notes', 'index.d.ts': 'x' },
    },
    { name: 'needs-old', version: '1.0.0', dependencies: { 'left-pad': '~1.2.0' }, files: { 'index.js': '' } },
    { name: 'gyp', version: '1.0.0', files: { 'index.js': '', 'binding.gyp': '{}' } },
    { name: 'addon', version: '1.0.0', files: { 'index.js': '', 'build/Release/x.node': 'ELF' } },
    { name: 'installer', version: '1.0.0', hasInstallScript: true, files: { 'index.js': '' } },
    { name: 'esm', version: '1.0.0', manifest: { type: 'module' }, files: { 'index.js': 'export default 1;' } },
    { name: 'reads-files', version: '1.0.0', files: { 'index.js': "const fs = require('node:fs');" } },
    { name: 'tampered', version: '1.0.0', corrupt: true, files: { 'index.js': '' } },
  ]);
});
after(async () => {
  await registry.close();
  await rm(dir, { recursive: true, force: true });
});

function options(storeDir = dir): ResolveOptions {
  const client = registryClient(registry.url);
  return {
    client,
    store: packageStore({ client, limits: DEFAULT_PACKAGE_LIMITS, dir: storeDir }),
    limits: DEFAULT_PACKAGE_LIMITS,
    provided: PROVIDED,
    refused: REFUSED,
  };
}

async function refusal(declared: Record<string, string>): Promise<string> {
  const error = await resolveDependencies(declared, options()).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof DependencyError, `expected a refusal, got ${String(error)}`);
  assert.equal(error.kind, 'Refused');
  return error.message;
}

describe('resolveDependencies', () => {
  it('picks the highest satisfying version, transitively, reusing a version already in the tree, never fetching brigadier', async () => {
    const lock = await resolveDependencies(
      { 'left-pad': '^1.0.0', '@acme/notify': 'latest', 'needs-old': '1' },
      options(),
    );
    assert.deepEqual(lock.roots, {
      '@acme/notify': '@acme/notify@0.4.1',
      'left-pad': 'left-pad@1.3.0',
      'needs-old': 'needs-old@1.0.0',
    });
    assert.deepEqual(
      lock.packages.map((p) => [`${p.name}@${p.version}`, p.dependencies]),
      [
        ['@acme/notify@0.4.1', { 'left-pad': 'left-pad@1.3.0' }],
        ['left-pad@1.2.0', undefined],
        ['left-pad@1.3.0', undefined],
        ['needs-old@1.0.0', { 'left-pad': 'left-pad@1.2.0' }],
      ],
    );
    assert.ok(lock.packages.every((p) => p.integrity.startsWith('sha512-') && p.tarball.startsWith(registry.url)));
    assert.ok(!registry.requests.some((r) => r.includes('brigadier')));
  });

  it('keeps only JavaScript and JSON of a package, and its main', async () => {
    const opts = options();
    const lock = await resolveDependencies({ '@acme/notify': '0.4.1' }, opts);
    const notify = lock.packages.find((p) => p.name === '@acme/notify');
    assert.ok(notify);
    const contents = await opts.store.contents(notify);
    assert.equal(contents.main, 'lib/main.js');
    assert.deepEqual(Object.keys(contents.files).sort(), ['lib/main.js', 'package.json']);
  });

  it('refuses what cannot run in the sandbox, saying why', async () => {
    assert.match(await refusal({ gyp: '1.0.0' }), /gyp@1\.0\.0 needs native code \(binding\.gyp\)/);
    assert.match(await refusal({ addon: '1.0.0' }), /addon@1\.0\.0 needs native code \(build\/Release\/x\.node\)/);
    assert.match(await refusal({ installer: '1.0.0' }), /installer@1\.0\.0 has install scripts/);
    assert.match(await refusal({ esm: '1.0.0' }), /esm@1\.0\.0 is an ES module package/);
    assert.match(
      await refusal({ 'reads-files': '1.0.0' }),
      /requires the Node built-in 'fs' \(index\.js\), which would give it file system access/,
    );
    assert.match(
      await refusal({ tampered: '1.0.0' }),
      /tampered@1\.0\.0: the tarball does not match its integrity sha512-/,
    );
    assert.match(await refusal({ 'left-pad': '^9.0.0' }), /no version of left-pad satisfies "\^9\.0\.0"/);
    assert.match(
      await refusal({ 'no-such-package': '1.0.0' }),
      /package no-such-package does not exist in the npm registry/,
    );
    assert.match(
      await refusal({ 'left-pad': 'git+https://example.com/x.git' }),
      /git, file and URL dependencies are not supported/,
    );
    assert.match(await refusal({ '../evil': '1.0.0' }), /is not an npm package name/);
  });

  it('refuses a tree larger than the limits', async () => {
    const opts = { ...options(), limits: { ...DEFAULT_PACKAGE_LIMITS, maxPackages: 1 } };
    await assert.rejects(resolveDependencies({ '@acme/notify': '0.4.1' }, opts), /more than 1 packages/);
  });

  it('a store with the same directory (an operator restart) serves packages without the registry', async () => {
    const lock = await resolveDependencies({ 'left-pad': '2.0.0' }, options());
    const locked = lock.packages[0];
    assert.ok(locked);
    const before = registry.requests.length;
    const restarted = packageStore({ client: registryClient(registry.url), limits: DEFAULT_PACKAGE_LIMITS, dir });
    assert.equal((await restarted.contents(locked)).files['index.js'], 'module.exports = 3;');
    assert.equal(registry.requests.length, before);
    const elsewhere = packageStore({ client: registryClient(registry.url), limits: DEFAULT_PACKAGE_LIMITS });
    await elsewhere.contents(locked);
    assert.equal(registry.requests.length, before + 1, 'a store without the directory fetches the tarball');
    const forged = { ...locked, integrity: 'sha512-AAAA' };
    await assert.rejects(elsewhere.contents(forged), /does not match its integrity/);
  });
});
