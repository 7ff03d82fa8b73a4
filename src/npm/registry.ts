// The npm registry, read with its public HTTP API: a package's (abbreviated) metadata and its tarballs.
import { DependencyError } from './types.ts';

const REQUEST_TIMEOUT_MS = 30_000;
/** Abbreviated metadata of a package with many versions is a few MB at most. */
const MAX_METADATA_BYTES = 32 * 1024 * 1024;

export interface VersionManifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  hasInstallScript?: boolean;
  dist: { tarball: string; integrity?: string };
}

export interface Packument {
  name: string;
  'dist-tags'?: Record<string, string>;
  versions: Record<string, VersionManifest>;
}

export interface RegistryClient {
  packument(name: string): Promise<Packument>;
  tarball(url: string, maxBytes: number): Promise<Uint8Array>;
}

export const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';

/** A client of the registry at `registryURL` (npm's own by default). */
export function registryClient(registryURL: string = DEFAULT_REGISTRY): RegistryClient {
  const base = registryURL.endsWith('/') ? registryURL : `${registryURL}/`;
  return {
    async packument(name) {
      // Scoped names keep their @ and encode the slash, as npm's clients do.
      const url = new URL(name.replace('/', '%2f'), base);
      const body = await get(url, MAX_METADATA_BYTES, 'application/vnd.npm.install-v1+json', `package ${name}`);
      return JSON.parse(new TextDecoder().decode(body)) as Packument;
    },
    tarball(url, maxBytes) {
      return get(new URL(url), maxBytes, 'application/octet-stream', `tarball ${url}`);
    },
  };
}

async function get(url: URL, maxBytes: number, accept: string, what: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    throw new DependencyError('Unavailable', `the npm registry did not answer for ${what}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  if (response.status === 404) throw new DependencyError('Refused', `${what} does not exist in the npm registry`);
  if (!response.ok)
    throw new DependencyError('Unavailable', `the npm registry answered ${response.status} for ${what}`);
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw tooBig(what, maxBytes);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += (chunk as Uint8Array).length;
    if (size > maxBytes) throw tooBig(what, maxBytes);
    chunks.push(chunk as Uint8Array);
  }
  return Buffer.concat(chunks);
}

function tooBig(what: string, maxBytes: number): DependencyError {
  return new DependencyError('Refused', `${what} is larger than ${maxBytes} bytes`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
}
