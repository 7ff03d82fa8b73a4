// Builds the local control plane's two Go programs from cluster/ (the control-plane multi-call binary
// from pinned upstream Kubernetes and etcd sources, and the virtual-kubelet-based node agent) and
// caches them outside the clone, keyed by their inputs: the Go version, the build flags and every
// non-test source file, go.mod and go.sum of the module. A cold build takes many minutes on two cores
// (docs/real-cluster.md), so progress is reported as packages compile.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { runToCompletion } from './command-runner.ts';
import { CLUSTER_SOURCES, cacheDir } from './paths.ts';

const execFileAsync = promisify(execFile);

/** The upstream release the control plane is built from; `/version` reports it. */
export const KUBERNETES_VERSION = 'v1.35.4';

export interface Program {
  /** Binary name in the cache. */
  name: 'kubeground' | 'nodeagent';
  /** Go module directory. */
  module: string;
  /** Main package, relative to the module. */
  mainPackage: string;
  ldflags: string;
}

const VERSION_PARTS = KUBERNETES_VERSION.replace(/^v/, '').split('.');

export const PROGRAMS: readonly Program[] = [
  {
    name: 'kubeground',
    module: CLUSTER_SOURCES,
    mainPackage: './cmd/kubeground',
    // Without the stamp /version says v0.0.0-master and kubectl warns about version skew.
    ldflags: [
      '-s',
      '-w',
      `-X k8s.io/component-base/version.gitVersion=${KUBERNETES_VERSION}`,
      `-X k8s.io/component-base/version.gitMajor=${VERSION_PARTS[0]}`,
      `-X k8s.io/component-base/version.gitMinor=${VERSION_PARTS[1]}`,
      `-X k8s.io/client-go/pkg/version.gitVersion=${KUBERNETES_VERSION}`,
      '-X k8s.io/component-base/version.gitTreeState=clean',
    ].join(' '),
  },
  { name: 'nodeagent', module: join(CLUSTER_SOURCES, 'nodeagent'), mainPackage: './cmd/nodeagent', ldflags: '-s -w' },
];

export interface BuildOptions {
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export class GoToolchainMissingError extends Error {
  constructor(cause: unknown) {
    super('the real control plane is built from source and needs the Go toolchain (go 1.25 or later on PATH)', {
      cause,
    });
    this.name = 'GoToolchainMissingError';
  }
}

export async function goVersion(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  try {
    const { stdout } = await execFileAsync('go', ['version'], { env });
    return stdout.trim();
  } catch (err) {
    throw new GoToolchainMissingError(err);
  }
}

/** Every file that decides the binary: *.go (not tests), go.mod, go.sum; nested modules excluded. */
async function sourceFiles(moduleDir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        const nested = await stat(join(path, 'go.mod')).then(
          () => true,
          () => false,
        );
        if (!nested && !entry.name.startsWith('.') && entry.name !== 'testdata') await walk(path);
      } else if (
        (entry.name.endsWith('.go') && !entry.name.endsWith('_test.go')) ||
        entry.name === 'go.mod' ||
        entry.name === 'go.sum'
      ) {
        found.push(path);
      }
    }
  };
  await walk(moduleDir);
  return found.sort();
}

export async function buildKey(program: Program, toolchain: string): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`${toolchain}\n${program.mainPackage}\n${program.ldflags}\n`);
  for (const file of await sourceFiles(program.module)) {
    hash.update(`${relative(program.module, file)}\n`);
    hash.update(await readFile(file));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The Go environment of every build and check of cluster/: test:go uses the same one, so go vet and
 * go test reuse the packages the binary build compiled (different flags would compile them twice).
 */
export function goEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly -buildvcs=false -trimpath' };
}

export async function ensureProgram(program: Program, opts: BuildOptions = {}): Promise<string> {
  const env = goEnv(opts.env);
  const toolchain = await goVersion(env);
  const key = await buildKey(program, toolchain);
  const dir = join(cacheDir(env), 'bin');
  const target = join(dir, `${program.name}-${key}`);
  if (
    await stat(target).then(
      (s) => s.isFile(),
      () => false,
    )
  )
    return target;

  await mkdir(dir, { recursive: true });
  const progress = opts.onProgress ?? (() => undefined);
  const total = await countPackages(program, env);
  progress(
    `building ${program.name} (${total} packages; the first build takes long, later ones reuse the Go build cache)`,
  );
  let compiled = 0;
  let lastReport = Date.now();
  const partial = `${target}.partial-${process.pid}`;
  try {
    await runToCompletion('go', ['build', '-v', '-ldflags', program.ldflags, '-o', partial, program.mainPackage], {
      cwd: program.module,
      env,
      signal: opts.signal,
      onLine: (line) => {
        // `go build -v` names each package as it is compiled (cached ones are not named).
        if (!/^[\w.\-/]+$/.test(line)) return;
        compiled++;
        if (Date.now() - lastReport >= 10_000) {
          lastReport = Date.now();
          progress(`building ${program.name}: ${compiled}/${total} packages compiled`);
        }
      },
    });
    await rename(partial, target);
  } finally {
    await rm(partial, { force: true });
  }
  progress(`built ${program.name}`);
  return target;
}

async function countPackages(program: Program, env: NodeJS.ProcessEnv): Promise<number> {
  const { stdout } = await execFileAsync('go', ['list', '-deps', program.mainPackage], {
    cwd: program.module,
    env,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.split('\n').filter(Boolean).length;
}

export interface GroundBinaries {
  kubeground: string;
  nodeagent: string;
}

/** Both programs, built one after the other (each `go build` already uses every core). */
export async function ensureBinaries(opts: BuildOptions = {}): Promise<GroundBinaries> {
  const [kubeground, nodeagent] = PROGRAMS;
  return { kubeground: await ensureProgram(kubeground, opts), nodeagent: await ensureProgram(nodeagent, opts) };
}
