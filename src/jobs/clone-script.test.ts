// Runs the clone scripts with a real shell and git against a local repository, so what the pod
// would execute is tested, not only its text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLONE_SCRIPT, INLINE_CLONE_SCRIPT } from './source.ts';

const GIT_ENV = {
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: tmpdir(),
};

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  const result = spawnSync(cmd, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...GIT_ENV, ...env },
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, `${cmd} ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/** A repository with main (two commits) and a pull-request-like ref pointing at a third commit. */
function fixtureRepo(dir: string): { url: string; first: string; second: string; pr: string } {
  const repo = join(dir, 'origin');
  run('git', ['init', '--quiet', '--initial-branch=main', repo], dir);
  const commit = (content: string): string => {
    writeFileSync(join(repo, 'file.txt'), content);
    run('git', ['add', 'file.txt'], repo);
    run('git', ['commit', '--quiet', '-m', content], repo);
    return run('git', ['rev-parse', 'HEAD'], repo);
  };
  const first = commit('first');
  const second = commit('second');
  run('git', ['checkout', '--quiet', '-b', 'feature'], repo);
  const pr = commit('pr');
  run('git', ['update-ref', 'refs/pull/7/head', pr], repo);
  run('git', ['checkout', '--quiet', 'main'], repo);
  run('git', ['branch', '--quiet', '-D', 'feature'], repo);
  return { url: `file://${repo}`, first, second, pr };
}

async function withTempDir(fn: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'clone-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function clone(dir: string, name: string, env: Record<string, string>): string {
  const workspace = join(dir, name);
  run('sh', ['-c', `set -e\n${CLONE_SCRIPT}`], dir, {
    BRIGADE_WORKSPACE: workspace,
    BRIGADE_COMMIT_ID: '',
    BRIGADE_COMMIT_REF: '',
    ...env,
  });
  return workspace;
}

test('the clone script checks out the default branch, a commit, or a ref that no branch contains', async () => {
  await withTempDir(async (dir) => {
    const repo = fixtureRepo(dir);
    assert.equal(
      await readFile(join(clone(dir, 'head', { BRIGADE_REMOTE_URL: repo.url }), 'file.txt'), 'utf8'),
      'second',
    );
    assert.equal(
      await readFile(
        join(clone(dir, 'commit', { BRIGADE_REMOTE_URL: repo.url, BRIGADE_COMMIT_ID: repo.first }), 'file.txt'),
        'utf8',
      ),
      'first',
    );
    assert.equal(
      await readFile(
        join(clone(dir, 'ref', { BRIGADE_REMOTE_URL: repo.url, BRIGADE_COMMIT_REF: 'refs/pull/7/head' }), 'file.txt'),
        'utf8',
      ),
      'pr',
    );
    const both = clone(dir, 'both', {
      BRIGADE_REMOTE_URL: repo.url,
      BRIGADE_COMMIT_REF: 'refs/pull/7/head',
      BRIGADE_COMMIT_ID: repo.pr,
    });
    assert.equal(run('git', ['rev-parse', 'HEAD'], both), repo.pr);
  });
});

test('the clone script leaves the working directory of the tasks unchanged', async () => {
  await withTempDir((dir) => {
    const repo = fixtureRepo(dir);
    const env = {
      BRIGADE_REMOTE_URL: repo.url,
      BRIGADE_WORKSPACE: join(dir, 'src'),
      BRIGADE_COMMIT_ID: '',
      BRIGADE_COMMIT_REF: '',
    };
    assert.equal(run('sh', ['-c', `set -e\n${CLONE_SCRIPT}\npwd`], dir, env), dir);
  });
});

test('inline cloning without git in the image fails with a message that says what to do', async () => {
  await withTempDir((dir) => {
    const result = spawnSync('/bin/sh', ['-c', `set -e\n${INLINE_CLONE_SCRIPT}\necho unreachable`], {
      cwd: dir,
      env: { PATH: dir },
      encoding: 'utf8',
    });
    assert.equal(result.status, 127);
    assert.match(result.stderr, /its image needs git; use an image with git or set useSource to false/);
    assert.equal(result.stdout, '');
  });
});
