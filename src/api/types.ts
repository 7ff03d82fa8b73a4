// The TypeScript types of the brigade.sh/v1alpha1 resources. They are derived (Static<>) from the
// schemas the CRDs embed, so the types and what the API server validates cannot drift apart.
import type { Static } from '@sinclair/typebox';
import type {
  BuildJobSummarySchema,
  BuildSpecSchema,
  BuildStatusSchema,
  BUILD_PHASES,
  SCRIPT_ORIGINS,
} from './build-schema.ts';
import type { EventSpecSchema, EventStatusSchema, EVENT_PHASES } from './event-schema.ts';
import type { EnvVarSchema, JobSpecSchema, JobStatusSchema, JOB_PHASES } from './job-schema.ts';
import type {
  DependencyLockSchema,
  GatewaysSchema,
  HistorySchema,
  JobDefaultsSchema,
  LockedPackageSchema,
  PolicySchema,
  ProjectBuildCountsSchema,
  ProjectSpecSchema,
  ProjectStatusSchema,
  StorageSchema,
} from './project-schema.ts';

export type {
  Condition,
  ConditionStatus,
  Host,
  KeySelector,
  LocalObjectReference,
  Placement,
  Resources,
  Revision,
  Toleration,
} from './common-schemas.ts';
export type { Shell } from './defaults.ts';

/** Object metadata as the operator reads and writes it (a subset of metav1.ObjectMeta). */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** A custom resource of this API: apiVersion brigade.sh/v1alpha1. */
export interface Resource<K extends string, Spec, Status> {
  apiVersion: string;
  kind: K;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}

export type ProjectSpec = Static<typeof ProjectSpecSchema>;
export type ProjectStatus = Static<typeof ProjectStatusSchema>;
export type JobDefaults = Static<typeof JobDefaultsSchema>;
export type ProjectPolicy = Static<typeof PolicySchema>;
export type ProjectStorage = Static<typeof StorageSchema>;
export type ProjectGateways = Static<typeof GatewaysSchema>;
export type ProjectHistory = Static<typeof HistorySchema>;
export type ProjectBuildCounts = Static<typeof ProjectBuildCountsSchema>;
export type Project = Resource<'Project', ProjectSpec, ProjectStatus>;
export type DependencyLock = Static<typeof DependencyLockSchema>;
export type LockedPackage = Static<typeof LockedPackageSchema>;

export type EventPhase = (typeof EVENT_PHASES)[number];
export type EventSpec = Static<typeof EventSpecSchema>;
export type EventStatus = Static<typeof EventStatusSchema>;
export type BrigadeEvent = Resource<'Event', EventSpec, EventStatus>;
/** Same as BrigadeEvent (events.brigade.sh, not a core/v1 Event). */
export type EventCR = BrigadeEvent;

export type BuildPhase = (typeof BUILD_PHASES)[number];
export type ScriptOrigin = (typeof SCRIPT_ORIGINS)[number];
/** A Build's spec as the API server accepts it: a rerun request may hold only project and rerunOf. */
export type BuildSpecRequest = Static<typeof BuildSpecSchema>;
/**
 * A Build's spec with its snapshot in place, which is what every Build is except a rerun request the
 * operator has not completed yet (see isRerunRequest in api/rerun.ts: the Build controller completes
 * it before anything else reads it). `script` is absent only while a repository script is fetched.
 */
export type BuildSpec = BuildSpecRequest &
  Required<Pick<BuildSpecRequest, 'event' | 'type' | 'provider' | 'scriptOrigin'>>;
export type BuildRerunOf = NonNullable<BuildSpecRequest['rerunOf']>;
export type BuildStatus = Static<typeof BuildStatusSchema>;
export type BuildJobSummary = Static<typeof BuildJobSummarySchema>;
export type Build = Resource<'Build', BuildSpec, BuildStatus>;

export type JobPhase = (typeof JOB_PHASES)[number];
export type JobSpec = Static<typeof JobSpecSchema>;
export type JobStatus = Static<typeof JobStatusSchema>;
export type EnvVar = Static<typeof EnvVarSchema>;
/** The Job custom resource (jobs.brigade.sh), not a batch/v1 Job. */
export type JobCR = Resource<'Job', JobSpec, JobStatus>;

export type AnyBrigadeResource = Project | BrigadeEvent | Build | JobCR;

/** Phases after which nothing changes any more. */
export const TERMINAL_BUILD_PHASES: readonly BuildPhase[] = ['Succeeded', 'Failed', 'TimedOut', 'Cancelled'];
export const TERMINAL_JOB_PHASES: readonly JobPhase[] = ['Succeeded', 'Failed', 'TimedOut', 'Cancelled'];
