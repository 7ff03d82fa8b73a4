// One source of truth for the API group, versions, kinds, plurals and the label/annotation keys the
// operator puts on what it creates. Everything else imports these names.

export const GROUP = 'brigade.sh';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const CATEGORY = 'brigade';

export const KINDS = {
  Project: { kind: 'Project', plural: 'projects', singular: 'project', shortNames: ['proj', 'bproj'] },
  Event: { kind: 'Event', plural: 'events', singular: 'event', shortNames: ['bev', 'brigadeevent'] },
  Build: { kind: 'Build', plural: 'builds', singular: 'build', shortNames: ['bb'] },
  Job: { kind: 'Job', plural: 'jobs', singular: 'job', shortNames: ['bjob', 'brigadejob'] },
} as const;

export type BrigadeKind = keyof typeof KINDS;

/** Labels on every object the operator creates, so children can be found by selector. */
export const LABELS = {
  project: `${GROUP}/project`,
  event: `${GROUP}/event`,
  build: `${GROUP}/build`,
  job: `${GROUP}/job`,
  /** On a rerun: the build it runs again. */
  rerunOf: `${GROUP}/rerun-of`,
  component: `${GROUP}/component`,
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

export const MANAGED_BY = 'brigade-operator';
