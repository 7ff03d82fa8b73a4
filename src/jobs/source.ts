// Cloning the project's repository into the job's mountPath. On regular nodes an init container
// clones into an emptyDir the job container mounts; virtual nodes may not run init containers, so
// there (and for burst jobs, which may land there) the job container clones before its tasks, which
// needs git in the job image.
import type { V1Container, V1EnvVar } from '@kubernetes/client-node';
import { DEFAULTS } from '../api/defaults.ts';
import type { Build, Project } from '../api/types.ts';
import type { EffectiveJob } from './effective.ts';

export const SOURCE_VOLUME = 'brigade-source';
export const CLONE_CONTAINER = 'clone';

/**
 * Values reach the script through the environment, never by pasting them into the script, so a
 * ref or URL cannot inject shell. The subshell keeps `cd` from changing the tasks' directory.
 */
export const CLONE_SCRIPT = [
  '(',
  '  git clone --quiet --no-checkout -- "$BRIGADE_REMOTE_URL" "$BRIGADE_WORKSPACE"',
  '  cd "$BRIGADE_WORKSPACE"',
  '  if [ -n "$BRIGADE_COMMIT_REF" ]; then git fetch --quiet origin "$BRIGADE_COMMIT_REF"; fi',
  '  if [ -n "$BRIGADE_COMMIT_ID" ]; then git checkout --quiet --detach "$BRIGADE_COMMIT_ID"',
  '  elif [ -n "$BRIGADE_COMMIT_REF" ]; then git checkout --quiet --detach FETCH_HEAD',
  '  else git checkout --quiet',
  '  fi',
  ')',
].join('\n');

/**
 * The clone as the job container runs it (virtual and burst placement): the job image may lack
 * git, which must fail with a message that says what to do rather than "git: not found".
 */
export const INLINE_CLONE_SCRIPT = [
  'if ! command -v git >/dev/null 2>&1; then',
  '  echo "brigade: this job clones its source itself (virtual-node placement), so its image needs git; use an image with git or set useSource to false" >&2',
  '  exit 127',
  'fi',
  CLONE_SCRIPT,
].join('\n');

export type SourceMode = 'none' | 'init-container' | 'inline';

export interface SourcePlan {
  mode: SourceMode;
  /** Env the cloning container needs (and that tells the tasks where the source came from). */
  env: V1EnvVar[];
}

export function sourcePlan(eff: EffectiveJob, project: Project, build: Build, onRegularNodesOnly: boolean): SourcePlan {
  const cloneURL = project.spec.repo?.cloneURL;
  if (!eff.useSource || !cloneURL) return { mode: 'none', env: [] };
  const revision = build.spec.revision;
  const env: V1EnvVar[] = [
    { name: 'BRIGADE_REMOTE_URL', value: cloneURL },
    // An event that named only a ref: the commit the build's script was fetched from (repository
    // scripts), so the jobs see the code the script was written for even if the ref moved since.
    { name: 'BRIGADE_COMMIT_ID', value: revision?.commit ?? build.spec.scriptCommit ?? '' },
    { name: 'BRIGADE_COMMIT_REF', value: revision?.ref ?? project.spec.repo?.ref ?? '' },
    { name: 'BRIGADE_WORKSPACE', value: eff.mountPath },
  ];
  return { mode: onRegularNodesOnly ? 'init-container' : 'inline', env };
}

/** The init container that clones on regular nodes. */
export function cloneInitContainer(plan: SourcePlan, eff: EffectiveJob): V1Container {
  return {
    name: CLONE_CONTAINER,
    image: DEFAULTS.gitImage,
    command: ['/bin/sh', '-c', `set -e\n${CLONE_SCRIPT}`],
    env: plan.env,
    volumeMounts: [{ name: SOURCE_VOLUME, mountPath: eff.mountPath }],
  };
}
