// Rerun of a finished build: the Build that asks for one (spec.project + spec.rerunOf), how the
// operator completes it from the original, and the checks that refuse it. Pure.
import { API_VERSION, KINDS, LABELS, MANAGED_BY } from './constants.ts';
import { labelSafeName } from './names.ts';
import type { Build, BuildRerunOf, BuildSpec, BuildSpecRequest, BrigadeEvent } from './types.ts';
import { TERMINAL_BUILD_PHASES } from './types.ts';

const RERUN_OF_LABEL = LABELS.rerunOf;

/** Room left in a generated name for the API server's 5 random characters. */
const GENERATED_SUFFIX = 5;
const RERUN_INFIX = '-rerun-';

/**
 * A rerun Build whose snapshot the operator has not copied in yet (scriptOrigin is in every
 * snapshot; script is not while a repository script is being fetched).
 */
export function isRerunRequest(build: { spec: BuildSpecRequest }): boolean {
  return build.spec.rerunOf !== undefined && build.spec.scriptOrigin === undefined;
}

/** The Build that asks for a rerun of `original`; the API server picks the name (generateName). */
export function rerunRequest(original: Build, options: { all?: boolean } = {}): Build {
  const name = original.metadata.name ?? '';
  const prefix = labelSafeName(name, 63 - RERUN_INFIX.length - GENERATED_SUFFIX);
  const request: { apiVersion: string; kind: string; metadata: Build['metadata']; spec: BuildSpecRequest } = {
    apiVersion: API_VERSION,
    kind: KINDS.Build.kind,
    metadata: {
      generateName: `${prefix}${RERUN_INFIX}`,
      namespace: original.metadata.namespace,
      labels: { [LABELS.project]: labelSafeName(original.spec.project), [RERUN_OF_LABEL]: labelSafeName(name) },
    },
    spec: { project: original.spec.project, rerunOf: { build: name, ...(options.all ? { all: true } : {}) } },
  };
  // A request is a Build without its snapshot: what the API accepts, and what the operator completes.
  return request as Build;
}

/** Why a rerun of `original` cannot be made, or undefined when it can. */
export function rerunRefusal(
  request: { spec: BuildSpecRequest },
  original: Build | undefined,
): { reason: string; message: string } | undefined {
  const rerunOf: BuildRerunOf | undefined = request.spec.rerunOf;
  if (!rerunOf) return { reason: 'NotARerun', message: 'the build has no spec.rerunOf' };
  if (!original || original.metadata.deletionTimestamp)
    return { reason: 'RerunOfNotFound', message: `build ${rerunOf.build} does not exist` };
  if (original.spec.project !== request.spec.project)
    return {
      reason: 'RerunOfOtherProject',
      message: `build ${rerunOf.build} belongs to project ${original.spec.project}, not ${request.spec.project}`,
    };
  if (isRerunRequest(original))
    return { reason: 'RerunOfNotStarted', message: `build ${rerunOf.build} is a rerun that has not started yet` };
  const phase = original.status?.phase;
  if (!phase || !TERMINAL_BUILD_PHASES.includes(phase))
    return {
      reason: 'RerunOfNotFinished',
      message: `build ${rerunOf.build} has not finished (phase ${phase ?? 'Pending'}); rerun it once it has`,
    };
  return undefined;
}

/**
 * A rerun whose spec already holds a snapshot that is not the original's: refused, so a rerun never
 * runs a script other than the one the original ran (its jobs' results would be reused for it).
 */
export function snapshotMismatch(build: Build, original: Build): string | undefined {
  for (const field of SNAPSHOT_FIELDS)
    if (JSON.stringify(build.spec[field]) !== JSON.stringify(original.spec[field]))
      return `spec.${field} differs from build ${original.metadata.name ?? ''}'s; a rerun takes its snapshot from the original (leave it unset)`;
  return undefined;
}

/** The snapshot fields a rerun copies from its original. */
const SNAPSHOT_FIELDS = [
  'event',
  'type',
  'provider',
  'revision',
  'payload',
  'script',
  'files',
  'dependencies',
  'scriptOrigin',
  'scriptCommit',
] as const satisfies readonly (keyof BuildSpec)[];

/**
 * The merge patch that completes a rerun request from its original: the original's snapshot, its
 * Event as the owner (deleting the Event deletes every build of it) and the lookup labels.
 */
export function completedRerun(
  request: Build,
  original: Build,
  event: BrigadeEvent | undefined,
): { metadata: Partial<Build['metadata']>; spec: Partial<BuildSpec> } {
  const spec: Partial<BuildSpec> = {};
  for (const field of SNAPSHOT_FIELDS) {
    const value = original.spec[field];
    if (value !== undefined) Object.assign(spec, { [field]: structuredClone(value) });
  }
  const owners = event?.metadata.uid
    ? [
        {
          apiVersion: API_VERSION,
          kind: KINDS.Event.kind,
          name: event.metadata.name ?? '',
          uid: event.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]
    : undefined;
  return {
    metadata: {
      labels: {
        ...request.metadata.labels,
        [LABELS.project]: labelSafeName(original.spec.project),
        [LABELS.event]: labelSafeName(original.spec.event),
        [RERUN_OF_LABEL]: labelSafeName(original.metadata.name ?? ''),
        [LABELS.managedBy]: MANAGED_BY,
      },
      ...(owners ? { ownerReferences: owners } : {}),
    },
    spec,
  };
}
