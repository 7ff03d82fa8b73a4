// Keys, object names and what the archive promises (see index.ts for the layout).
/** One archived job log. */
export interface ArchiveKey {
  namespace: string;
  build: string;
  /** The job's name in the script. */
  job: string;
}

export interface ArchivedLogInfo {
  project: string;
  /** The Job resource's name. */
  jobResource: string;
  /** Whether the kept log was cut at the project's cap. */
  truncated: boolean;
}

export interface LogArchive {
  /** What the operator's log says the archive is (no credentials). */
  readonly description: string;
  /** Stores (or replaces) a job's log; resolves with its location, an object URL without credentials. */
  put(key: ArchiveKey, text: string, info: ArchivedLogInfo): Promise<string>;
  /** The archived log, or undefined when the archive has none for this job. */
  get(key: ArchiveKey): Promise<string | undefined>;
  /** The names of the jobs of a build that the archive holds logs of, sorted. */
  jobsOf(namespace: string, build: string): Promise<string[]>;
}

/** The object name of a job's log under `prefix`. */
export function archiveObjectName(prefix: string, key: ArchiveKey): string {
  return `${buildPrefix(prefix, key.namespace, key.build)}${encodeURIComponent(key.job)}.log`;
}

/** The object names of a build's job logs all start with this. */
export function buildPrefix(prefix: string, namespace: string, build: string): string {
  return `${prefix}${encodeURIComponent(namespace)}/${encodeURIComponent(build)}/`;
}

/** The job name of an object name under `buildPrefix(...)`, or undefined for anything else. */
export function jobOfObjectName(buildObjectPrefix: string, objectName: string): string | undefined {
  if (!objectName.startsWith(buildObjectPrefix) || !objectName.endsWith('.log')) return undefined;
  const rest = objectName.slice(buildObjectPrefix.length, -'.log'.length);
  return rest.includes('/') ? undefined : decodeURIComponent(rest);
}

/** A URL without what may carry credentials (a SAS query string, user info). */
export function withoutCredentials(url: string): string {
  const u = new URL(url);
  u.search = '';
  u.username = '';
  u.password = '';
  return u.href;
}
