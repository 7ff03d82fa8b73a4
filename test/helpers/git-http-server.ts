// A git repository served over git's "dumb" HTTP protocol on loopback: plain files, so a static
// server is enough, and pods reach it on both test grounds (the simulator runs them on this host;
// the real ground's containers share the host network). Commits go into a work tree whose .git is
// what the server serves; `git update-server-info` after each commit writes the ref list git needs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile, rm, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, sep } from 'node:path';

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: tmpdir(),
};

export interface GitHttpRepo {
  /** The clone URL, http://127.0.0.1:PORT/repo.git */
  url: string;
  /** Commits the files (path -> content; null deletes) on the current branch; returns the commit id. */
  commit(files: Record<string, string | null>, message: string): string;
  /** Runs git in the work tree (branches, refs); returns its output. */
  git(...args: string[]): string;
  close(): Promise<void>;
}

export async function serveGitRepo(): Promise<GitHttpRepo> {
  const dir = await mkdtemp(join(tmpdir(), 'git-http-'));
  const work = join(dir, 'work');
  const git = (...args: string[]): string => {
    const r = spawnSync('git', args, {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', ...GIT_ENV },
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  mkdirSync(work);
  git('init', '--quiet', '--initial-branch=main');
  const served = join(work, '.git');
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/repo\.git\/?/, '');
    const file = normalize(join(served, path));
    if (!file.startsWith(served + sep)) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/repo.git`,
    commit(files, message) {
      for (const [path, content] of Object.entries(files)) {
        const full = join(work, path);
        if (content === null) {
          git('rm', '--quiet', '--', path);
          continue;
        }
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, content);
      }
      git('add', '-A');
      git('commit', '--quiet', '--allow-empty', '-m', message);
      git('update-server-info');
      return git('rev-parse', 'HEAD');
    },
    git: (...args) => {
      const out = git(...args);
      git('update-server-info');
      return out;
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      await rm(dir, { recursive: true, force: true });
    },
  };
}
