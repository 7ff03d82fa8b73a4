// Runs the real kubectl and helm binaries (unpacked into node_modules/.bin by `npm ci`) as a user would.
// Always asynchronous: the simulator serves from this same process, so a synchronous child would
// block the event loop that has to answer it.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'node_modules', '.bin');

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runTool(
  tool: 'kubectl' | 'helm',
  args: string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      join(BIN, tool),
      args,
      { cwd: ROOT, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(new Error(`${tool} ${args.join(' ')} could not run: ${err.message}`, { cause: err }));
          return;
        }
        resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** kubectl against a kubeconfig; throws with kubectl's own message when it exits non-zero. */
export async function kubectl(kubeconfig: string, ...args: string[]): Promise<string> {
  const result = await runTool('kubectl', ['--kubeconfig', kubeconfig, ...args]);
  if (result.code !== 0)
    throw new Error(`kubectl ${args.join(' ')} exited ${result.code}: ${result.stderr || result.stdout}`);
  return result.stdout;
}
