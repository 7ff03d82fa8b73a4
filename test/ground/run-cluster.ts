// Runs test files on the real ground: starts the local control plane once (building it first if
// needed), installs the CRDs and the operator's RBAC exactly as users do (`kubectl apply`), runs
// `node --test` over the given files with BRIGADE_TEST_GROUND=cluster, and stops every process.
//
//   node test/ground/run-cluster.ts [FILE...]      (default: the files in CLUSTER_SUITE)
//   node test/ground/run-cluster.ts --script FILE [ARG...]   (a program, e.g. a benchmark, not tests;
//                                                            it gets the audit log's path too)
//
// The real ground needs root, runc, debootstrap and Go. Where they are missing the run is skipped
// with a loud notice, except when BRIGADE_REQUIRE_CLUSTER=1 (set by .ci/run): then it fails.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCluster } from '../../src/localcluster/index.ts';
import { ROOT, kubectl } from '../helpers/tools.ts';
import { CLUSTER_KUBECONFIG_ENV, OPERATOR_NAMESPACE, OPERATOR_SERVICE_ACCOUNT, installCrds } from './ground.ts';
import { onPath, skipOrFail } from './prerequisites.ts';
import { rbacUsage } from './rbac-usage.ts';

/** The test files that run on both grounds. */
export const CLUSTER_SUITE = [
  'test/e2e/*.test.ts',
  'test/gateway/e2e.test.ts',
  'test/gateway/cli.test.ts',
  'test/gateway/cli-project.test.ts',
  'test/dashboard/browser.test.ts',
];

function missingPrerequisites(): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root (containers run with runc as root)');
  return [...missing, ...['go', 'runc', 'debootstrap'].filter((tool) => !onPath(tool))];
}

function runTests(files: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const args =
    files[0] === '--script' ? files.slice(1) : ['--test', '--test-concurrency=1', '--test-timeout=300000', ...files];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      stdio: 'inherit',
      env,
    });
    child.on('exit', (code, signal) => {
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

/** The operator's ServiceAccount against config/rbac: denied requests and grants no test used. */
async function reportRbacUsage(auditLog: string): Promise<void> {
  const roles = ['cluster_role.yaml', 'leader_election_role.yaml'].map((f) => join(ROOT, 'config', 'rbac', f));
  const usage = await rbacUsage(
    auditLog,
    roles,
    `system:serviceaccount:${OPERATOR_NAMESPACE}:${OPERATOR_SERVICE_ACCOUNT}`,
  );
  process.stderr.write(
    `real-cluster ground: the operator's ServiceAccount used ${usage.used} of its permissions;` +
      ` denied: ${usage.denied.join(', ') || 'none'}; granted but unused in this run: ${usage.unused.join(', ') || 'none'}\n`,
  );
}

async function main(): Promise<number> {
  const missing = missingPrerequisites();
  if (missing.length > 0)
    return skipOrFail('real-cluster ground', 'the end-to-end tests on the real control plane', missing);
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'brigade-cluster-'));
  const cluster = await startLocalCluster({
    dir,
    onProgress: (line) => process.stderr.write(`real-cluster ground: ${line}\n`),
  });
  let code = 1;
  try {
    const kubeconfig = cluster.kubeconfigPath;
    process.stderr.write(
      `real-cluster ground: ready after ${((Date.now() - started) / 1000).toFixed(0)} s (logs in ${cluster.logDir})\n`,
    );
    await installCrds(kubeconfig);
    await kubectl(kubeconfig, 'apply', '-f', join(ROOT, 'config', 'namespace.yaml'));
    await kubectl(kubeconfig, 'apply', '-n', OPERATOR_NAMESPACE, '-k', join(ROOT, 'config', 'rbac'));
    const files = process.argv.slice(2);
    const testStarted = Date.now();
    code = await Promise.race([
      runTests(files.length ? files : CLUSTER_SUITE, {
        ...process.env,
        BRIGADE_TEST_GROUND: 'cluster',
        [CLUSTER_KUBECONFIG_ENV]: kubeconfig,
        BRIGADE_TEST_AUDIT_LOG: cluster.auditLog,
      }),
      cluster.failure,
    ]);
    process.stderr.write(`real-cluster ground: tests took ${((Date.now() - testStarted) / 1000).toFixed(0)} s\n`);
    await reportRbacUsage(cluster.auditLog);
  } finally {
    await cluster.stop();
    if (code === 0) await rm(dir, { recursive: true, force: true });
    else process.stderr.write(`real-cluster ground: kept ${dir} (component logs in ${cluster.logDir})\n`);
  }
  return code;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`real-cluster ground: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
