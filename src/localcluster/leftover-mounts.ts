// Mounts the node agent left under a cluster's directory: its pods' overlay root filesystems and
// memory-backed emptyDirs are unmounted when each container ends, but an agent killed before its
// pods stopped (its grace ran out, or it crashed) leaves them, and `rm -r` of the directory then
// fails with EBUSY. Lazily unmounted here, deepest first, before the directory is removed.
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { runToCompletion } from './command-runner.ts';

/** Mount points at or below `dir` in a /proc/self/mounts text, deepest first. */
export function mountsUnder(mountsText: string, dir: string): string[] {
  const root = resolve(dir);
  return mountsText
    .split('\n')
    .map((line) => line.split(' ').at(1) ?? '')
    .filter((field) => field !== '')
    .map(unescapeMountField)
    .filter((point) => point === root || point.startsWith(root + sep))
    .sort((a, b) => b.split(sep).length - a.split(sep).length);
}

/** The kernel writes space, tab, newline and backslash in mount fields as octal escapes. */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export async function unmountLeftovers(dir: string): Promise<void> {
  let text: string;
  try {
    text = await readFile('/proc/self/mounts', 'utf8');
  } catch {
    return; // not Linux: the node agent (runc) cannot have run
  }
  // A mount that will not go makes the removal that follows fail, naming it: that is the report.
  for (const point of mountsUnder(text, dir))
    await runToCompletion('umount', ['--lazy', point], { cwd: '/' }).catch(() => undefined);
}
