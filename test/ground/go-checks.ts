// The Go side's own checks: gofmt, go vet, staticcheck and go test of both modules under cluster/
// (the control plane's multi-call binary and the node agent). Go's caches make a repeated run fast.
// Skipped with a loud notice without a Go toolchain, unless BRIGADE_REQUIRE_CLUSTER=1 (CI), where that fails.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { goEnv } from '../../src/localcluster/index.ts';
import { ROOT } from '../helpers/tools.ts';
import { onPath, skipOrFail } from './prerequisites.ts';

// staticcheck 2026.2.2 (module v0.8.2), a release that supports both modules' Go versions (1.25 and
// 1.26). `go run` fetches it through the module proxy once; the Go caches make later runs offline.
const STATICCHECK = 'honnef.co/go/tools/cmd/staticcheck@v0.8.2';

const MODULES = [
  // The control plane module's own packages. Its main package only dispatches to upstream commands;
  // vetting it would type-check all of Kubernetes again, and the binary build compiles it anyway.
  { dir: join(ROOT, 'cluster'), packages: ['./pki/...', './parentdeath/...'] },
  { dir: join(ROOT, 'cluster', 'nodeagent'), packages: ['./...'] },
];

function run(dir: string, args: string[]): boolean {
  process.stderr.write(`go checks: (${dir.slice(ROOT.length + 1)}) ${args.join(' ')}\n`);
  const r = spawnSync(args[0], args.slice(1), {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    env: goEnv(),
  });
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.status !== 0) return false;
  // gofmt -l lists unformatted files and still exits 0.
  return !(args[0] === 'gofmt' && r.stdout.trim() !== '');
}

function main(): number {
  if (!onPath('go'))
    return skipOrFail('go checks', 'the Go checks (gofmt, go vet, go test of cluster/)', ['a Go toolchain']);
  let ok = true;
  for (const m of MODULES) {
    ok = run(m.dir, ['gofmt', '-l', '.']) && ok;
    ok = run(m.dir, ['go', 'vet', ...m.packages]) && ok;
    ok = run(m.dir, ['go', 'run', STATICCHECK, ...m.packages]) && ok;
    ok = run(m.dir, ['go', 'test', ...m.packages]) && ok;
  }
  return ok ? 0 : 1;
}

process.exitCode = main();
