// Inputs and outputs of the Job CR -> batch/v1 translation.
import type { V1Job, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { Build, JobCR, Project } from '../api/types.ts';

export interface TranslateInput {
  /** The Job CR; metadata.name and namespace are required, metadata.uid makes it the child's owner. */
  job: JobCR;
  project: Project;
  build: Build;
}

/** Why a job was refused before anything was created. */
export type RefusalReason =
  /** The project's policy does not allow what the job asks for; the message names the policy field. */
  | 'PolicyViolation'
  /** The job is placed on the virtual node, which cannot provide a feature it asks for. */
  | 'UnsupportedOnVirtualNode'
  /** The job cannot be run as given (no image, nothing to run, ...). */
  | 'InvalidJob';

export interface Refusal {
  refused: true;
  reason: RefusalReason;
  message: string;
}

/** A PersistentVolumeClaim the job mounts; create it if absent (it is shared, never per job). */
export interface RequiredClaim {
  /** build: the build's shared storage, owned by the Build. cache: the job cache, owned by the Project. */
  purpose: 'build-storage' | 'cache';
  claim: V1PersistentVolumeClaim;
}

export interface Translation {
  refused: false;
  /** The child batch/v1 Job, owned by the Job CR when its uid was known. */
  batchJob: V1Job;
  /** Claims the pod mounts, to create before the batch Job when they do not exist yet. */
  claims: RequiredClaim[];
  /** Where the job actually runs, after burst fell back to regular nodes when it had to. */
  placement: 'regular' | 'virtual' | 'burst';
}

export type TranslateResult = Translation | Refusal;
