// The log archive options `run` (the operator) and `logs` (reading archived logs) share. The
// storage account's connection string is read from the environment, never from a flag: flag values
// are visible to anyone who can list the machine's processes. In a pod it comes from a Secret.
import { AZURE_CONNECTION_STRING_ENV, DEFAULT_ARCHIVE_CONTAINER, azureBlobArchive } from '../../archive/index.ts';
import type { LogArchive } from '../../archive/index.ts';
import { redact } from '../../util/redact.ts';
import { UsageError } from './options.ts';

export const ARCHIVE_KINDS = ['azure-blob'] as const;

export const archiveOptions = {
  'log-archive': { type: 'string' },
  'log-archive-container': { type: 'string' },
  'log-archive-prefix': { type: 'string' },
} as const;

/** Usage lines of the archive options; `purpose` says what the command does with the archive. */
export function archiveUsage(purpose: string): string[] {
  return [
    `  --log-archive azure-blob     ${purpose} (Azure Blob Storage or Azurite);`,
    `                               the connection string is read from $${AZURE_CONNECTION_STRING_ENV}`,
    `  --log-archive-container NAME the blob container (default ${DEFAULT_ARCHIVE_CONTAINER})`,
    '  --log-archive-prefix P       put before every object name, e.g. prod/ (default none)',
  ];
}

export function archiveFromOptions(
  values: { 'log-archive'?: string; 'log-archive-container'?: string; 'log-archive-prefix'?: string },
  env: NodeJS.ProcessEnv,
): LogArchive | undefined {
  const kind = values['log-archive'];
  if (kind === undefined) {
    if (values['log-archive-container'] !== undefined || values['log-archive-prefix'] !== undefined)
      throw new UsageError('--log-archive-container and --log-archive-prefix need --log-archive');
    return undefined;
  }
  if (!(ARCHIVE_KINDS as readonly string[]).includes(kind))
    throw new UsageError(`--log-archive must be one of ${ARCHIVE_KINDS.join(', ')}, got "${kind}"`);
  const connectionString = env[AZURE_CONNECTION_STRING_ENV];
  if (!connectionString)
    throw new UsageError(
      `--log-archive ${kind} reads the storage account's connection string from $${AZURE_CONNECTION_STRING_ENV}, which is not set`,
    );
  const container = values['log-archive-container'];
  if (container !== undefined && !/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(container))
    throw new UsageError(
      `--log-archive-container: "${container}" is not a blob container name (3-63 lowercase letters, digits and single hyphens)`,
    );
  try {
    return azureBlobArchive({
      connectionString,
      ...(container ? { container } : {}),
      ...(values['log-archive-prefix'] ? { prefix: values['log-archive-prefix'] } : {}),
    });
  } catch (err) {
    const why = redact((err as Error).message, [connectionString, ...connectionString.split(';')]);
    throw new UsageError(`$${AZURE_CONNECTION_STRING_ENV} is not a usable connection string: ${why}`);
  }
}
