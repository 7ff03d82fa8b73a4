import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API_VERSION } from './constants.ts';
import { validateAgainstSchema } from './validate.ts';
import type { BrigadeEvent, Build, JobCR, Project } from './types.ts';

const meta = { name: 'demo', namespace: 'default' };

const project: Project = {
  apiVersion: API_VERSION,
  kind: 'Project',
  metadata: meta,
  spec: {
    script: "const { events } = require('brigadier');",
    repo: { name: 'github.com/org/demo', cloneURL: 'https://github.com/org/demo.git', ref: 'refs/heads/main' },
    secretRef: { name: 'demo-secrets' },
    jobDefaults: {
      image: 'alpine:3.20',
      imagePullPolicy: 'IfNotPresent',
      serviceAccountName: 'brigade-worker',
      imagePullSecrets: ['registry'],
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '1G' } },
      host: {
        os: 'linux',
        nodeSelector: { pool: 'ci' },
        tolerations: [{ key: 'ci', operator: 'Exists' }],
        placement: 'burst',
      },
      timeoutSeconds: 600,
      ttlSecondsAfterFinished: 300,
    },
    policy: {
      allowPrivileged: false,
      allowDockerSocket: true,
      maxConcurrentBuilds: 2,
      maxConcurrentJobs: 10,
      buildTimeoutSeconds: 1800,
    },
    storage: { enabled: true, size: '1Gi', storageClassName: 'azurefile', cache: { storageClassName: 'default' } },
    gateways: {
      github: { enabled: true, secretKeyRef: { name: 'demo-secrets', key: 'githubSecret' } },
      webhook: { enabled: true, type: 'image_push', allowTypeOverride: false },
      cloudevents: { enabled: false },
    },
  },
  status: {
    observedGeneration: 3,
    conditions: [
      {
        type: 'Ready',
        status: 'False',
        reason: 'SyntaxError',
        message: 'brigade.js:3:7: unexpected token',
        lastTransitionTime: '2026-11-23T09:00:00Z',
      },
    ],
    handlers: ['push', 'exec'],
    handlersSummary: 'push,exec',
    lastBuild: 'demo-abc',
    buildCounts: { running: 1, queued: 0, succeeded: 4, failed: 1 },
  },
};

const event: BrigadeEvent = {
  apiVersion: API_VERSION,
  kind: 'Event',
  metadata: meta,
  spec: {
    project: 'demo',
    type: 'push',
    provider: 'github',
    revision: { commit: 'abc123', ref: 'refs/heads/main' },
    payload: '{}',
  },
  status: { phase: 'Accepted', build: 'demo' },
};

const build: Build = {
  apiVersion: API_VERSION,
  kind: 'Build',
  metadata: meta,
  spec: {
    project: 'demo',
    event: 'demo',
    type: 'push',
    provider: 'github',
    script: 'x',
    scriptOrigin: 'project',
    cancel: false,
  },
  status: {
    phase: 'Running',
    startTime: '2026-11-23T09:00:00Z',
    jobs: [{ name: 'test', jobRef: 'demo-test', phase: 'Running', startTime: '2026-11-23T09:00:01Z' }],
    jobsSummary: '0/1',
    duration: '12s',
    workerAttempts: 1,
    conditions: [{ type: 'Succeeded', status: 'Unknown', reason: 'Running' }],
  },
};

const job: JobCR = {
  apiVersion: API_VERSION,
  kind: 'Job',
  metadata: { name: 'demo-test', namespace: 'default' },
  spec: {
    project: 'demo',
    build: 'demo',
    name: 'test',
    image: 'node:24',
    tasks: ['npm ci', 'npm test'],
    shell: '/bin/bash',
    env: [
      { name: 'CI', value: 'true' },
      { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'demo-test-env', key: 'TOKEN' } } },
    ],
    host: { name: 'virtual-kubelet' },
    cache: { enabled: false, size: '5Mi', path: '/mnt/brigade/cache' },
    volumes: [{ name: 'scratch', emptyDir: {} }],
    volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
  },
  status: { phase: 'Succeeded', exitCode: 0, podName: 'demo-test-x7k2p', nodeName: 'virtual-kubelet', duration: '3s' },
};

test('realistic objects of every kind are valid', () => {
  assert.deepEqual(validateAgainstSchema('Project', project), { valid: true, errors: [] });
  assert.deepEqual(validateAgainstSchema('Event', event), { valid: true, errors: [] });
  assert.deepEqual(validateAgainstSchema('Build', build), { valid: true, errors: [] });
  assert.deepEqual(validateAgainstSchema('Job', job), { valid: true, errors: [] });
});

test('an object without spec is invalid', () => {
  const { spec: _spec, ...bare } = event;
  assert.deepEqual(validateAgainstSchema('Event', bare).errors, ["/: must have required property 'spec'"]);
});

test('names that become object names must be DNS-1123', () => {
  const bad = { ...event, spec: { ...event.spec, project: 'Not_A_Name' } };
  assert.deepEqual(validateAgainstSchema('Event', bad).errors, [
    '/spec/project: must match pattern "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"',
  ]);
  const longJob = { ...job, spec: { ...job.spec, name: 'a'.repeat(64) } };
  assert.deepEqual(validateAgainstSchema('Job', longJob).errors, ['/spec/name: must NOT have more than 63 characters']);
});

test('phases and placement are enums, and a shell is one word', () => {
  const errors = [
    ...validateAgainstSchema('Build', { ...build, status: { phase: 'Done' } }).errors,
    ...validateAgainstSchema('Job', { ...job, spec: { ...job.spec, shell: 'bash -x', host: { placement: 'cloud' } } })
      .errors,
    ...validateAgainstSchema('Event', { ...event, status: { phase: 'Running' } }).errors,
  ];
  assert.deepEqual(errors, [
    '/status/phase: must be equal to one of the allowed values',
    '/spec/shell: must match pattern "^[^\\s]+$"',
    '/spec/host/placement: must be equal to one of the allowed values',
    '/status/phase: must be equal to one of the allowed values',
  ]);
});

test('resource quantities are checked', () => {
  const bad = { ...job, spec: { ...job.spec, resources: { requests: { cpu: 'lots' } } } };
  assert.equal(
    validateAgainstSchema('Job', bad).errors[0],
    '/spec/resources/requests/cpu: must match pattern "' +
      String.raw`^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$` +
      '"',
  );
});

test('a Build needs its project; the snapshot fields are checked by a CEL rule (crds-sim.test.ts)', () => {
  const { project: _p, ...rest } = build.spec;
  assert.deepEqual(validateAgainstSchema('Build', { ...build, spec: rest }).errors, [
    "/spec: must have required property 'project'",
  ]);
});

test('volumes are passed through as given (preserve-unknown)', () => {
  const withHostPath = {
    ...job,
    spec: { ...job.spec, volumes: [{ name: 'h', hostPath: { path: '/var/lib', type: 'Directory' } }] },
  };
  assert.equal(validateAgainstSchema('Job', withHostPath).valid, true);
});

test('secret values cannot hide in gateway config: only a reference to a Secret key is accepted', () => {
  const bad = {
    ...project,
    spec: { ...project.spec, gateways: { github: { enabled: true, secretKeyRef: { name: 'x' } } } },
  };
  assert.deepEqual(validateAgainstSchema('Project', bad).errors, [
    "/spec/gateways/github/secretKeyRef: must have required property 'key'",
  ]);
});
