// Runs the fetch job's script with a real shell and git against a local repository and reads its
// output as the operator does: the selection, the bounds, the revision and the checksum are tested
// on what the pod would print, not on its text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FETCH_SCRIPT } from '../../jobs/script-fetch.ts';
import { ScriptArchiveError, readScriptArchive } from './script-archive.ts';

const GIT_ENV = {
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: tmpdir(),
};

function git(args: string[], cwd: string): string {
  const r = spawnSync('git', args, { cwd, env: { PATH: process.env.PATH ?? '', ...GIT_ENV }, encoding: 'utf8' });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Commits the files (path -> content) to the repository and returns the commit. */
function commit(repo: string, files: Record<string, string>, message: string): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), content);
  }
  git(['add', '-A'], repo);
  git(['commit', '--quiet', '-m', message], repo);
  return git(['rev-parse', 'HEAD'], repo);
}

interface Fetch {
  code: number | null;
  log: string;
}

/** The fetch as the pod runs it: in an empty working directory, with the job's environment. */
function fetch(work: string, url: string, revision: { commit?: string; ref?: string }, bounds = {}): Fetch {
  mkdirSync(work, { recursive: true });
  const env = {
    PATH: process.env.PATH ?? '',
    ...GIT_ENV,
    BRIGADE_REMOTE_URL: url,
    BRIGADE_COMMIT_ID: revision.commit ?? '',
    BRIGADE_COMMIT_REF: revision.ref ?? '',
    BRIGADE_WORKSPACE: 'repo',
    SCRIPT_PATH: 'brigade.js',
    CONFIG_PATH: 'brigade.json',
    MAX_FILES: '64',
    MAX_BYTES: '262144',
    MAX_SCRIPT: '262144',
    ...bounds,
  };
  const r = spawnSync('/bin/sh', ['-c', FETCH_SCRIPT], { cwd: work, env, encoding: 'utf8' });
  // A pod's log interleaves both streams.
  return { code: r.status, log: r.stderr + r.stdout };
}

async function withRepo(fn: (dir: string, repo: string) => void | Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'fetch-'));
  const repo = join(dir, 'origin');
  git(['init', '--quiet', '--initial-branch=main', repo], dir);
  try {
    await fn(dir, repo);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('the fetch sends brigade.js with the .js and .json files beside it, not node_modules, dot-dirs or other files', () =>
  withRepo(async (dir, repo) => {
    const head = commit(
      repo,
      {
        'brigade.js': "const lib = require('./lib/notify');",
        'brigade.json': '{"dependencies":{}}',
        'lib/notify.js': 'module.exports = 1;',
        'lib/deep/conf.json': '{}',
        'util.cjs': '',
        'README.md': '# not JavaScript',
        'node_modules/x/index.js': 'no',
        '.github/workflow.json': 'no',
      },
      'one',
    );
    const out = fetch(join(dir, 'w'), `file://${repo}`, {});
    assert.equal(out.code, 0, out.log);
    const fetched = await readScriptArchive(out.log);
    assert.equal(fetched.commit, head);
    assert.equal(fetched.script, "const lib = require('./lib/notify');");
    assert.deepEqual(Object.keys(fetched.files).sort(), [
      'brigade.json',
      'lib/deep/conf.json',
      'lib/notify.js',
      'util.cjs',
    ]);
    assert.equal(fetched.omitted, 0);
  }));

test('with scriptPath the script directory is the root of what it requires, and configPath names brigade.json', () =>
  withRepo(async (dir, repo) => {
    commit(
      repo,
      {
        'brigade.js': '// the root script, not used',
        'ci/brigade.js': "require('./lib/x');",
        'ci/lib/x.js': 'module.exports = 1;',
        'ci/brigade.json': '{"not":"the config"}',
        'config/deps.json': '{"dependencies":{"a":"1"}}',
        'src/app.js': 'outside the script directory',
      },
      'nested',
    );
    const out = fetch(
      join(dir, 'w'),
      `file://${repo}`,
      {},
      { SCRIPT_PATH: 'ci/brigade.js', CONFIG_PATH: 'config/deps.json' },
    );
    assert.equal(out.code, 0, out.log);
    const fetched = await readScriptArchive(out.log);
    assert.equal(fetched.script, "require('./lib/x');");
    assert.deepEqual(fetched.files, {
      'brigade.json': '{"dependencies":{"a":"1"}}',
      'lib/x.js': 'module.exports = 1;',
    });
    const missing = fetch(join(dir, 'm'), `file://${repo}`, {}, { SCRIPT_PATH: 'build/brigade.js' });
    assert.notEqual(missing.code, 0);
    assert.match(missing.log, /has no build\/brigade\.js at commit/);
  }));

test("the fetch takes the event's commit, or its ref, as the source clone does", () =>
  withRepo(async (dir, repo) => {
    const first = commit(repo, { 'brigade.js': '// first' }, 'first');
    commit(repo, { 'brigade.js': '// second' }, 'second');
    git(['checkout', '--quiet', '-b', 'feature'], repo);
    const pr = commit(repo, { 'brigade.js': '// pr' }, 'pr');
    git(['update-ref', 'refs/pull/7/head', pr], repo);
    git(['checkout', '--quiet', 'main'], repo);
    git(['branch', '--quiet', '-D', 'feature'], repo);
    const byCommit = await readScriptArchive(fetch(join(dir, 'a'), `file://${repo}`, { commit: first }).log);
    assert.deepEqual([byCommit.commit, byCommit.script], [first, '// first']);
    const byRef = await readScriptArchive(fetch(join(dir, 'b'), `file://${repo}`, { ref: 'refs/pull/7/head' }).log);
    assert.deepEqual([byRef.commit, byRef.script], [pr, '// pr']);
    const head = await readScriptArchive(fetch(join(dir, 'c'), `file://${repo}`, {}).log);
    assert.equal(head.script, '// second');
  }));

test('over the bounds the shallowest files are kept, brigade.json first, and the rest is counted as omitted', () =>
  withRepo(async (dir, repo) => {
    commit(
      repo,
      { 'brigade.js': '//', 'z.js': '1', 'brigade.json': '{}', 'a/b.js': '2', 'a/b/c.js': '3', 'a.js': '4' },
      'many',
    );
    const out = fetch(join(dir, 'w'), `file://${repo}`, {}, { MAX_FILES: '3' });
    const fetched = await readScriptArchive(out.log);
    assert.deepEqual(Object.keys(fetched.files).sort(), ['a.js', 'brigade.json', 'z.js']);
    assert.equal(fetched.omitted, 2);
  }));

test('a repository without brigade.js, a missing revision or an unreachable URL fails the fetch with the reason', () =>
  withRepo((dir, repo) => {
    commit(repo, { 'README.md': 'no script' }, 'none');
    const none = fetch(join(dir, 'a'), `file://${repo}`, {});
    assert.notEqual(none.code, 0);
    assert.match(none.log, /has no brigade\.js at commit [0-9a-f]{40}/);
    const missing = fetch(join(dir, 'b'), `file://${repo}`, { commit: 'f'.repeat(40) });
    assert.notEqual(missing.code, 0);
    assert.match(missing.log, /fatal|error/i);
    const gone = fetch(join(dir, 'c'), `file://${join(dir, 'nowhere')}`, {});
    assert.notEqual(gone.code, 0);
    assert.match(gone.log, /does not appear to be a git repository|not found|does not exist/i);
  }));

test('a brigade.js over the bound fails the fetch', () =>
  withRepo((dir, repo) => {
    commit(repo, { 'brigade.js': 'x'.repeat(100) }, 'big');
    const out = fetch(join(dir, 'w'), `file://${repo}`, {}, { MAX_SCRIPT: '50' });
    assert.notEqual(out.code, 0);
    assert.match(out.log, /brigade\.js has 100 bytes; at most 50 are allowed/);
  }));

test('a cut or altered archive is refused, never half-read', () =>
  withRepo(async (dir, repo) => {
    commit(repo, { 'brigade.js': '// script', 'lib.js': 'x'.repeat(5000) }, 'one');
    const { log } = fetch(join(dir, 'w'), `file://${repo}`, {});
    const lines = log.split('\n');
    const cut = lines.filter((l) => !l.startsWith('BRIGADE-SCRIPT-ARCHIVE END')).join('\n');
    await assert.rejects(readScriptArchive(cut), /cut off/);
    const body = lines.findIndex((l) => l.startsWith('BRIGADE-SCRIPT-ARCHIVE v1')) + 1;
    const altered = lines.map((l, i) => (i === body ? `A${l.slice(1)}` : l)).join('\n');
    await assert.rejects(readScriptArchive(altered), ScriptArchiveError);
    await assert.rejects(readScriptArchive('fatal: nothing\n'), /printed no script archive/);
  }));
