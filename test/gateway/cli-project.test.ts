// `brigade-operator project ...` against the test ground (the simulator, or the real control plane
// with BRIGADE_TEST_GROUND=cluster): a Brigade 1 values file becomes a Project and its Secrets, with
// secret values only in the Secrets; create asks brig's questions or takes flags; list, get, delete.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { loadAll } from 'js-yaml';
import { commands } from '../../src/cli/commands/index.ts';
import type { CommandIO } from '../../src/cli/command.ts';
import { runTool } from '../helpers/tools.ts';
import { startTestCluster, type TestCluster } from './cluster.ts';

// The shape of the CI walkthrough's values file (its closing brace at the start of a line, as Helm
// accepts), with made-up values.
const VALUES = `cloneURL: "https://github.com/example/brigadedemo.git"
namespace: "elsewhere"
project: "example/brigadedemo"
repository: "github.com/example/brigadedemo"
sharedSecret: "shared-0987987987"
secrets: {
  DOCKER_USER: "demoacr",
  DOCKER_PASS: "pass-xyz-123",
  SLACK_WEBHOOK: "https://hooks.example.com/services/T/B/xyz"
}
vcsSidecar: "brigadecore/git-sidecar:latest"
brigadejsPath: "ci/brigade.js"
github:
  token: "ghp_faketoken"
`;
const SECRET_VALUES = ['shared-0987987987', 'pass-xyz-123', 'hooks.example.com/services', 'ghp_faketoken'];

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(cluster: TestCluster, argv: string[], stdin?: { text: string; tty: boolean }): Promise<Ran> {
  const [name, ...rest] = argv;
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  const input = Object.assign(PassThrough.from([stdin?.text ?? '']), { isTTY: stdin?.tty ?? false });
  const io: CommandIO = { stdout, stderr, stdin: input, env: { KUBECONFIG: cluster.kubeconfigPath } };
  const code = await commands[name].run(rest, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

async function kubectlJson(cluster: TestCluster, ...args: string[]): Promise<Record<string, unknown>> {
  const r = await runTool('kubectl', ['--kubeconfig', cluster.kubeconfigPath, '-n', cluster.namespace, ...args]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

function decoded(secret: Record<string, unknown>): Record<string, string> {
  const data = (secret.data ?? {}) as Record<string, string>;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
}

describe('project commands against the test ground', () => {
  let cluster: TestCluster;
  let valuesFile = '';

  before(async () => {
    cluster = await startTestCluster({ namespace: 'projects' });
    const dir = await mkdtemp(join(tmpdir(), 'project-import-'));
    valuesFile = join(dir, 'brigadedemo.yaml');
    await writeFile(valuesFile, VALUES);
  });
  after(async () => {
    await cluster.stop();
  });

  test('import --dry-run -o yaml prints a Secret per kind of secret and a Project without any value, and applies nothing', async () => {
    const r = await cli(cluster, ['project', 'import', valuesFile, '--dry-run', '-o', 'yaml', '-n', cluster.namespace]);
    assert.equal(r.code, 0, r.stderr);
    const docs = loadAll(r.stdout) as Array<{ kind: string; metadata: { name: string }; stringData?: object }>;
    assert.deepEqual(
      docs.map((d) => `${d.kind}/${d.metadata.name}`),
      ['Secret/example-brigadedemo-secrets', 'Secret/example-brigadedemo-intake', 'Project/example-brigadedemo'],
    );
    const project = JSON.stringify(docs[2]);
    for (const value of SECRET_VALUES) assert.ok(!project.includes(value), `${value} is not in the Project`);
    // Every field is accounted for: those without an equivalent are named with the reason.
    assert.match(r.stderr, /vcsSidecar: not imported \(no equivalent: /);
    assert.match(r.stderr, /github\.token: not imported \(no equivalent: /);
    // As in Brigade 1, a project without defaultScript runs the repository's script, found at brigadejsPath.
    assert.match(r.stderr, /brigadejsPath -> spec\.repo\.scriptPath/);
    assert.match(r.stderr, /no defaultScript: each build runs the repository's brigade\.js/);
    assert.equal((docs[2] as { spec?: { repo?: { scriptPath?: string } } }).spec?.repo?.scriptPath, 'ci/brigade.js');
    assert.match(
      r.stderr,
      new RegExp(`namespace "elsewhere": not used \\(namespace ${cluster.namespace} was given\\)`),
    );
    assert.match(r.stderr, /dry run: nothing applied/);
    const get = await runTool('kubectl', [
      '--kubeconfig',
      cluster.kubeconfigPath,
      '-n',
      cluster.namespace,
      'get',
      'projects.brigade.sh',
      'example-brigadedemo',
    ]);
    assert.notEqual(get.code, 0, 'nothing was applied');
    // What it prints is what GitOps would apply: the API server takes it as it is.
    const applied = await runTool(
      'kubectl',
      ['--kubeconfig', cluster.kubeconfigPath, 'apply', '--dry-run=server', '-f', '-'],
      { input: r.stdout },
    );
    assert.equal(applied.code, 0, applied.stderr);
  });

  test('import applies the Project and its Secrets; applying again changes nothing', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await cli(cluster, ['project', 'import', valuesFile, '-n', cluster.namespace]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(`project example-brigadedemo applied in namespace ${cluster.namespace} with Secrets`),
      );
      for (const value of SECRET_VALUES) assert.ok(!(r.stdout + r.stderr).includes(value), `${value} is not printed`);
    }
    const project = await kubectlJson(cluster, 'get', 'projects.brigade.sh', 'example-brigadedemo', '-o', 'json');
    const { policy, ...spec } = project.spec as { policy: Record<string, unknown>; storage?: unknown };
    delete spec.storage; // defaulted by the CRD schema
    // The API server fills in the policy's defaults: nothing more is allowed than Brigade 1's values asked.
    assert.equal(policy.allowPrivileged, false);
    assert.deepEqual(spec, {
      repo: {
        name: 'github.com/example/brigadedemo',
        cloneURL: 'https://github.com/example/brigadedemo.git',
        scriptPath: 'ci/brigade.js',
      },
      secretRef: { name: 'example-brigadedemo-secrets' },
      gateways: {
        github: { enabled: true, secretKeyRef: { name: 'example-brigadedemo-intake', key: 'github' } },
      },
    });
    const secrets = await kubectlJson(cluster, 'get', 'secret', 'example-brigadedemo-secrets', '-o', 'json');
    assert.deepEqual(decoded(secrets), {
      DOCKER_USER: 'demoacr',
      DOCKER_PASS: 'pass-xyz-123',
      SLACK_WEBHOOK: 'https://hooks.example.com/services/T/B/xyz',
    });
    const intake = await kubectlJson(cluster, 'get', 'secret', 'example-brigadedemo-intake', '-o', 'json');
    assert.deepEqual(decoded(intake), { github: 'shared-0987987987' });
  });

  test('create takes every answer as a flag, generates the shared secret, and refuses a bad secret flag', async () => {
    const r = await cli(cluster, [
      'project',
      'create',
      '--repo',
      'github.com/example/flags',
      '--clone-url',
      'https://github.com/example/flags.git',
      '--secret',
      'TOKEN=t0ken-value',
      '--build-storage-size',
      '1Gi',
      '--allow-event-scripts',
      '-x',
      '-n',
      cluster.namespace,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const project = await kubectlJson(cluster, 'get', 'projects.brigade.sh', 'github-com-example-flags', '-o', 'json');
    const spec = project.spec as Record<string, Record<string, unknown>>;
    assert.equal(spec.repo.cloneURL, 'https://github.com/example/flags.git');
    assert.equal(spec.policy.allowEventScripts, true);
    assert.deepEqual(spec.storage, { enabled: true, size: '1Gi' });
    const intake = decoded(
      await kubectlJson(cluster, 'get', 'secret', 'github-com-example-flags-intake', '-o', 'json'),
    );
    assert.match(intake.github, /^[0-9a-f]{48}$/);
    assert.doesNotMatch(r.stdout + r.stderr, /t0ken-value/);
    const bad = await cli(cluster, ['project', 'create', 'x', '--secret', 'novalue', '-x']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--secret takes KEY=VALUE/);
  });

  test("create on a terminal asks brig project create's questions", async () => {
    const answers = [
      'github.com/example/asked', // repository
      'https://github.com/example/asked.git', // clone URL
      'y', // add secrets?
      'API_KEY',
      'k3y-value',
      'n', // another?
      'my-shared-secret', // GitHub shared secret
      '', // no webhook intake
      'n', // advanced options?
    ];
    const r = await cli(cluster, ['project', 'create', '--name', 'asked', '-n', cluster.namespace], {
      text: `${answers.join('\n')}\n`,
      tty: true,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /\? Full repository name/);
    assert.match(r.stderr, /\? Add secrets\? \(y\/N\)/);
    const project = await kubectlJson(cluster, 'get', 'projects.brigade.sh', 'asked', '-o', 'json');
    assert.equal((project.spec as { repo: { name: string } }).repo.name, 'github.com/example/asked');
    assert.deepEqual(decoded(await kubectlJson(cluster, 'get', 'secret', 'asked-secrets', '-o', 'json')), {
      API_KEY: 'k3y-value',
    });
    assert.deepEqual(decoded(await kubectlJson(cluster, 'get', 'secret', 'asked-intake', '-o', 'json')), {
      github: 'my-shared-secret',
    });
  });

  test('list, get and delete (which removes the Secrets it made)', async () => {
    const list = await cli(cluster, ['project', 'list', '-n', cluster.namespace]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^NAME\s+READY\s+HANDLERS\s+INTAKES$/m);
    assert.match(list.stdout, /^example-brigadedemo\s/m);
    const get = await cli(cluster, ['project', 'get', 'example-brigadedemo', '-n', cluster.namespace]);
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, /cloneURL: https:\/\/github.com\/example\/brigadedemo.git/);
    const del = await cli(cluster, ['project', 'delete', 'example-brigadedemo', '-n', cluster.namespace]);
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, /project example-brigadedemo deleted/);
    assert.match(del.stdout, /secret example-brigadedemo-secrets deleted/);
    const gone = await runTool('kubectl', [
      '--kubeconfig',
      cluster.kubeconfigPath,
      '-n',
      cluster.namespace,
      'get',
      'secret',
      'example-brigadedemo-intake',
    ]);
    assert.notEqual(gone.code, 0);
    const again = await cli(cluster, ['project', 'delete', 'example-brigadedemo', '-n', cluster.namespace]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /project example-brigadedemo not found/);
  });
});
