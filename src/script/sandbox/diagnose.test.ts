import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calleeAt, explainFault, faultSite } from './diagnose.ts';

describe('explainFault', () => {
  const script =
    'const o = {};\nfunction build() { o.deploy(); }\nlet n = 5; n();\nconst j = {}; j["weird"]();\nconst x = 5; new x();\nfoo().bar();\n';
  const source = (file: string): string | undefined => (file === 'brigade.js' ? script : undefined);

  it('names the called expression, the file, line, column and function of a bare "not a function"', () => {
    // In a function QuickJS points at the property name; at top level at its dot.
    const fault = {
      name: 'TypeError',
      message: 'not a function',
      stack: '    at build (brigade.js:2:22)\n    at <eval> (brigade.js:9:1)\n',
    };
    assert.equal(
      explainFault(fault, source),
      'TypeError: o.deploy is not a function (brigade.js:2:22, in function build)',
    );
    assert.equal(
      explainFault({ ...fault, stack: '    at build (brigade.js:2:21)\n' }, source),
      'TypeError: o.deploy is not a function (brigade.js:2:21, in function build)',
    );
  });

  it('handles plain calls, computed members, constructors and calls on a call result', () => {
    const at = (line: number, column: number, message = 'not a function', fn = '<eval>'): string =>
      explainFault({ name: 'TypeError', message, stack: `    at ${fn} (brigade.js:${line}:${column})\n` }, source);
    assert.equal(at(3, 12), 'TypeError: n is not a function (brigade.js:3:12, at top level)');
    assert.equal(at(4, 15), 'TypeError: j["weird"] is not a function (brigade.js:4:15, at top level)');
    assert.equal(at(5, 18, 'not a constructor'), 'TypeError: x is not a constructor (brigade.js:5:18, at top level)');
    assert.equal(
      at(6, 6, 'not a function', '<anonymous>'),
      'TypeError: (…).bar is not a function (brigade.js:6:6, in an anonymous function)',
    );
  });

  it('skips frames of the operator runtime and keeps other messages as they are', () => {
    const fault = {
      name: 'TypeError',
      message: 'Group.add accepts Jobs',
      stack: '    at add (brigadier.js:150:9)\n    at <anonymous> (brigade.js:3:1)\n',
    };
    assert.equal(
      explainFault(fault, source),
      'TypeError: Group.add accepts Jobs (brigade.js:3:1, in an anonymous function)',
    );
    assert.equal(
      explainFault({ name: 'Error', message: 'no site', stack: '    at x (node:util:1:1)\n' }, source),
      'Error: no site',
    );
    assert.equal(explainFault({ text: 'a thrown string' }, source), 'a thrown string');
  });

  it('gives no callee when the source does not show a call there', () => {
    assert.equal(calleeAt(script, { file: 'brigade.js', line: 1, column: 7, fn: '' }), undefined);
    assert.equal(calleeAt(undefined, { file: 'brigade.js', line: 1, column: 1, fn: '' }), undefined);
    assert.equal(faultSite('garbage'), undefined);
  });
});
