import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CelCompileError, CelEvalError, compileCel } from './program.ts';
import type { CelValue } from './ast.ts';

function run(rule: string, self: CelValue = null, oldSelf?: CelValue): CelValue {
  return compileCel(rule).run({ self, oldSelf });
}

describe('CEL subset evaluator', () => {
  it('evaluates literals and arithmetic with precedence', () => {
    assert.equal(run('1 + 2 * 3'), 7n);
    assert.equal(run('(1 + 2) * 3'), 9n);
    assert.equal(run('7 / 2'), 3n);
    assert.equal(run('7.0 / 2.0'), 3.5);
    assert.equal(run('-3 % 2'), -1n);
    assert.equal(run('0x10 + 1u'), 17n);
    assert.equal(run('"a" + \'b\''), 'ab');
    assert.equal(run('r"\\d"'), '\\d');
    assert.deepEqual(run('[1] + [2, 3]'), [1n, 2n, 3n]);
    assert.deepEqual(run("{'a': 1}"), { a: 1n });
  });

  it('compares numbers, strings and structures', () => {
    assert.equal(run('1 < 2 && 2 <= 2 && 3 > 2 && 3 >= 3'), true);
    assert.equal(run('"abc" < "abd"'), true);
    assert.equal(run('[1, {"a": [2]}] == [1, {"a": [2]}]'), true);
    assert.equal(run('{"a": 1} != {"a": 2}'), true);
    assert.equal(run('null == null'), true);
  });

  it('reads fields of self and oldSelf', () => {
    const self = { spec: { replicas: 3n, name: 'web' } };
    assert.equal(run('self.spec.replicas > 2', self), true);
    assert.equal(run("self.spec['name'] == 'web'", self), true);
    assert.equal(run('self == oldSelf', { a: [1n, 2n] }, { a: [1n, 2n] }), true);
    assert.equal(run('self == oldSelf', { a: [1n, 2n] }, { a: [2n, 1n] }), false);
  });

  it('tests presence with has() without failing on absent fields', () => {
    assert.equal(run('has(self.a)', { a: 1 }), true);
    assert.equal(run('has(self.b)', { a: 1 }), false);
    assert.equal(run('!has(self.b) || self.b > 0', { a: 1 }), true);
  });

  it('reports a missing field as an evaluation error', () => {
    assert.throws(
      () => run('self.b == 1', { a: 1 }),
      (err: unknown) => err instanceof CelEvalError && err.message === 'no such key: b',
    );
  });

  it('absorbs an error on one side of && and || when the other side decides', () => {
    assert.equal(run('self.missing == 1 || true', {}), true);
    assert.equal(run('false && self.missing == 1', {}), false);
    assert.equal(run('self.missing == 1 && false', {}), false);
    assert.throws(() => run('self.missing == 1 || false', {}), CelEvalError);
  });

  it('supports size, in, string functions and matches', () => {
    assert.equal(run('size(self) == 3 && self.size() == 3', 'héé'), true);
    assert.equal(run("'b' in ['a', 'b'] && 'k' in {'k': 1}"), true);
    assert.equal(run("self.startsWith('ab') && self.endsWith('yz') && self.contains('mm')", 'abmmyz'), true);
    assert.equal(run("self.matches('^[a-z]+-[0-9]+$')", 'web-1'), true);
    assert.equal(run("matches(self, '^x')", 'web-1'), false);
    assert.equal(run("self.lowerAscii() == 'abc'", 'AbC'), true);
  });

  it('runs the all/exists/exists_one/filter/map macros', () => {
    const jobs = [
      { name: 'a', image: 'x' },
      { name: 'b', image: 'y' },
    ];
    assert.equal(run("self.all(j, j.image != '')", jobs), true);
    assert.equal(run("self.exists(j, j.name == 'b')", jobs), true);
    assert.equal(run("self.exists_one(j, j.image == 'x')", jobs), true);
    assert.deepEqual(run('self.map(j, j.name)', jobs), ['a', 'b']);
    assert.deepEqual(run("self.filter(j, j.name != 'a').map(j, j.image)", jobs), ['y']);
    assert.deepEqual(run("self.map(j, j.name == 'a', j.image)", jobs), ['x']);
    assert.equal(run("self.all(k, k.startsWith('x'))", { xa: 1n, xb: 2n }), true);
  });

  it('evaluates the ternary operator, right-associative', () => {
    assert.equal(run("self > 5 ? 'big' : self > 2 ? 'mid' : 'small'", 3n), 'mid');
    assert.equal(run("true || false ? 'a' : 'b'"), 'a');
  });

  it('marks rules that mention oldSelf as transition rules', () => {
    assert.equal(compileCel('self == oldSelf').usesOldSelf, true);
    assert.equal(compileCel('self.x > 0').usesOldSelf, false);
    assert.equal(compileCel('self.all(o, o > 0)').usesOldSelf, false);
  });

  it('refuses functions and identifiers outside the subset at compile time', () => {
    assert.throws(
      () => compileCel('self.name.format([1])'),
      (err: unknown) => err instanceof CelCompileError && /function 'format' is not supported/.test(err.message),
    );
    assert.throws(() => compileCel('duration(self.timeout) > duration("1s")'), CelCompileError);
    assert.throws(() => compileCel('request.user == "x"'), /undeclared reference to 'request'/);
    assert.throws(() => compileCel('self.x ==='), CelCompileError);
    assert.throws(() => compileCel('has(self)'), CelCompileError);
    assert.throws(() => compileCel("'unterminated"), /unterminated string/);
  });

  it('rejects deeply nested expressions instead of overflowing the stack', () => {
    assert.throws(() => compileCel(`${'('.repeat(200)}1${')'.repeat(200)}`), CelCompileError);
  });

  it('keeps int and double apart in arithmetic but compares them', () => {
    assert.throws(() => run('1 + 1.0'), /no such overload: int \+ double/);
    assert.equal(run('1 == 1.0 && 2 > 1.5 && int(2.7) == 2 && double(3) == 3.0'), true);
    assert.throws(() => run('9223372036854775807 + 1'), /integer overflow/);
    assert.equal(run("string(self.n) + '!'", { n: 5n }), '5!');
  });

  it('reports type mismatches as no such overload', () => {
    assert.throws(() => run("1 + 'a'"), /no such overload/);
    assert.throws(() => run('[1][5]'), /index out of bounds: 5/);
    assert.throws(() => run('1 / 0'), /division by zero/);
  });
});

describe('CEL subset parser limits', () => {
  it('rejects long chains of unary operators instead of overflowing the stack', () => {
    assert.throws(() => compileCel(`${'!'.repeat(5000)}true`), CelCompileError);
    assert.equal(compileCel('!!true').run({ self: null }), true);
  });
});

describe('CEL schema-aware compilation', () => {
  const schema = {
    type: 'object' as const,
    properties: {
      image: { type: 'string' as const },
      'dash-name': { type: 'string' as const },
      jobs: {
        type: 'array' as const,
        items: { type: 'object' as const, properties: { name: { type: 'string' as const } } },
      },
      labels: { type: 'object' as const, additionalProperties: { type: 'string' as const } },
      payload: { type: 'object' as const, 'x-kubernetes-preserve-unknown-fields': true },
    },
  };

  it('refuses a field the schema does not declare, like the apiserver type checker', () => {
    assert.throws(() => compileCel('self.imgae != ""', { schema }), /undefined field 'imgae'/);
    assert.throws(() => compileCel('has(self.nope)', { schema }), /undefined field 'nope'/);
    assert.throws(() => compileCel('self.jobs.all(j, j.nmae != "")', { schema }), /undefined field 'nmae'/);
    assert.throws(() => compileCel('self.jobs[0].image == ""', { schema }), /undefined field 'image'/);
  });

  it('accepts declared fields, map values and anything under preserve-unknown-fields', () => {
    for (const rule of [
      'self.image != oldSelf.image',
      'self.jobs.all(j, j.name != "")',
      "self.labels.team == 'a'",
      "self.labels['x'] == 'b'",
      'self.payload.any.thing == 1',
      "self.labels.all(k, k.startsWith('a'))",
    ]) {
      assert.doesNotThrow(() => compileCel(rule, { schema }), rule);
    }
  });

  it('reads escaped property names', () => {
    const program = compileCel("self.dash__dash__name == 'x'", { schema });
    assert.equal(program.run({ self: { 'dash-name': 'x' } }), true);
    assert.equal(compileCel('self.__namespace__ == "n"').run({ self: { namespace: 'n' } }), true);
  });
});
