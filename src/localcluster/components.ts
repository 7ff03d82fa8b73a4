// Command lines of the control-plane components, as pure functions of the layout and ports, so the
// flags can be read (and tested) in one place. The recipes follow envtest and hack/local-up-cluster.sh;
// docs/real-cluster.md says why each non-default flag is set.
import { join } from 'node:path';

export const NODE_NAMES = ['node-1', 'virtual-kubelet'] as const;
export const SERVICE_CIDR = '10.0.0.0/24';
export const SERVICE_IP = '10.0.0.1';
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
  node1: number;
  virtualKubelet: number;
}

export const PORT_NAMES: ReadonlyArray<keyof Ports> = [
  'etcdClient',
  'etcdPeer',
  'apiserver',
  'controllerManager',
  'scheduler',
  'node1',
  'virtualKubelet',
];

export interface Layout {
  dir: string;
  pki: string;
  logs: string;
  etcdData: string;
  nodeState: string;
  hostPathVolumes: string;
}

export function layoutOf(dir: string): Layout {
  return {
    dir,
    pki: join(dir, 'pki'),
    logs: join(dir, 'logs'),
    etcdData: join(dir, 'etcd'),
    nodeState: join(dir, 'nodes'),
    hostPathVolumes: join(dir, 'volumes'),
  };
}

export function apiServerURL(ports: Ports): string {
  return `https://127.0.0.1:${ports.apiserver}`;
}

export function pkiArgs(l: Layout, ports: Ports): string[] {
  return [
    'pki',
    '--dir',
    l.pki,
    '--apiserver-url',
    apiServerURL(ports),
    '--service-ip',
    SERVICE_IP,
    ...NODE_NAMES.flatMap((n) => ['--node', n]),
  ];
}

export function etcdArgs(l: Layout, ports: Ports): string[] {
  const client = `http://127.0.0.1:${ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  return [
    'etcd',
    '--name',
    'default',
    '--data-dir',
    l.etcdData,
    '--listen-client-urls',
    client,
    '--advertise-client-urls',
    client,
    '--listen-peer-urls',
    peer,
    '--initial-advertise-peer-urls',
    peer,
    '--initial-cluster',
    `default=${peer}`,
    '--initial-cluster-state',
    'new',
    // A throw-away test cluster: durability is not worth an fsync per write.
    '--unsafe-no-fsync',
    '--log-level',
    'warn',
  ];
}

export function apiServerArgs(l: Layout, ports: Ports): string[] {
  const pki = (f: string): string => join(l.pki, f);
  return [
    'kube-apiserver',
    '--etcd-servers',
    `http://127.0.0.1:${ports.etcdClient}`,
    '--bind-address',
    '127.0.0.1',
    '--advertise-address',
    '127.0.0.1',
    '--secure-port',
    String(ports.apiserver),
    '--cert-dir',
    join(l.dir, 'apiserver'),
    '--tls-cert-file',
    pki('apiserver.crt'),
    '--tls-private-key-file',
    pki('apiserver.key'),
    '--client-ca-file',
    pki('ca.crt'),
    '--service-account-issuer',
    SERVICE_ACCOUNT_ISSUER,
    '--service-account-key-file',
    pki('sa.pub'),
    '--service-account-signing-key-file',
    pki('sa.key'),
    '--service-cluster-ip-range',
    SERVICE_CIDR,
    '--authorization-mode',
    'Node,RBAC',
    '--enable-admission-plugins',
    'NodeRestriction',
    '--allow-privileged=true',
    '--kubelet-client-certificate',
    pki('apiserver-kubelet-client.crt'),
    '--kubelet-client-key',
    pki('apiserver-kubelet-client.key'),
    '--kubelet-certificate-authority',
    pki('ca.crt'),
    '--kubelet-preferred-address-types',
    'InternalIP',
    // Request-header authentication as kubeadm sets it up, so the extension-apiserver-authentication
    // ConfigMap is complete and the controller manager and scheduler can authenticate delegated calls.
    '--requestheader-client-ca-file',
    pki('ca.crt'),
    '--requestheader-allowed-names',
    'front-proxy-client',
    '--requestheader-username-headers',
    'X-Remote-User',
    '--requestheader-group-headers',
    'X-Remote-Group',
    '--requestheader-extra-headers-prefix',
    'X-Remote-Extra-',
    '--proxy-client-cert-file',
    pki('front-proxy-client.crt'),
    '--proxy-client-key-file',
    pki('front-proxy-client.key'),
    // The only address is loopback, which Endpoints validation refuses for the kubernetes Service.
    '--endpoint-reconciler-type',
    'none',
    '--profiling=false',
    // Who did what, at metadata level, for the service accounts of brigade-system only: the test run
    // compares what the operator's ServiceAccount used with what config/rbac grants it.
    '--audit-policy-file',
    join(l.dir, 'audit-policy.yaml'),
    '--audit-log-path',
    join(l.logs, 'audit.log'),
    '--audit-log-format',
    'json',
    '--v',
    '1',
  ];
}

export const AUDIT_POLICY = [
  'apiVersion: audit.k8s.io/v1',
  'kind: Policy',
  'omitStages: [RequestReceived]',
  'rules:',
  '  - level: Metadata',
  '    userGroups: ["system:serviceaccounts:brigade-system"]',
  '  - level: None',
  '',
].join('\n');

export function controllerManagerArgs(l: Layout, ports: Ports): string[] {
  const pki = (f: string): string => join(l.pki, f);
  const kubeconfig = pki('controller-manager.kubeconfig');
  return [
    'kube-controller-manager',
    '--kubeconfig',
    kubeconfig,
    '--authentication-kubeconfig',
    kubeconfig,
    '--authorization-kubeconfig',
    kubeconfig,
    '--bind-address',
    '127.0.0.1',
    '--secure-port',
    String(ports.controllerManager),
    '--cert-dir',
    join(l.dir, 'controller-manager'),
    '--leader-elect=false',
    '--controllers',
    '*',
    '--use-service-account-credentials',
    '--service-account-private-key-file',
    pki('sa.key'),
    '--root-ca-file',
    pki('ca.crt'),
    '--cluster-signing-cert-file',
    pki('ca.crt'),
    '--cluster-signing-key-file',
    pki('ca.key'),
    // Upstream's in-tree hostPath provisioner binds and deletes PersistentVolumes for PVCs of the
    // `standard` StorageClass: the binder and provisioner are the real ones, the storage a directory.
    '--enable-hostpath-provisioner',
    '--v',
    '1',
  ];
}

export function schedulerConfig(l: Layout): string {
  return [
    'apiVersion: kubescheduler.config.k8s.io/v1',
    'kind: KubeSchedulerConfiguration',
    'clientConnection:',
    `  kubeconfig: ${JSON.stringify(join(l.pki, 'scheduler.kubeconfig'))}`,
    'leaderElection:',
    '  leaderElect: false',
    '',
  ].join('\n');
}

export function schedulerArgs(l: Layout, ports: Ports): string[] {
  const kubeconfig = join(l.pki, 'scheduler.kubeconfig');
  return [
    'kube-scheduler',
    '--config',
    join(l.dir, 'scheduler.yaml'),
    '--authentication-kubeconfig',
    kubeconfig,
    '--authorization-kubeconfig',
    kubeconfig,
    '--bind-address',
    '127.0.0.1',
    '--secure-port',
    String(ports.scheduler),
    '--cert-dir',
    join(l.dir, 'scheduler'),
    '--v',
    '1',
  ];
}

export interface NodeAgentConfig {
  /** Labels NodeRestriction forbids a node to set on itself (kubernetes.io/role) are applied with it. */
  adminKubeconfig: string;
  apiserver: { host: string; port: number };
  tls: { certFile: string; keyFile: string; clientCAFile: string };
  imageStore: string;
  imageConfig: string;
  stateDir: string;
  nodes: Array<{ name: string; kind: 'regular' | 'aci'; kubeconfig: string; port: number }>;
}

export function nodeAgentConfig(l: Layout, ports: Ports, images: { store: string; config: string }): NodeAgentConfig {
  const pki = (f: string): string => join(l.pki, f);
  return {
    adminKubeconfig: pki('admin.kubeconfig'),
    apiserver: { host: '127.0.0.1', port: ports.apiserver },
    tls: { certFile: pki('kubelet-serving.crt'), keyFile: pki('kubelet-serving.key'), clientCAFile: pki('ca.crt') },
    imageStore: images.store,
    imageConfig: images.config,
    stateDir: l.nodeState,
    nodes: [
      { name: 'node-1', kind: 'regular', kubeconfig: pki('node-1.kubeconfig'), port: ports.node1 },
      {
        name: 'virtual-kubelet',
        kind: 'aci',
        kubeconfig: pki('virtual-kubelet.kubeconfig'),
        port: ports.virtualKubelet,
      },
    ],
  };
}
