/**
 * A local npm registry for tests: serves abbreviated package metadata and real gzipped tarballs packed
 * here (package/... entries, as `npm pack` writes them), with their sha512 integrity. Counts requests,
 * so a test can tell whether a cache was used.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

export interface FakePackage {
  name: string;
  version: string;
  /** path inside the package -> content; package.json is written from the fields below unless given. */
  files: Record<string, string>;
  dependencies?: Record<string, string>;
  main?: string;
  hasInstallScript?: boolean;
  /** Extra package.json fields. */
  manifest?: Record<string, unknown>;
  /** Serve a tarball whose bytes do not match the integrity the metadata announces. */
  corrupt?: boolean;
}

export interface FakeRegistry {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

export async function tarball(files: Record<string, string>): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve) => archive.on('end', resolve));
  for (const [path, content] of Object.entries(files)) archive.entry({ name: `package/${path}` }, content);
  archive.finalize();
  await ended;
  return gzipSync(Buffer.concat(chunks));
}

export async function startFakeRegistry(packages: FakePackage[]): Promise<FakeRegistry> {
  const tarballs = new Map<string, Buffer>();
  const documents = new Map<
    string,
    { name: string; 'dist-tags': Record<string, string>; versions: Record<string, unknown> }
  >();
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(req.url ?? '/').slice(1);
    requests.push(path);
    const body = tarballs.get(path) ?? (documents.has(path) ? JSON.stringify(documents.get(path)) : undefined);
    if (body === undefined) {
      res.writeHead(404).end('{"error":"not found"}');
      return;
    }
    res.writeHead(200, { 'content-type': typeof body === 'string' ? 'application/json' : 'application/octet-stream' });
    res.end(body);
  });
  const requests: string[] = [];
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  for (const p of packages) {
    const manifest = {
      name: p.name,
      version: p.version,
      ...(p.main ? { main: p.main } : {}),
      ...(p.dependencies ? { dependencies: p.dependencies } : {}),
      ...p.manifest,
    };
    const bytes = await tarball({ 'package.json': JSON.stringify(manifest), ...p.files });
    const file = `tarballs/${p.name}-${p.version}.tgz`;
    const integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
    tarballs.set(file, p.corrupt ? Buffer.concat([bytes, Buffer.from([0])]) : bytes);
    const doc = documents.get(p.name) ?? { name: p.name, 'dist-tags': {}, versions: {} };
    doc.versions[p.version] = {
      name: p.name,
      version: p.version,
      ...(p.dependencies ? { dependencies: p.dependencies } : {}),
      ...(p.hasInstallScript ? { hasInstallScript: true } : {}),
      dist: { tarball: `${url}${file}`, integrity },
    };
    doc['dist-tags']['latest'] = p.version;
    documents.set(p.name, doc);
  }
  return {
    url,
    requests,
    close: () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  };
}
