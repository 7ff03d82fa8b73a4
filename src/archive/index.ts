// The log archive: object storage that keeps copies of finished jobs' logs for longer than the
// cluster does (Builds, Jobs and their log ConfigMaps go with retention). It holds only text the
// operator already redacted, and knows nothing of Kubernetes: a job is named by namespace, build and
// the job's name in the script.
//
// Object layout (stable; documented in docs/operations.md, read by the CLI and the dashboard):
//   <prefix><namespace>/<build>/<job>.log      (each part URL-encoded)
// with content type text/plain; charset=utf-8 and metadata project, jobresource, truncated.
export {
  azureBlobArchive,
  ArchiveUnavailableError,
  AZURE_CONNECTION_STRING_ENV,
  DEFAULT_ARCHIVE_CONTAINER,
} from './azure-blob.ts';
export type { AzureBlobArchiveOptions } from './azure-blob.ts';
export { archiveObjectName, buildPrefix, jobOfObjectName, withoutCredentials } from './layout.ts';
export type { ArchiveKey, ArchivedLogInfo, LogArchive } from './layout.ts';
