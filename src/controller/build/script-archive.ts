// Reading the script a fetch job printed to its log (src/jobs/script-fetch.ts): the header line, the
// base64 lines, the end line. The checksum and length catch a log that was cut or mangled on the
// way (log rotation, a truncated read); the bounds are checked again here, so what reaches the
// Build is what its schema accepts whatever the pod printed.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import {
  MAX_SCRIPT_FILES,
  MAX_SCRIPT_FILES_LENGTH,
  MAX_SCRIPT_LENGTH,
  SCRIPT_FILE_PATH,
} from '../../api/project-schema.ts';
import { ARCHIVE_BEGIN, ARCHIVE_END } from '../../jobs/script-fetch.ts';

export interface FetchedScript {
  commit: string;
  script: string;
  /** The files beside brigade.js (brigade.json among them), path -> text. */
  files: Record<string, string>;
  /** Files the fetch left out: over the bounds, or with a path a script cannot require. */
  omitted: number;
}

export class ScriptArchiveError extends Error {
  override name = 'ScriptArchiveError';
}

const PATH = '([A-Za-z0-9._/-]+)';
const HEADER = new RegExp(
  `^commit=([0-9a-f]{7,64}) script=${PATH} config=${PATH} files=(\\d+) omitted=(\\d+) bytes=(\\d+) sha256=([0-9a-f]{64})$`,
);
const FILE_PATH = new RegExp(SCRIPT_FILE_PATH);
/** The unpacked archive may not exceed what the Build holds, plus tar's headers and padding. */
const MAX_TAR_BYTES = MAX_SCRIPT_LENGTH + MAX_SCRIPT_FILES_LENGTH + (MAX_SCRIPT_FILES + 1) * 1536 + 10240;

export async function readScriptArchive(log: string): Promise<FetchedScript> {
  const lines = log.split('\n').map((l) => l.trimEnd());
  const begin = lines.findIndex((l) => l.startsWith(`${ARCHIVE_BEGIN} `));
  if (begin < 0) throw new ScriptArchiveError('the fetch job printed no script archive');
  const end = lines.indexOf(ARCHIVE_END, begin + 1);
  if (end < 0) throw new ScriptArchiveError('the script archive in the fetch job log is cut off (no end line)');
  const header = HEADER.exec(lines[begin].slice(ARCHIVE_BEGIN.length + 1));
  if (!header) throw new ScriptArchiveError(`the script archive header is malformed: ${lines[begin].slice(0, 200)}`);
  const [, commit, scriptPath, configPath, , omittedText, bytesText, sha] = header;
  const tgz = Buffer.from(lines.slice(begin + 1, end).join(''), 'base64');
  if (tgz.length !== Number(bytesText) || createHash('sha256').update(tgz).digest('hex') !== sha)
    throw new ScriptArchiveError(
      `the script archive does not match its checksum (${tgz.length} bytes read, ${bytesText} sent)`,
    );
  const entries = besideScript(await untar(tgz), scriptPath, configPath);
  const script = entries.get(MAIN);
  if (script === undefined) throw new ScriptArchiveError(`the script archive holds no ${scriptPath}`);
  entries.delete(MAIN);
  let omitted = Number(omittedText);
  const files: Record<string, string> = {};
  let size = 0;
  for (const [path, text] of [...entries].sort(([a], [b]) => a.localeCompare(b))) {
    if (
      !FILE_PATH.test(path) ||
      Object.keys(files).length >= MAX_SCRIPT_FILES ||
      size + text.length > MAX_SCRIPT_FILES_LENGTH
    ) {
      omitted++;
      continue;
    }
    files[path] = text;
    size += text.length;
  }
  if (script.length > MAX_SCRIPT_LENGTH)
    throw new ScriptArchiveError(`brigade.js is longer than ${MAX_SCRIPT_LENGTH} characters`);
  return { commit, script, files, omitted };
}

const MAIN = '\0main';

/**
 * The archive's repository paths as the sandbox sees them: the script's directory is the root
 * (require('./lib') from ci/brigade.js finds ci/lib.js), brigade.json is the configPath file
 * wherever it is, and the script itself is keyed MAIN.
 */
function besideScript(entries: Map<string, string>, scriptPath: string, configPath: string): Map<string, string> {
  const dir = scriptPath.includes('/') ? scriptPath.slice(0, scriptPath.lastIndexOf('/') + 1) : '';
  const out = new Map<string, string>();
  for (const [path, text] of entries) {
    if (path === scriptPath) out.set(MAIN, text);
    else if (path === configPath) out.set('brigade.json', text);
    else if (path.startsWith(dir) && path.slice(dir.length) !== 'brigade.json') out.set(path.slice(dir.length), text);
  }
  return out;
}

async function untar(tgz: Buffer): Promise<Map<string, string>> {
  let tar: Buffer;
  try {
    tar = gunzipSync(tgz, { maxOutputLength: MAX_TAR_BYTES });
  } catch (error) {
    throw new ScriptArchiveError('the script archive cannot be unpacked within its bounds', { cause: error });
  }
  const files = new Map<string, string>();
  const extractor = extract();
  const done = new Promise<void>((resolve, reject) => {
    extractor.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
      stream.on('end', () => {
        if (header.type === 'file') files.set(header.name, Buffer.concat(chunks).toString('utf8'));
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
    throw new ScriptArchiveError('the script archive is not a valid tar archive', { cause: error });
  }
  return files;
}
