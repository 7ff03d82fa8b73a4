// Node's `assert` module for brigade.js: assert(), ok, equal/notEqual, strictEqual/notStrictEqual,
// deepEqual/deepStrictEqual and their negations, throws/doesNotThrow, rejects/doesNotReject,
// match/doesNotMatch, fail, ifError, AssertionError and assert.strict. GUEST CODE: evaluated inside
// the QuickJS sandbox, never by Node. One CommonJS wrapper. Messages are Node's, without its diff.
(function assertModule(exports, require, module) {
  'use strict';

  var util = require('util');

  function AssertionError(options) {
    var opts = options || {};
    var message =
      opts.message !== undefined
        ? String(opts.message)
        : util.inspect(opts.actual) + ' ' + (opts.operator || '==') + ' ' + util.inspect(opts.expected);
    var error = new Error(message);
    Object.setPrototypeOf(error, AssertionError.prototype);
    error.generatedMessage = opts.message === undefined;
    error.code = 'ERR_ASSERTION';
    error.actual = opts.actual;
    error.expected = opts.expected;
    error.operator = opts.operator;
    return error;
  }
  AssertionError.prototype = Object.create(Error.prototype, {
    constructor: { value: AssertionError, writable: true, configurable: true },
    name: { value: 'AssertionError', writable: true, configurable: true },
  });

  function fail(actual, expected, message, operator, defaultMessage) {
    if (message instanceof Error) throw message;
    throw new AssertionError({
      actual: actual,
      expected: expected,
      operator: operator,
      message: message !== undefined ? message : defaultMessage,
    });
  }

  function ok(value, message) {
    if (arguments.length === 0) fail(undefined, true, message, '==', 'No value argument passed to `assert.ok()`');
    if (!value)
      fail(
        value,
        true,
        message,
        '==',
        'The expression evaluated to a falsy value:\n\n  assert.ok(' + util.inspect(value) + ')\n',
      );
  }

  function assert(value, message) {
    if (arguments.length === 0) fail(undefined, true, message, '==', 'No value argument passed to `assert.ok()`');
    ok(value, message);
  }

  /** Node's legacy (loose) deep equality: == for primitives, prototypes ignored. */
  function looseDeepEqual(a, b, seen) {
    // Loose == on purpose: the legacy assertions compare as Node's do.
    if (a == b && (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null)) return true;
    if (a === b) return true;
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a !== a && b !== b;
    for (var s = 0; s < seen.length; s++) if (seen[s][0] === a && seen[s][1] === b) return true;
    seen.push([a, b]);
    if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
    if (a instanceof RegExp && b instanceof RegExp) return String(a) === String(b);
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    if (a instanceof Map && b instanceof Map) {
      if (a.size !== b.size) return false;
      var mapOk = true;
      a.forEach(function (v, k) {
        if (mapOk && (!b.has(k) || !looseDeepEqual(v, b.get(k), seen))) mapOk = false;
      });
      return mapOk;
    }
    if (a instanceof Set && b instanceof Set) {
      if (a.size !== b.size) return false;
      var setOk = true;
      a.forEach(function (v) {
        if (setOk && !b.has(v)) setOk = false;
      });
      return setOk;
    }
    var ka = Object.keys(a);
    var kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    for (var i = 0; i < ka.length; i++) {
      if (!Object.prototype.hasOwnProperty.call(b, ka[i]) || !looseDeepEqual(a[ka[i]], b[ka[i]], seen)) return false;
    }
    return true;
  }

  function matches(error, expected, message, fnName) {
    if (expected === undefined) return;
    if (typeof expected === 'function') {
      if (expected.prototype !== undefined && error instanceof expected) return;
      if (Object.prototype.isPrototypeOf.call(Error, expected) || expected === Error)
        fail(error, expected, message, fnName, 'The error is expected to be an instance of "' + expected.name + '"');
      if (expected.call({}, error) === true) return;
      fail(
        error,
        expected,
        message,
        fnName,
        'The validation function is expected to return "true". Received ' + util.inspect(expected.call({}, error)),
      );
    }
    if (expected instanceof RegExp) {
      if (expected.test(String(error))) return;
      fail(
        error,
        expected,
        message,
        fnName,
        'The input did not match the regular expression ' +
          String(expected) +
          '. Input:\n\n' +
          util.inspect(String(error)) +
          '\n',
      );
    }
    if (typeof expected === 'object' && expected !== null) {
      Object.keys(expected).forEach(function (key) {
        var want = expected[key];
        var have = error === null || error === undefined ? undefined : error[key];
        var same =
          want instanceof RegExp && typeof have === 'string' ? want.test(have) : util.isDeepStrictEqual(have, want);
        if (!same)
          fail(
            error,
            expected,
            message,
            fnName,
            'Expected values to be strictly deep-equal: ' +
              key +
              ': ' +
              util.inspect(have) +
              ' !== ' +
              util.inspect(want),
          );
      });
    }
  }

  var NO_EXCEPTION = {};

  function caught(fn) {
    if (typeof fn !== 'function') throw new TypeError('The "fn" argument must be of type function');
    try {
      fn();
    } catch (error) {
      return error;
    }
    return NO_EXCEPTION;
  }

  function throws(fn, expected, message) {
    if (typeof expected === 'string') {
      message = expected;
      expected = undefined;
    }
    var error = caught(fn);
    if (error === NO_EXCEPTION) fail(undefined, expected, message, 'throws', 'Missing expected exception.');
    matches(error, expected, message, 'throws');
  }

  function doesNotThrow(fn, expected, message) {
    if (typeof expected === 'string') {
      message = expected;
      expected = undefined;
    }
    var error = caught(fn);
    if (error !== NO_EXCEPTION)
      fail(
        error,
        expected,
        message,
        'doesNotThrow',
        'Got unwanted exception.\nActual message: "' + (error && error.message) + '"',
      );
  }

  function settle(promiseOrFn) {
    var p = typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn;
    if (!p || typeof p.then !== 'function')
      return Promise.reject(new TypeError('The "promiseFn" argument must be a promise or a function returning one'));
    return p;
  }

  function rejects(promiseOrFn, expected, message) {
    if (typeof expected === 'string') {
      message = expected;
      expected = undefined;
    }
    return Promise.resolve()
      .then(function () {
        return settle(promiseOrFn);
      })
      .then(
        function () {
          fail(undefined, expected, message, 'rejects', 'Missing expected rejection.');
        },
        function (error) {
          if (error instanceof AssertionError && error.operator === 'rejects') throw error;
          matches(error, expected, message, 'rejects');
        },
      );
  }

  function doesNotReject(promiseOrFn, expected, message) {
    if (typeof expected === 'string') {
      message = expected;
      expected = undefined;
    }
    return Promise.resolve()
      .then(function () {
        return settle(promiseOrFn);
      })
      .then(
        function () {},
        function (error) {
          fail(
            error,
            expected,
            message,
            'doesNotReject',
            'Got unwanted rejection.\nActual message: "' + (error && error.message) + '"',
          );
        },
      );
  }

  function compare(name, test, operator, defaultText) {
    return function (actual, expected, message) {
      if (!test(actual, expected))
        fail(actual, expected, message, operator, defaultText ? defaultText(actual, expected) : undefined);
    };
  }

  var strictEqual = compare(
    'strictEqual',
    function (a, b) {
      return Object.is(a, b);
    },
    'strictEqual',
    function (a, b) {
      return 'Expected values to be strictly equal:\n\n' + util.inspect(a) + ' !== ' + util.inspect(b) + '\n';
    },
  );
  var notStrictEqual = compare(
    'notStrictEqual',
    function (a, b) {
      return !Object.is(a, b);
    },
    'notStrictEqual',
    function (a) {
      return 'Expected "actual" to be strictly unequal to: ' + util.inspect(a);
    },
  );
  var deepStrictEqual = compare('deepStrictEqual', util.isDeepStrictEqual, 'deepStrictEqual', function (a, b) {
    return 'Expected values to be strictly deep-equal:\n' + util.inspect(a) + '\n\nshould equal\n\n' + util.inspect(b);
  });
  var notDeepStrictEqual = compare(
    'notDeepStrictEqual',
    function (a, b) {
      return !util.isDeepStrictEqual(a, b);
    },
    'notDeepStrictEqual',
    function (a) {
      return 'Expected "actual" not to be strictly deep-equal to: ' + util.inspect(a);
    },
  );
  // equal and notEqual are Node's legacy loose (==) comparisons.
  var equal = compare(
    'equal',
    function (a, b) {
      return a == b || (a !== a && b !== b);
    },
    '==',
  );
  var notEqual = compare(
    'notEqual',
    function (a, b) {
      return !(a == b || (a !== a && b !== b));
    },
    '!=',
  );
  var deepEqual = compare(
    'deepEqual',
    function (a, b) {
      return looseDeepEqual(a, b, []);
    },
    'deepEqual',
  );
  var notDeepEqual = compare(
    'notDeepEqual',
    function (a, b) {
      return !looseDeepEqual(a, b, []);
    },
    'notDeepEqual',
  );

  function match(string, regexp, message) {
    if (!(regexp instanceof RegExp)) throw new TypeError('The "regexp" argument must be an instance of RegExp');
    if (typeof string !== 'string' || !regexp.test(string)) {
      fail(
        string,
        regexp,
        message,
        'match',
        'The input did not match the regular expression ' +
          String(regexp) +
          '. Input:\n\n' +
          util.inspect(string) +
          '\n',
      );
    }
  }

  function doesNotMatch(string, regexp, message) {
    if (!(regexp instanceof RegExp)) throw new TypeError('The "regexp" argument must be an instance of RegExp');
    if (typeof string !== 'string' || regexp.test(string)) {
      fail(
        string,
        regexp,
        message,
        'doesNotMatch',
        'The input was expected to not match the regular expression ' +
          String(regexp) +
          '. Input:\n\n' +
          util.inspect(string) +
          '\n',
      );
    }
  }

  function ifError(value) {
    if (value !== null && value !== undefined) {
      if (value instanceof Error) throw value;
      fail(value, null, undefined, 'ifError', 'ifError got unwanted exception: ' + util.inspect(value));
    }
  }

  function failFn(message) {
    if (message instanceof Error) throw message;
    throw new AssertionError({ message: message === undefined ? 'Failed' : message, operator: 'fail' });
  }

  function attach(target, strictMode) {
    target.AssertionError = AssertionError;
    target.ok = ok;
    target.fail = failFn;
    target.equal = strictMode ? strictEqual : equal;
    target.notEqual = strictMode ? notStrictEqual : notEqual;
    target.deepEqual = strictMode ? deepStrictEqual : deepEqual;
    target.notDeepEqual = strictMode ? notDeepStrictEqual : notDeepEqual;
    target.strictEqual = strictEqual;
    target.notStrictEqual = notStrictEqual;
    target.deepStrictEqual = deepStrictEqual;
    target.notDeepStrictEqual = notDeepStrictEqual;
    target.throws = throws;
    target.doesNotThrow = doesNotThrow;
    target.rejects = rejects;
    target.doesNotReject = doesNotReject;
    target.match = match;
    target.doesNotMatch = doesNotMatch;
    target.ifError = ifError;
    return target;
  }

  function strict(value, message) {
    if (arguments.length === 0) fail(undefined, true, message, '==', 'No value argument passed to `assert.ok()`');
    ok(value, message);
  }

  attach(assert, false);
  attach(strict, true);
  assert.strict = strict;
  strict.strict = strict;
  module.exports = assert;
});
