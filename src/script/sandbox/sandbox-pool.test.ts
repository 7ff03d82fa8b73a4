import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { readGuestSources } from './guest-sources.ts';
import { SandboxPool, disposePrepared, pagesFor } from './sandbox-pool.ts';
import { wasm } from './wasm.ts';

const require = createRequire(import.meta.url);
const wasmModule = await wasm.compile(readFileSync(require.resolve('@jitl/quickjs-ng-wasmfile-release-sync/wasm')));
const sources = readGuestSources();
const PAGES = pagesFor(64 * 1024 * 1024);

async function untilReady(pool: SandboxPool, n: number): Promise<void> {
  for (let i = 0; i < 1000 && pool.ready < n; i++) await nextTurn();
  assert.equal(pool.ready, n);
}

test('the pool makes sandboxes ahead, up to its size, and each is handed out once', async () => {
  const pool = new SandboxPool({ wasmModule, sources, size: 2, pages: PAGES });
  pool.fill();
  await untilReady(pool, 2);
  const first = await pool.take(PAGES);
  const second = await pool.take(PAGES);
  assert.notEqual(first.runtime, second.runtime);
  assert.notEqual(first.ctx, second.ctx);
  assert.equal(first.pages, PAGES);
  await untilReady(pool, 2); // refilled after the takes
  const third = await pool.take(PAGES);
  assert.ok(![first.runtime, second.runtime].includes(third.runtime));
  for (const p of [first, second, third]) disposePrepared(p);
  pool.close();
  assert.equal(pool.ready, 0);
});

test("what one build leaves in its sandbox is not in the next build's", async () => {
  const pool = new SandboxPool({ wasmModule, sources, size: 2, pages: PAGES });
  pool.fill();
  await untilReady(pool, 2);
  const a = await pool.take(PAGES);
  a.ctx.unwrapResult(a.ctx.evalCode('globalThis.leftBehind = "secret"; Object.prototype.polluted = 1;')).dispose();
  const b = await pool.take(PAGES);
  const seen = b.ctx.unwrapResult(b.ctx.evalCode('typeof leftBehind + "/" + typeof ({}).polluted'));
  assert.equal(b.ctx.getString(seen), 'undefined/undefined');
  seen.dispose();
  for (const p of [a, b]) disposePrepared(p);
  pool.close();
});

test('a build with other memory limits gets a sandbox of its own bound and the pool is left as it was', async () => {
  const pool = new SandboxPool({ wasmModule, sources, size: 1, pages: PAGES });
  pool.fill();
  await untilReady(pool, 1);
  const other = await pool.take(pagesFor(32 * 1024 * 1024));
  assert.equal(other.pages, pagesFor(32 * 1024 * 1024));
  assert.equal(pool.ready, 1);
  disposePrepared(other);
  pool.close();
});

test('an empty pool still answers at once with a sandbox made for the build', async () => {
  const pool = new SandboxPool({ wasmModule, sources, size: 1, pages: PAGES });
  const p = await pool.take(PAGES);
  assert.equal(p.pages, PAGES);
  disposePrepared(p);
  pool.close();
});
