// A package tarball: integrity checked against the registry's dist.integrity, then unpacked in
// memory, keeping the JavaScript and JSON the sandbox can load. A package that needs native code
// (a .node addon, a binding.gyp) or is an ES module package is refused: neither can run in the sandbox.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { DependencyError, type PackageContents } from './types.ts';

const LOADABLE = /\.(c?js|json)$/;
/** Files that mean native code is built or loaded. */
const NATIVE = /(^|\/)binding\.gyp$|\.node$/;

/** Throws unless `bytes` match the SRI string (sha512 or sha1, the algorithms the registry uses). */
export function checkIntegrity(bytes: Uint8Array, integrity: string, what: string): void {
  const candidates = integrity.split(/\s+/).filter(Boolean);
  for (const candidate of candidates) {
    const dash = candidate.indexOf('-');
    const algorithm = candidate.slice(0, dash);
    if (!['sha512', 'sha384', 'sha256', 'sha1'].includes(algorithm)) continue;
    const digest = createHash(algorithm).update(bytes).digest('base64');
    if (digest === candidate.slice(dash + 1)) return;
  }
  throw new DependencyError('Refused', `${what}: the tarball does not match its integrity ${integrity.slice(0, 80)}`);
}

export async function unpack(
  tgz: Uint8Array,
  what: string,
  maxUnpackedBytes: number,
): Promise<PackageContents & { manifest: Record<string, unknown> }> {
  let tar: Buffer;
  try {
    tar = gunzipSync(tgz, { maxOutputLength: maxUnpackedBytes + 1024 * 1024 });
  } catch (error) {
    throw new DependencyError('Refused', `${what}: the tarball cannot be unpacked within ${maxUnpackedBytes} bytes`, {
      cause: error,
    });
  }
  const files: Record<string, string> = {};
  let unpacked = 0;
  const extractor = extract();
  const done = new Promise<void>((resolve, reject) => {
    extractor.on('entry', (header, stream, next) => {
      // Every file of an npm tarball sits under one top directory (usually package/).
      const path = header.name.replace(/^[^/]*\//, '');
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
      stream.on('end', () => {
        unpacked += header.size;
        if (header.type === 'file' && NATIVE.test(path)) {
          reject(new DependencyError('Refused', `${what} needs native code (${path}), which the sandbox cannot load`));
          return;
        }
        if (header.type === 'file' && LOADABLE.test(path) && !path.split('/').includes('..')) {
          files[path] = Buffer.concat(chunks).toString('utf8');
        }
        next();
      });
      stream.on('error', reject);
    });
    extractor.on('finish', resolve);
    extractor.on('error', reject);
  });
  Readable.from([tar]).pipe(extractor);
  try {
    await done;
  } catch (error) {
    if (error instanceof DependencyError) throw error;
    throw new DependencyError('Refused', `${what}: the tarball is not a valid tar archive`, { cause: error });
  }
  if (unpacked > maxUnpackedBytes)
    throw new DependencyError('Refused', `${what} unpacks to more than ${maxUnpackedBytes} bytes`);
  const manifestText = Object.hasOwn(files, 'package.json') ? files['package.json'] : undefined;
  if (manifestText === undefined) throw new DependencyError('Refused', `${what}: the tarball has no package.json`);
  const manifest = JSON.parse(manifestText) as Record<string, unknown>;
  if (manifest['gypfile'] === true)
    throw new DependencyError('Refused', `${what} needs native code (gypfile), which the sandbox cannot load`);
  if (manifest['type'] === 'module')
    throw new DependencyError(
      'Refused',
      `${what} is an ES module package ("type": "module"); the sandbox loads CommonJS packages only`,
    );
  const main = typeof manifest['main'] === 'string' ? manifest['main'] : undefined;
  return { manifest, files, ...(main ? { main } : {}) };
}
