// Checks made before anything is created: what the project's policy forbids, what the virtual node
// cannot do, and jobs that cannot run at all. Every refusal message names the job and the field.
import { IMAGE_REFERENCE, IMAGE_REFERENCE_HINT } from '../api/schema-kit.ts';
import type { JobSpec, Project, ProjectPolicy } from '../api/types.ts';
import { accessViolations } from './access.ts';
import { usesImageEntrypoint } from './command.ts';
import type { EffectiveJob } from './effective.ts';
import type { Placement } from './placement.ts';
import type { Refusal } from './types.ts';

type Volume = Record<string, unknown>;

function volumeName(volume: Volume): string {
  return typeof volume.name === 'string' ? volume.name : '(unnamed)';
}

function hasDownwardApiProjection(volume: Volume): boolean {
  const projected = volume.projected as { sources?: Array<Record<string, unknown>> } | undefined;
  return (projected?.sources ?? []).some((source) => source.downwardAPI !== undefined);
}

/**
 * A job that runs its image's own entrypoint (no tasks, no command) needs a full node when it has
 * args (ACI accepts args only together with command) or clones its source (on the virtual node the
 * job container clones, which needs a command to run before the entrypoint nobody knows).
 */
function entrypointFeatures(eff: EffectiveJob, project: Project): string[] {
  if (!usesImageEntrypoint(eff)) return [];
  const features: string[] = [];
  if ((eff.spec.args ?? []).length > 0) {
    features.push(
      "args without command (the image's own entrypoint with args: Azure Container Instances accepts args only together with command)",
    );
  }
  if (eff.useSource && project.spec.repo?.cloneURL) {
    features.push("cloning the source before the image's own entrypoint (useSource: needs an init container)");
  }
  return features;
}

/** The features of the job that only a full node provides (none of them work on virtual-kubelet/ACI). */
export function fullNodeFeatures(eff: EffectiveJob, project: Project): string[] {
  const spec = eff.spec;
  const features: string[] = entrypointFeatures(eff, project);
  if (spec.privileged) features.push('a privileged container (privileged)');
  if (spec.storage?.enabled) features.push('build storage (storage.enabled: a PersistentVolumeClaim)');
  if (spec.cache?.enabled) features.push('a job cache (cache.enabled: a PersistentVolumeClaim)');
  if (spec.docker?.enabled) features.push('the docker socket (docker.enabled: a hostPath volume)');
  for (const volume of (spec.volumes ?? []) as Volume[]) {
    const name = volumeName(volume);
    if (volume.hostPath !== undefined) features.push(`hostPath volume "${name}"`);
    if (volume.persistentVolumeClaim !== undefined) features.push(`persistentVolumeClaim volume "${name}"`);
    if (volume.downwardAPI !== undefined) features.push(`downwardAPI volume "${name}"`);
    if (hasDownwardApiProjection(volume)) features.push(`downwardAPI projection in volume "${name}"`);
  }
  return features;
}

function allowedBy(feature: string, field: string, brigade1 = ''): string {
  return `${feature} (set ${field}: true on the Project to allow it${brigade1})`;
}

/** The job's hostPath volumes, unless the policy allows host mounts. */
function hostMountViolations(spec: JobSpec, policy: ProjectPolicy | undefined): string[] {
  const violations: string[] = [];
  for (const volume of (spec.volumes ?? []) as Volume[]) {
    if (volume.hostPath !== undefined && !policy?.allowHostMounts) {
      violations.push(allowedBy(`hostPath volume "${volumeName(volume)}"`, 'spec.policy.allowHostMounts'));
    }
  }
  return violations;
}

/**
 * What the job asks for that the project's policy does not allow, each with the Project field that
 * allows it. These are secure defaults where Brigade 1 differed (it allowed privileged jobs and
 * created build storage for every build), so the message says how to get Brigade 1's behaviour.
 */
function policyViolations(eff: EffectiveJob, project: Project): string[] {
  const policy = project.spec.policy;
  const spec = eff.spec;
  const violations: string[] = [];
  if (spec.privileged && !policy?.allowPrivileged) {
    violations.push(
      allowedBy('a privileged container', 'spec.policy.allowPrivileged', '; Brigade 1 allowed it by default'),
    );
  }
  if (spec.docker?.enabled && !policy?.allowDockerSocket)
    violations.push(allowedBy('the docker socket', 'spec.policy.allowDockerSocket'));
  violations.push(...hostMountViolations(spec, policy));
  if (spec.storage?.enabled && !project.spec.storage?.enabled) {
    violations.push(allowedBy('build storage', 'spec.storage.enabled', '; Brigade 1 created it for every build'));
  }
  return [...violations, ...accessViolations(eff, project)];
}

const IMAGE_PATTERN = new RegExp(IMAGE_REFERENCE);

function invalidJobMessage(eff: EffectiveJob, project: Project): string | undefined {
  const spec = eff.spec;
  const job = `job "${spec.name}"`;
  if (!eff.image) return `${job} has no image, and project "${project.metadata.name}" sets no spec.jobDefaults.image`;
  if (!IMAGE_PATTERN.test(eff.image)) {
    const field = spec.image === undefined ? `the project's spec.jobDefaults.image` : 'its image';
    return `${job} has an invalid image "${eff.image}" (${field}): ${IMAGE_REFERENCE_HINT}`;
  }
  const hasTasks = (spec.tasks ?? []).length > 0;
  const hasCommand = (spec.command ?? []).length > 0;
  if (hasTasks && hasCommand) return `${job} sets both tasks and command; set one of them`;
  return undefined;
}

/** The refusal for this job, or undefined when it may be created. */
export function refusalFor(eff: EffectiveJob, project: Project, placement: Placement): Refusal | undefined {
  const invalid = invalidJobMessage(eff, project);
  if (invalid) return { refused: true, reason: 'InvalidJob', message: invalid };
  const violations = policyViolations(eff, project);
  if (violations.length > 0) {
    return {
      refused: true,
      reason: 'PolicyViolation',
      message: `job "${eff.spec.name}" asks for what project "${project.metadata.name}" does not allow: ${violations.join(', ')}`,
    };
  }
  const unsupported = placement === 'virtual' ? fullNodeFeatures(eff, project) : [];
  if (unsupported.length > 0) {
    return {
      refused: true,
      reason: 'UnsupportedOnVirtualNode',
      message: `job "${eff.spec.name}" is placed on the virtual node, which cannot provide ${unsupported.join(', ')}; run it on regular nodes or drop ${unsupported.length === 1 ? 'it' : 'them'}`,
    };
  }
  return undefined;
}
