// Layering of brigade-operator (checked in CI by `npm run lint:layers`):
//   cli, gateway, dashboard -> controller -> script, jobs, npm, archive -> kube -> util;  api is shared by all
//   (archive, object storage for job logs, uses no Kubernetes: it stands beside kube).
// src/sim (the Kubernetes simulator) and src/localcluster (the real local control plane) are for tests
// and dev mode only: the operator never imports them, and they import nothing of the operator.
const layer = (name, mayNotReach, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: `^src/(${mayNotReach.join('|')})(/|\\.ts$)` },
});

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'operator-does-not-use-sim',
      comment: 'Only the CLI (for dev mode and the sim command) may start the simulator.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(sim|cli)/' },
      to: { path: '^src/sim/' },
    },
    {
      name: 'sim-is-self-contained',
      comment: 'The simulator stands alone so it could be lifted out; it may only share generic utilities.',
      severity: 'error',
      from: { path: '^src/sim/' },
      to: { path: '^src/', pathNot: '^src/(sim|util)/' },
    },
    {
      name: 'operator-does-not-use-localcluster',
      comment: 'The real local control plane is for tests, the cluster command and dev mode only.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(localcluster|cli)/' },
      to: { path: '^src/localcluster/' },
    },
    {
      name: 'localcluster-is-self-contained',
      comment: 'The local control plane harness knows nothing of the operator; it may share generic utilities.',
      severity: 'error',
      from: { path: '^src/localcluster/' },
      to: { path: '^src/', pathNot: '^src/(localcluster|util)/' },
    },
    layer(
      'util',
      ['api', 'archive', 'kube', 'npm', 'script', 'jobs', 'controller', 'gateway', 'dashboard', 'cli', 'operator'],
      'util is the bottom layer',
    ),
    layer(
      'api',
      ['archive', 'kube', 'npm', 'script', 'jobs', 'controller', 'gateway', 'dashboard', 'cli', 'operator'],
      'api types are shared by all and depend on nothing',
    ),
    layer(
      'npm',
      ['archive', 'kube', 'script', 'jobs', 'controller', 'gateway', 'dashboard', 'cli', 'operator'],
      'npm fetches packages only',
    ),
    layer(
      'archive',
      ['api', 'kube', 'npm', 'script', 'jobs', 'controller', 'gateway', 'dashboard', 'cli', 'operator'],
      'the log archive stores text in object storage and knows nothing of Kubernetes',
    ),
    layer(
      'kube',
      ['archive', 'npm', 'script', 'jobs', 'controller', 'gateway', 'dashboard', 'cli', 'operator'],
      'kube wraps the client only',
    ),
    layer(
      'script',
      ['archive', 'kube', 'npm', 'jobs', 'controller', 'gateway', 'dashboard', 'cli', 'operator'],
      'the sandbox knows nothing of Kubernetes',
    ),
    layer(
      'jobs',
      ['archive', 'script', 'controller', 'gateway', 'dashboard', 'cli', 'operator'],
      'translation is pure',
    ),
    layer('controller', ['gateway', 'dashboard', 'cli'], 'controllers do not know their callers'),
    layer('gateway', ['dashboard', 'cli'], 'the gateway is embeddable without the CLI'),
    layer(
      'dashboard',
      ['gateway', 'cli', 'operator'],
      'the dashboard reads caches and serves pages; it starts nothing else',
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
