// Builders of Project, Build and Job CR objects for the translation tests (and other areas' tests).
import { API_VERSION } from '../api/constants.ts';
import type { Build, JobCR, JobSpec, Project, ProjectSpec } from '../api/types.ts';

export function project(spec: Partial<ProjectSpec> = {}, uid: string | null = 'uid-project'): Project {
  return {
    apiVersion: API_VERSION,
    kind: 'Project',
    metadata: { name: 'demo', namespace: 'ci', ...(uid ? { uid } : {}) },
    spec: { script: '', ...spec },
  };
}

export function build(overrides: Partial<Build['spec']> = {}): Build {
  return {
    apiVersion: API_VERSION,
    kind: 'Build',
    metadata: { name: 'demo-1', namespace: 'ci', uid: 'uid-build' },
    spec: {
      project: 'demo',
      event: 'demo-1',
      type: 'push',
      provider: 'github',
      script: '',
      scriptOrigin: 'project',
      ...overrides,
    },
  };
}

export function jobCr(spec: Partial<JobSpec> = {}, uid: string | null = 'uid-job'): JobCR {
  return {
    apiVersion: API_VERSION,
    kind: 'Job',
    metadata: { name: 'demo-1-test-0a1b2c3d', namespace: 'ci', ...(uid ? { uid } : {}) },
    spec: { project: 'demo', build: 'demo-1', name: 'test', image: 'alpine:3.20', tasks: ['echo hello'], ...spec },
  };
}
