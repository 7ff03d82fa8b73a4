// The fetch job of a build whose script comes from the repository (Brigade 1's vcs sidecar): a
// batch/v1 Job that clones the event's revision with the same clone step source jobs use, picks
// brigade.js, brigade.json and the JavaScript and JSON files beside the script within the bounds the
// Build can hold, and prints them to its log as a checksummed tar.gz in base64. The operator reads
// the log (docs/adr/0006): the pod gets no API credentials and the operator never runs git itself.
import type { V1EnvVar, V1Job } from '@kubernetes/client-node';
import { DEFAULTS } from '../api/defaults.ts';
import { suffixedName } from '../api/names.ts';
import { MAX_SCRIPT_FILES, MAX_SCRIPT_FILES_LENGTH, MAX_SCRIPT_LENGTH } from '../api/project-schema.ts';
import type { Build, Project } from '../api/types.ts';
import { operatorLabels, ownedBy } from './objects.ts';
import { CLONE_SCRIPT } from './source.ts';

export const FETCH_CONTAINER = 'fetch';
/** The lines around the archive in the fetch job's log. */
export const ARCHIVE_BEGIN = 'BRIGADE-SCRIPT-ARCHIVE v1';
export const ARCHIVE_END = 'BRIGADE-SCRIPT-ARCHIVE END';
/** Where brigade.js and brigade.json are in the repository unless repo.scriptPath / configPath say otherwise. */
export const DEFAULT_SCRIPT_PATH = 'brigade.js';
export const DEFAULT_CONFIG_PATH = 'brigade.json';
/** How long a fetch may take before its Job fails (DeadlineExceeded). */
export const FETCH_TIMEOUT_SECONDS = 300;
/** Where the clone goes; a relative path, so the simulator (which runs pods on the host) keeps it in the pod's volume. */
const WORK_DIR = '/brigade-fetch';

/** Name of the fetch Job of a build (one per build, ever: the fetched script is recorded on the Build). */
export function scriptFetchJobName(build: string): string {
  return suffixedName(build, 'script');
}

/**
 * After the clone: the selection. Files of the repository at that commit (git ls-tree, so nothing
 * untracked): the script (SCRIPT_PATH), brigade.json (CONFIG_PATH), then the `.js`, `.cjs` and
 * `.json` files of the script's directory and below, never under node_modules or a dot-directory,
 * the shallowest paths first, until MAX_FILES files or MAX_BYTES bytes; what does not fit is
 * counted as omitted (a require of it then finds no such module). Paths git must quote (control
 * characters, non-ASCII) are skipped: they cannot be required anyway.
 */
export const SELECT_SCRIPT = [
  'cd "$BRIGADE_WORKSPACE"',
  'commit=$(git rev-parse HEAD)',
  'if ! git cat-file -e "HEAD:$SCRIPT_PATH" 2>/dev/null; then',
  '  echo "brigade: the repository $BRIGADE_REMOTE_URL has no $SCRIPT_PATH at commit $commit" >&2',
  '  exit 2',
  'fi',
  'dir=$(dirname "$SCRIPT_PATH")',
  "tab=$(printf '\\t')",
  '{ git ls-tree -l HEAD -- "$CONFIG_PATH"; git ls-tree -r -l HEAD -- "$dir"; } |',
  '  awk -F "$tab" -v dir="$dir" -v script="$SCRIPT_PATH" -v config="$CONFIG_PATH" \'{',
  '    split($1, meta, " "); path = $2',
  '    if (meta[2] != "blob" || path ~ /^"/ || seen[path]++) next',
  '    rel = dir == "." ? path : substr(path, length(dir) + 2)',
  '    if (path == script || path == config) depth = -1',
  '    else if (rel !~ /\\.(c?js|json)$/ || rel ~ /(^|\\/)(node_modules|\\.[^\\/]*)\\//) next',
  '    else depth = gsub(/\\//, "/", rel)',
  '    print depth "\\t" meta[4] "\\t" path',
  '  }\' | sort -t "$tab" -k1,1n -k3,3 |',
  '  awk -F "$tab" -v max_files="$MAX_FILES" -v max_bytes="$MAX_BYTES" -v max_script="$MAX_SCRIPT" -v script="$SCRIPT_PATH" \'',
  '    $3 == script {',
  '      if ($2 > max_script) { print "brigade: " script " has " $2 " bytes; at most " max_script " are allowed" > "/dev/stderr"; failed = 1; exit 3 }',
  '      print $3; next',
  '    }',
  '    n < max_files && total + $2 <= max_bytes { n++; total += $2; print $3; next }',
  '    { omitted++ }',
  '    END { if (!failed) printf "%d %d\\n", n, omitted > "../counts" }',
  "  ' > ../selected",
  'read -r count omitted < ../counts',
  "tr '\\n' '\\000' < ../selected | xargs -0 git --literal-pathspecs archive --format=tar HEAD -- | gzip -n > ../script.tgz",
  'sha=$(sha256sum ../script.tgz | cut -d " " -f 1)',
  'bytes=$(($(wc -c < ../script.tgz)))',
  `echo "${ARCHIVE_BEGIN} commit=$commit script=$SCRIPT_PATH config=$CONFIG_PATH files=$count omitted=$omitted bytes=$bytes sha256=$sha"`,
  'base64 ../script.tgz',
  `echo "${ARCHIVE_END}"`,
].join('\n');

/** The whole fetch: clone (the source jobs' clone step), then select and print. */
export const FETCH_SCRIPT = ['set -e', CLONE_SCRIPT, SELECT_SCRIPT].join('\n');

function fetchEnv(build: Build, project: Project): V1EnvVar[] {
  const revision = build.spec.revision;
  return [
    { name: 'BRIGADE_REMOTE_URL', value: project.spec.repo?.cloneURL ?? '' },
    { name: 'BRIGADE_COMMIT_ID', value: revision?.commit ?? '' },
    { name: 'BRIGADE_COMMIT_REF', value: revision?.ref ?? project.spec.repo?.ref ?? '' },
    // Relative to the working directory (see WORK_DIR).
    { name: 'BRIGADE_WORKSPACE', value: 'repo' },
    // Validated paths (SCRIPT_FILE_PATH): no spaces, no glob characters, nothing that leaves the tree.
    { name: 'SCRIPT_PATH', value: project.spec.repo?.scriptPath ?? DEFAULT_SCRIPT_PATH },
    { name: 'CONFIG_PATH', value: project.spec.repo?.configPath ?? DEFAULT_CONFIG_PATH },
    { name: 'MAX_FILES', value: String(MAX_SCRIPT_FILES) },
    { name: 'MAX_BYTES', value: String(MAX_SCRIPT_FILES_LENGTH) },
    { name: 'MAX_SCRIPT', value: String(MAX_SCRIPT_LENGTH) },
  ];
}

export function scriptFetchJob(build: Build, project: Project): V1Job {
  const name = scriptFetchJobName(build.metadata.name ?? '');
  const pullSecrets = project.spec.jobDefaults?.imagePullSecrets ?? [];
  const labels = operatorLabels(
    { project: build.spec.project, ...(build.metadata.name ? { build: build.metadata.name } : {}) },
    'script-fetch',
  );
  const owner = ownedBy('Build', build.metadata);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: build.metadata.namespace ?? '',
      labels,
      ...(owner ? { ownerReferences: owner } : {}),
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: FETCH_TIMEOUT_SECONDS,
      ttlSecondsAfterFinished: DEFAULTS.ttlSecondsAfterFinished,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          // The log is the only way out: the pod needs no API access at all.
          automountServiceAccountToken: false,
          ...(pullSecrets.length ? { imagePullSecrets: pullSecrets.map((n) => ({ name: n })) } : {}),
          containers: [
            {
              name: FETCH_CONTAINER,
              image: DEFAULTS.gitImage,
              imagePullPolicy: 'IfNotPresent',
              command: ['/bin/sh', '-c', FETCH_SCRIPT],
              workingDir: WORK_DIR,
              env: fetchEnv(build, project),
              volumeMounts: [{ name: 'work', mountPath: WORK_DIR }],
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
          volumes: [{ name: 'work', emptyDir: {} }],
        },
      },
    },
  };
}
