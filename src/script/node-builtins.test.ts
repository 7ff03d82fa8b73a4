// The sandbox's own Node built-ins (src/script/brigadier/node/*.js) against Node's: the same
// expressions are evaluated inside QuickJS and by Node, and must give the same results.
import assert from 'node:assert/strict';
import nodePath from 'node:path';
import nodeQuerystring from 'node:querystring';
import nodeUrl from 'node:url';
import nodeUtil from 'node:util';
import { after, describe, it } from 'node:test';
import { createScriptEngine } from './index.ts';
import { FakeHost, testEvent, testProject } from './test-support.ts';

const engine = createScriptEngine({ workers: 1 });
after(() => engine.close());

const PRELUDE = `
  const util = require('util'); const path = require('path'); const url = require('url');
  const querystring = require('querystring'); const assert = require('assert');
  const circular = { name: 'c' }; circular.self = circular;
  class Foo { constructor() { this.x = 1; } }
  const tryAssert = (fn) => { try { fn(); return 'passed'; } catch (e) { return [e.name, e.code, e.operator, e instanceof assert.AssertionError]; } };
  const urlParts = (u) => [u.href, u.protocol, u.username, u.password, u.host, u.hostname, u.port, u.pathname, u.search, u.hash, u.origin];
  const legacyParts = (u) => [u.protocol, u.slashes, u.auth, u.host, u.port, u.hostname, u.hash, u.search, u.query, u.pathname, u.path, u.href];
  const tryUrl = (...args) => { try { return urlParts(new URL(...args)); } catch (e) { return [e.name, e.code]; } };
`;

/** Evaluates each expression in the sandbox; returns their JSON results in order. */
async function inSandbox(exprs: string[]): Promise<unknown[]> {
  const host = new FakeHost();
  const body = exprs
    .map((e) => `out.push((() => { try { return ${e}; } catch (err) { return 'threw ' + err.name; } })());`)
    .join('\n');
  const script = `${PRELUDE}\nconst out = [];\n${body}\nrequire('brigadier').events.on('push', () => console.log(JSON.stringify(out)));`;
  const outcome = await engine.runBuild({ script, event: testEvent(), project: testProject(), host });
  assert.equal(outcome.status, 'Succeeded', outcome.message);
  return JSON.parse(host.texts()[0] ?? '[]') as unknown[];
}

/** The same expressions evaluated by Node with its own modules (inspect on one line, as the sandbox prints). */
function inNode(exprs: string[]): unknown[] {
  const inspect = Object.assign((v: unknown, o?: object) => nodeUtil.inspect(v, { breakLength: Infinity, ...o }), {
    custom: nodeUtil.inspect.custom,
  });
  const util = { ...nodeUtil, inspect };
  const fn = new Function(
    'util',
    'path',
    'url',
    'querystring',
    'nodeAssert',
    `
    const assert = nodeAssert;
    ${PRELUDE.replace(/const (util|path|url|querystring|assert) = require\('\w+'\); ?/g, '')}
    const out = [];
    ${exprs.map((e) => `out.push((() => { try { return ${e}; } catch (err) { return 'threw ' + err.name; } })());`).join('\n')}
    return JSON.parse(JSON.stringify(out));`,
  );
  return fn(util, nodePath.posix, nodeUrl, nodeQuerystring, nodeAssertLegacy()) as unknown[];
}

function nodeAssertLegacy(): unknown {
  // node:assert (legacy mode, loose equal/deepEqual), like require('assert') in a script.
  return (globalThis as unknown as { process: { getBuiltinModule(n: string): unknown } }).process.getBuiltinModule(
    'assert',
  );
}

async function same(exprs: string[]): Promise<void> {
  const [ours, node] = [await inSandbox(exprs), inNode(exprs)];
  exprs.forEach((expr, i) => {
    assert.deepEqual(ours[i], node[i], expr);
  });
}

describe('sandbox built-ins behave as Node', () => {
  it('path (posix)', async () => {
    await same([
      "path.join('/a/b', '../c', './d')",
      "path.join('a', '', 'b/')",
      'path.join()',
      "path.join('..', 'a')",
      "path.normalize('/a//b/../c/.')",
      "path.normalize('')",
      "path.normalize('./')",
      "path.normalize('a/../..')",
      "path.normalize('//x')",
      "path.resolve('/foo/bar', './baz')",
      "path.resolve('/foo/bar', '/tmp/file/')",
      "path.resolve('/a', 'b', '../c')",
      "path.relative('/data/orandea/test/aaa', '/data/orandea/impl/bbb')",
      "path.relative('/a', '/a')",
      "path.relative('/a/b', '/a')",
      "path.dirname('/a/b/c')",
      "path.dirname('/a')",
      "path.dirname('a')",
      "path.dirname('')",
      "path.dirname('/a/b/')",
      "path.dirname('//a')",
      "path.basename('/a/b/c.html', '.html')",
      "path.basename('/a/b/')",
      "path.basename('c.html', 'html')",
      "path.basename('/')",
      "path.extname('index.html')",
      "path.extname('index.')",
      "path.extname('index')",
      "path.extname('.index')",
      "path.extname('.index.md')",
      "path.extname('..')",
      "path.parse('/home/user/dir/file.txt')",
      "path.parse('file')",
      "path.parse('./a.b')",
      "path.parse('/')",
      "path.format({ dir: '/home/user/dir', base: 'file.txt' })",
      "path.format({ root: '/', name: 'file', ext: '.txt' })",
      "path.format({ name: 'x', ext: 'txt' })",
      "path.isAbsolute('/x')",
      "path.isAbsolute('x')",
      'path.sep',
      'path.delimiter',
      'path.posix === path',
      'path.join(42)',
    ]);
  });

  it('querystring', async () => {
    await same([
      "querystring.parse('a=1&b=2&a=3')",
      "querystring.parse('x=%20y+z&empty&=v')",
      "querystring.parse('a=%zz&b=%41')",
      "querystring.stringify({ a: [1, 2], b: 'x y', c: true, d: null, e: undefined, f: {}, g: 'ü&=' })",
      "querystring.escape('a b&c/ü')",
      "querystring.unescape('%41%zz')",
      "querystring.parse('a:1;b:2', ';', ':')",
      "querystring.stringify({ a: 1 }, ';', ':')",
      'querystring.decode === querystring.parse',
    ]);
  });

  it('url: WHATWG URL and URLSearchParams', async () => {
    await same([
      "tryUrl('https://user:pa ss@Example.COM:443/a/./b/../c d?x=1 2#frag ment')",
      "tryUrl('http://h:8080')",
      "tryUrl('HTTP://h:80/x')",
      'tryUrl(\'https://h/p?q="a"\')',
      "tryUrl('../x?y', 'http://h/a/b/c')",
      "tryUrl('//other/p', 'https://h/')",
      "tryUrl('?q', 'http://h/p?o#f')",
      "tryUrl('#h', 'http://h/p?o')",
      "tryUrl('/abs', 'http://h/a/b')",
      "tryUrl('', 'http://h/a?b#c')",
      "tryUrl('c', 'http://h/a/')",
      "tryUrl('mailto:someone@example.com')",
      "tryUrl('git+ssh://git@github.com/org/repo.git')",
      "tryUrl('file:///etc/passwd')",
      "tryUrl('nope')",
      "tryUrl('http://')",
      "tryUrl('https://exa mple.com')",
      "tryUrl('http://h:99999')",
      "tryUrl('http://[::1]:3000/x')",
      "tryUrl('https://h/\\u00e9t\\u00e9')",
      "tryUrl('http:\\\\\\\\h\\\\a\\\\b')",
      "URL.canParse('nope')",
      "URL.canParse('https://x')",
      "(() => { const u = new URL('https://h/p?a=1&b=2&a=3'); return [u.searchParams.get('a'), u.searchParams.getAll('a'), u.searchParams.has('b'), u.searchParams.get('z')]; })()",
      "(() => { const u = new URL('https://h/p?a=1'); u.searchParams.append('q', 'x y&z'); u.searchParams.set('a', '2'); return u.href; })()",
      "(() => { const u = new URL('https://h/p'); u.pathname = '/new path'; u.search = 'k=v'; u.hash = 'top'; u.port = '8443'; return urlParts(u); })()",
      "(() => { const u = new URL('https://h/p'); u.hostname = 'other.example'; u.username = 'me'; u.password = 'p@ss'; return u.href; })()",
      "new URLSearchParams({ a: '1', b: 'x y' }).toString()",
      "new URLSearchParams('?a=1&a=2&b=%20').getAll('a')",
      "new URLSearchParams([['z', '1'], ['a', '2'], ['z', '0']]).toString()",
      "(() => { const p = new URLSearchParams('z=1&a=2&z=0'); p.sort(); return [p.toString(), [...p.keys()], [...p.values()], [...p], p.size]; })()",
      "(() => { const p = new URLSearchParams('a=1&b=2&a=3'); p.delete('a'); return p.toString(); })()",
      "new URLSearchParams('x=%zz&y=a+b').get('x') + '|' + new URLSearchParams('x=%zz&y=a+b').get('y')",
      "JSON.stringify({ u: new URL('https://h/x') })",
      "String(new URL('https://h/x'))",
      "new URL('https://h') instanceof url.URL",
    ]);
  });

  it('url: legacy parse, format and resolve', async () => {
    await same([
      "legacyParts(url.parse('https://user:pw@host.com:8080/p/a/t/h?query=string#hash'))",
      "legacyParts(url.parse('/p/a?x=1&y=2', true))",
      "legacyParts(url.parse('http://Example.com'))",
      "legacyParts(url.parse('//h/p', false, true))",
      "legacyParts(url.parse('mailto:a@b.c'))",
      "url.format({ protocol: 'https', hostname: 'example.com', pathname: '/some/path', query: { page: 1, format: 'json' } })",
      "url.format({ protocol: 'http:', host: 'h:81', pathname: 'x', search: 'q=1', hash: 'f' })",
      "url.format(new URL('https://h/a?b'))",
      "url.resolve('/one/two/three', 'four')",
      "url.resolve('http://example.com/', '/one')",
      "url.resolve('http://example.com/one', '/two')",
      "url.resolve('http://example.com/a/b', '../c')",
      "url.resolve('http://example.com/a/b', 'https://other/x')",
      "url.fileURLToPath('file:///tmp/a%20b')",
      "url.pathToFileURL('/tmp/a b#c').href",
    ]);
  });

  it('util.format, util.inspect and util.isDeepStrictEqual', async () => {
    await same([
      "util.format('%s:%s', 'a')",
      "util.format('%d', '42')",
      "util.format('%i', 42.9)",
      "util.format('%f', '1.5x')",
      "util.format('%j', { a: 1 })",
      "util.format('%j', circular)",
      "util.format('%%')",
      "util.format('a', 'b', 3)",
      'util.format(1, 2)',
      "util.format('%s', { a: 1 })",
      "util.format('%s', [1, 2])",
      "util.format('%s', 10n)",
      "util.format('%d', 10n)",
      "util.format('%s')",
      "util.format('%s %s', 'x', 'y', 'z', { q: 1 })",
      "util.format('%c%s', 'color: red', 'x')",
      "util.format('%s', -0)",
      "util.inspect({ a: 1, b: 'x', c: [1, 2, { d: null }] })",
      "util.inspect(new Map([['a', 1], ['b', { c: 2 }]]))",
      'util.inspect(new Set([1, "two"]))',
      'util.inspect([])',
      'util.inspect({})',
      'util.inspect(Object.create(null))',
      `util.inspect("it's")`,
      "util.inspect({ 'a-b': 1, ok: 2 })",
      'util.inspect(function foo() {})',
      'util.inspect(() => {})',
      'util.inspect(class X {})',
      'util.inspect(async function af() {})',
      "util.inspect(Symbol('s'))",
      'util.inspect(10n)',
      'util.inspect(-0)',
      'util.inspect(undefined)',
      'util.inspect(null)',
      'util.inspect({ a: { b: { c: { d: 1 } } } })',
      'util.inspect({ a: { b: { c: {} } } }, { depth: 0 })',
      'util.inspect({ a: [[[[1]]]] })',
      'util.inspect(new Date(0))',
      'util.inspect(/x/g)',
      'util.inspect(circular)',
      'util.inspect(new Foo())',
      'util.inspect(Object.assign([1, 2], { extra: true }))',
      "util.inspect({ [Symbol('k')]: 1 })",
      'util.inspect({ get g() { return 1; } })',
      "util.inspect(new Array(120).fill(0)).replace(/\\s+/g, ' ')",
      "util.inspect({ [util.inspect.custom]() { return 'custom!'; } })",
      'util.inspect(new Map(), { depth: null })',
      'util.isDeepStrictEqual({ a: 1 }, { a: 1 })',
      "util.isDeepStrictEqual([1, 2], [1, '2'])",
      'util.isDeepStrictEqual(new Map([[1, { a: 1 }]]), new Map([[1, { a: 1 }]]))',
      'util.isDeepStrictEqual(new Set([{ a: 1 }]), new Set([{ a: 1 }]))',
      'util.isDeepStrictEqual(NaN, NaN)',
      'util.isDeepStrictEqual(0, -0)',
      'util.isDeepStrictEqual({}, Object.create(null))',
      'util.isDeepStrictEqual(new Date(1), new Date(1))',
      'util.isDeepStrictEqual([1], { 0: 1 })',
      'util.isDeepStrictEqual(circular, circular)',
      'util.types.isPromise(Promise.resolve())',
      'util.types.isDate(new Date())',
      'util.types.isRegExp(/x/)',
      'util.types.isAsyncFunction(async () => {})',
      'typeof util.promisify(setTimeout)',
      'util.inherits.length',
      'util.isArray([])',
    ]);
  });

  it('assert', async () => {
    await same([
      'tryAssert(() => assert(true))',
      'tryAssert(() => assert(0))',
      "tryAssert(() => assert.ok(''))",
      'tryAssert(() => assert.equal(1, "1"))',
      'tryAssert(() => assert.equal(1, 2))',
      'tryAssert(() => assert.notEqual(1, 2))',
      'tryAssert(() => assert.equal(NaN, NaN))',
      'tryAssert(() => assert.strictEqual(1, 1))',
      'tryAssert(() => assert.strictEqual(1, "1"))',
      'tryAssert(() => assert.notStrictEqual(1, 1))',
      "tryAssert(() => assert.deepEqual({ a: 1 }, { a: '1' }))",
      'tryAssert(() => assert.deepEqual([1], [2]))',
      'tryAssert(() => assert.deepStrictEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }))',
      "tryAssert(() => assert.deepStrictEqual({ a: 1 }, { a: '1' }))",
      'tryAssert(() => assert.notDeepStrictEqual({ a: 1 }, { a: 1 }))',
      "tryAssert(() => assert.throws(() => { throw new TypeError('x'); }, TypeError))",
      "tryAssert(() => assert.throws(() => { throw new TypeError('boom'); }, /boom/))",
      "tryAssert(() => assert.throws(() => { throw new TypeError('x'); }, { name: 'TypeError', message: 'x' }))",
      'tryAssert(() => assert.throws(() => {}))',
      "tryAssert(() => assert.throws(() => { throw new TypeError('x'); }, { message: 'y' }))",
      "tryAssert(() => assert.doesNotThrow(() => { throw new Error('x'); }))",
      'tryAssert(() => assert.doesNotThrow(() => {}))',
      "tryAssert(() => assert.match('abc', /b/))",
      "tryAssert(() => assert.match('abc', /z/))",
      "tryAssert(() => assert.doesNotMatch('abc', /b/))",
      "tryAssert(() => assert.fail('nope'))",
      'tryAssert(() => assert.ifError(null))',
      "tryAssert(() => assert.ifError('bad'))",
      'tryAssert(() => assert.strict.equal(1, "1"))',
      'tryAssert(() => assert.strict.deepEqual([1], ["1"]))',
      'typeof assert.strict.strict',
      "(() => { try { assert.strictEqual(1, 2, 'custom text'); } catch (e) { return [e.message.startsWith('custom text'), e.generatedMessage, e.actual, e.expected]; } })()",
    ]);
  });

  it('assert.rejects and doesNotReject settle as in Node', async () => {
    const host = new FakeHost();
    const script = `const assert = require('assert');
      require('brigadier').events.on('push', async () => {
        await assert.rejects(Promise.reject(new TypeError('x')), TypeError);
        await assert.doesNotReject(async () => 1);
        const missing = await assert.rejects(Promise.resolve(1)).then(() => 'passed', (e) => e.code + ' ' + e.operator);
        const unwanted = await assert.doesNotReject(Promise.reject(new Error('y'))).then(() => 'passed', (e) => e.code + ' ' + e.operator);
        console.log(missing + ' | ' + unwanted);
      });`;
    const outcome = await engine.runBuild({ script, event: testEvent(), project: testProject(), host });
    assert.equal(outcome.status, 'Succeeded', outcome.message);
    assert.deepEqual(host.texts(), ['ERR_ASSERTION rejects | ERR_ASSERTION doesNotReject']);
  });
});
