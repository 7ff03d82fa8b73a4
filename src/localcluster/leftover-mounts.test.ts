import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mountsUnder } from './leftover-mounts.ts';

const MOUNTS = [
  'proc /proc proc rw,nosuid 0 0',
  'overlay /tmp/c1/nodes/node-1/pods/a/containers/job/rootfs overlay rw,lowerdir=/x 0 0',
  'tmpfs /tmp/c1/nodes/node-1/pods/a/volumes/cache tmpfs rw 0 0',
  'overlay /tmp/c10/nodes/node-1/pods/b/containers/job/rootfs overlay rw 0 0',
  'tmpfs /tmp/c1/nodes/node-1/pods/with\\040space tmpfs rw 0 0',
  '',
].join('\n');

test('mounts under the directory, deepest first, unescaped; a sibling with the same prefix is not under it', () => {
  assert.deepEqual(mountsUnder(MOUNTS, '/tmp/c1/'), [
    '/tmp/c1/nodes/node-1/pods/a/containers/job/rootfs',
    '/tmp/c1/nodes/node-1/pods/a/volumes/cache',
    '/tmp/c1/nodes/node-1/pods/with space',
  ]);
  assert.deepEqual(mountsUnder(MOUNTS, '/srv'), []);
});
