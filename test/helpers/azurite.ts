// Azurite, Microsoft's Azure Storage emulator (a dev dependency), serving Blob Storage on loopback
// for the log archive tests. Started from node_modules with the Node running the tests; a missing
// Azurite fails the test (npm ci installs it), it is never skipped.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './tools.ts';

/** Azurite's well-known development account (public, in Azurite's documentation). */
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const MAIN = join(ROOT, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js');

export interface Azurite {
  connectionString: string;
  /** The account's secret key (for tests that check it is never printed). */
  accountKey: string;
  stop(): Promise<void>;
}

export async function startAzurite(): Promise<Azurite> {
  if (!existsSync(MAIN)) throw new Error(`Azurite is not installed (${MAIN} is missing): run npm ci`);
  const child = spawn(
    process.execPath,
    [MAIN, '--blobHost', '127.0.0.1', '--blobPort', '0', '--inMemoryPersistence', '--skipApiVersionCheck', '--loose'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const port = await listeningPort(child);
  return {
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};` +
      `BlobEndpoint=http://127.0.0.1:${port}/${ACCOUNT};`,
    accountKey: ACCOUNT_KEY,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        // Azurite closes gracefully on SIGTERM and waits for idle keep-alive connections of the SDK
        // to go, which can take minutes: its in-memory data is of no use after the test anyway.
        const kill = setTimeout(() => child.kill('SIGKILL'), 2_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Azurite did not start within 30 s:\n${out}`));
    }, 30_000);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const m = /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(Number(m[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited (${code}) before it listened:\n${out}`));
    });
  });
}
