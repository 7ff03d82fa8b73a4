// What the real-ground runners share: a tool is on PATH, and what to do when something is missing:
// skip with a notice nobody can miss, or fail when BRIGADE_REQUIRE_CLUSTER=1 (set by .ci/run).
import { execFileSync } from 'node:child_process';

export function onPath(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The exit code for a run that cannot happen: 1 when CI requires it, else 0 after a loud notice. */
export function skipOrFail(who: string, what: string, missing: readonly string[]): number {
  const line = `${who}: missing ${missing.join(', ')}`;
  if (process.env['BRIGADE_REQUIRE_CLUSTER'] === '1') {
    process.stderr.write(`${line}; BRIGADE_REQUIRE_CLUSTER=1, so this is a failure\n`);
    return 1;
  }
  process.stderr.write(`\n${'!'.repeat(100)}\n!! SKIPPED: ${what} did not run (${line}).\n${'!'.repeat(100)}\n\n`);
  return 0;
}
