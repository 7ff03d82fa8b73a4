// `npm run bench`: every benchmark, one after another, each in its own process so one's warm-up and
// garbage do not colour the next. Benchmarks print numbers for this machine; none of them asserts.
// `npm run bench -- --quick`: the scale suite's short version only (bench/scale.ts --quick).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/**
 * Helpers, and real-api.ts, which needs the real control plane: it runs through
 * `node test/ground/run-cluster.ts --script bench/real-api.ts`.
 */
const NOT_BENCHMARKS = new Set(['run.ts', 'harness.ts', 'scripts.ts', 'real-api.ts']);
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const benches = quick
  ? ['scale.ts']
  : readdirSync(here)
      .filter((f) => f.endsWith('.ts') && !NOT_BENCHMARKS.has(f))
      .sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n== ${file}`);
  const result = spawnSync(process.execPath, [join(here, file), ...args], { stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
}
process.exitCode = failed ? 1 : 0;
