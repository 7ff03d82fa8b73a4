// The log archive on Azure Blob Storage (or Azurite), with @azure/storage-blob. The connection
// string comes from the environment (a Secret in the operator's pod), never from a flag: a flag value
// is visible to anyone who can list the node's processes. Errors carry no connection string.
import { BlobServiceClient, RestError, type ContainerClient } from '@azure/storage-blob';
import {
  archiveObjectName,
  buildPrefix,
  jobOfObjectName,
  withoutCredentials,
  type ArchivedLogInfo,
  type LogArchive,
} from './layout.ts';

/** The environment variable holding the storage account's connection string (the Azure SDKs' own name). */
export const AZURE_CONNECTION_STRING_ENV = 'AZURE_STORAGE_CONNECTION_STRING';
export const DEFAULT_ARCHIVE_CONTAINER = 'brigade-job-logs';

export interface AzureBlobArchiveOptions {
  connectionString: string;
  container?: string;
  /** Put before every object name, e.g. "prod/" (default none). */
  prefix?: string;
}

/** A failure of the archive that is worth trying again (throttled, server error, no connection). */
export class ArchiveUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArchiveUnavailableError';
  }
}

export function azureBlobArchive(opts: AzureBlobArchiveOptions): LogArchive {
  // Few tries per call: the operator tries a job's archive again with back-off of its own.
  const service = BlobServiceClient.fromConnectionString(opts.connectionString, {
    retryOptions: { maxTries: 2, retryDelayInMs: 500, tryTimeoutInMs: 60_000 },
  });
  const containerName = opts.container ?? DEFAULT_ARCHIVE_CONTAINER;
  const container = service.getContainerClient(containerName);
  const prefix = opts.prefix ?? '';
  let created: Promise<unknown> | undefined;
  const ensureContainer = async (): Promise<ContainerClient> => {
    created ??= container.createIfNotExists().catch((err: unknown) => {
      created = undefined; // try again next time
      throw err;
    });
    await created;
    return container;
  };
  return {
    description: `Azure Blob Storage ${withoutCredentials(container.url)}`,
    put: (key, text, info) =>
      guarded(`archive the log of job ${key.job}`, async () => {
        const blob = (await ensureContainer()).getBlockBlobClient(archiveObjectName(prefix, key));
        const body = Buffer.from(text, 'utf8');
        await blob.uploadData(body, {
          blobHTTPHeaders: { blobContentType: 'text/plain; charset=utf-8' },
          metadata: metadataOf(info),
        });
        return withoutCredentials(blob.url);
      }),
    get: (key) =>
      guarded(`read the archived log of job ${key.job}`, async () => {
        try {
          const body = await container.getBlockBlobClient(archiveObjectName(prefix, key)).downloadToBuffer();
          return body.toString('utf8');
        } catch (err) {
          if (err instanceof RestError && err.statusCode === 404) return undefined;
          throw err;
        }
      }),
    jobsOf: (namespace, build) =>
      guarded(`list the archived logs of build ${build}`, async () => {
        const under = buildPrefix(prefix, namespace, build);
        const jobs: string[] = [];
        try {
          for await (const item of container.listBlobsFlat({ prefix: under })) {
            const job = jobOfObjectName(under, item.name);
            if (job !== undefined) jobs.push(job);
          }
        } catch (err) {
          if (err instanceof RestError && err.statusCode === 404) return []; // no container yet
          throw err;
        }
        return jobs.sort();
      }),
  };
}

function metadataOf(info: ArchivedLogInfo): Record<string, string> {
  return { project: info.project, jobresource: info.jobResource, truncated: String(info.truncated) };
}

/** Runs an archive call; its failures say what failed and whether trying again may help. */
async function guarded<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const status = err instanceof RestError ? err.statusCode : undefined;
    const why =
      err instanceof RestError ? `${status ?? 'no response'} ${err.code ?? ''} ${firstLine(err.message)}` : String(err);
    const message = `could not ${what}: ${why.trim()}`;
    if (status === undefined || status === 408 || status === 429 || status >= 500)
      throw new ArchiveUnavailableError(message, { cause: err });
    throw new Error(message, { cause: err });
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.slice(0, 300) ?? '';
}
