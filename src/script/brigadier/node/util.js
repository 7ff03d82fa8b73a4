// Node's `util` module for brigade.js: format, inspect, promisify, callbackify, inherits, deprecate,
// isDeepStrictEqual, types and the legacy is* helpers. GUEST CODE: evaluated inside the QuickJS
// sandbox, never by Node. One CommonJS wrapper. inspect() prints on one line (Node breaks long
// output over several lines; the content is the same).
(function utilModule(exports, require, module) {
  'use strict';

  var inspectCustom = Symbol.for('nodejs.util.inspect.custom');
  var promisifyCustom = Symbol.for('nodejs.util.promisify.custom');
  var objectToString = Object.prototype.toString;
  var hasOwn = Object.prototype.hasOwnProperty;
  var IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
  var MAX_ITEMS = 100;
  var MAX_STRING = 10000;

  function tag(value) {
    return objectToString.call(value).slice(8, -1);
  }

  var types = {
    isDate: function (v) {
      return v instanceof Date;
    },
    isRegExp: function (v) {
      return v instanceof RegExp;
    },
    isMap: function (v) {
      return v instanceof Map;
    },
    isSet: function (v) {
      return v instanceof Set;
    },
    isWeakMap: function (v) {
      return v instanceof WeakMap;
    },
    isWeakSet: function (v) {
      return v instanceof WeakSet;
    },
    isPromise: function (v) {
      return v instanceof Promise;
    },
    isNativeError: function (v) {
      return v instanceof Error;
    },
    isAsyncFunction: function (v) {
      return typeof v === 'function' && tag(v) === 'AsyncFunction';
    },
    isGeneratorFunction: function (v) {
      return typeof v === 'function' && (tag(v) === 'GeneratorFunction' || tag(v) === 'AsyncGeneratorFunction');
    },
    isTypedArray: function (v) {
      return ArrayBuffer.isView(v) && !(v instanceof DataView);
    },
    isArrayBuffer: function (v) {
      return v instanceof ArrayBuffer;
    },
    isBoxedPrimitive: function (v) {
      return (
        v instanceof Number ||
        v instanceof String ||
        v instanceof Boolean ||
        (typeof v === 'object' && v !== null && tag(v) === 'Symbol')
      );
    },
  };

  function quote(text) {
    var body = text.length > MAX_STRING ? text.slice(0, MAX_STRING) : text;
    var q = body.indexOf("'") === -1 ? "'" : body.indexOf('"') === -1 ? '"' : body.indexOf('`') === -1 ? '`' : "'";
    var escaped = body.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\r/g, '\\r');
    if (q === "'") escaped = escaped.replace(/'/g, "\\'");
    var more = text.length > MAX_STRING ? '... ' + (text.length - MAX_STRING) + ' more characters' : '';
    return q + escaped + q + more;
  }

  function formatKey(key) {
    if (typeof key === 'symbol') return key.toString();
    return IDENTIFIER.test(key) ? key : quote(key);
  }

  function formatPrimitive(value, nested) {
    switch (typeof value) {
      case 'string':
        return nested ? quote(value) : quote(value);
      case 'number':
        return Object.is(value, -0) ? '-0' : String(value);
      case 'bigint':
        return String(value) + 'n';
      case 'symbol':
        return value.toString();
      case 'undefined':
        return 'undefined';
      case 'boolean':
        return String(value);
      default:
        return value === null ? 'null' : undefined;
    }
  }

  function functionName(fn) {
    var source;
    try {
      source = Function.prototype.toString.call(fn);
    } catch (_e) {
      source = '';
    }
    var name = typeof fn.name === 'string' && fn.name ? fn.name : '';
    if (/^class\b/.test(source)) return '[class ' + (name || '(anonymous)') + ']';
    var kind =
      tag(fn) === 'AsyncFunction'
        ? 'AsyncFunction'
        : tag(fn) === 'GeneratorFunction'
          ? 'GeneratorFunction'
          : 'Function';
    return '[' + kind + (name ? ': ' + name : ' (anonymous)') + ']';
  }

  function constructorName(value) {
    var proto = Object.getPrototypeOf(value);
    if (proto === null) return null;
    var ctor = proto.constructor;
    return typeof ctor === 'function' && typeof ctor.name === 'string' ? ctor.name : '';
  }

  function prefix(value, fallback) {
    var name = constructorName(value);
    if (name === null) return '[' + fallback + ': null prototype] ';
    return name === fallback || name === '' ? (fallback === 'Object' ? '' : fallback + ' ') : name + ' ';
  }

  function errorText(err) {
    var head = String(err.name) + ': ' + String(err.message);
    var stack = typeof err.stack === 'string' ? err.stack : '';
    if (!stack) return '[' + head + ']';
    return stack.indexOf(head) === 0 ? stack.replace(/\n$/, '') : head + '\n' + stack.replace(/\n$/, '');
  }

  function join(open, items, close) {
    return items.length === 0 ? open + close : open + ' ' + items.join(', ') + ' ' + close;
  }

  function ownEntries(value, ctx, skipIndices) {
    var keys = Object.keys(value);
    if (ctx.showHidden) keys = Object.getOwnPropertyNames(value);
    var symbols = Object.getOwnPropertySymbols(value).filter(function (s) {
      return ctx.showHidden || Object.getOwnPropertyDescriptor(value, s).enumerable;
    });
    var out = [];
    keys.concat(symbols).forEach(function (key) {
      if (skipIndices && typeof key === 'string' && /^(0|[1-9]\d*)$/.test(key)) return;
      if (skipIndices && key === 'length') return;
      var desc = Object.getOwnPropertyDescriptor(value, key);
      var shown;
      if (desc && (desc.get || desc.set))
        shown = desc.get && desc.set ? '[Getter/Setter]' : desc.get ? '[Getter]' : '[Setter]';
      else shown = formatValue(value[key], ctx, true);
      out.push(formatKey(key) + ': ' + shown);
    });
    return out;
  }

  function formatList(values, ctx) {
    var items = [];
    for (var i = 0; i < values.length && i < MAX_ITEMS; i++) items.push(formatValue(values[i], ctx, true));
    if (values.length > MAX_ITEMS) items.push('... ' + (values.length - MAX_ITEMS) + ' more items');
    return items;
  }

  function formatObject(value, ctx) {
    if (types.isDate(value)) return isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    if (types.isRegExp(value)) return RegExp.prototype.toString.call(value);
    if (value instanceof Error) return errorText(value);
    if (Array.isArray(value)) {
      var arrayItems = formatList(value, ctx).concat(ownEntries(value, ctx, true));
      return (
        (constructorName(value) === 'Array' ? '' : prefix(value, 'Array') + '(' + value.length + ') ') +
        join('[', arrayItems, ']')
      );
    }
    if (types.isMap(value)) {
      var mapItems = [];
      value.forEach(function (v, k) {
        if (mapItems.length < MAX_ITEMS) mapItems.push(formatValue(k, ctx, true) + ' => ' + formatValue(v, ctx, true));
      });
      return prefix(value, 'Map').replace(/ $/, '') + '(' + value.size + ') ' + join('{', mapItems, '}');
    }
    if (types.isSet(value)) {
      var setItems = [];
      value.forEach(function (v) {
        if (setItems.length < MAX_ITEMS) setItems.push(formatValue(v, ctx, true));
      });
      return prefix(value, 'Set').replace(/ $/, '') + '(' + value.size + ') ' + join('{', setItems, '}');
    }
    if (types.isPromise(value)) return 'Promise { <unknown> }';
    if (types.isWeakMap(value) || types.isWeakSet(value)) return tag(value) + ' { <items unknown> }';
    if (types.isTypedArray(value))
      return tag(value) + '(' + value.length + ') ' + join('[', formatList(value, ctx), ']');
    if (types.isBoxedPrimitive(value)) return '[' + tag(value) + ': ' + formatPrimitive(value.valueOf(), true) + ']';
    return prefix(value, 'Object') + join('{', ownEntries(value, ctx, false), '}');
  }

  function formatValue(value, ctx, nested) {
    var primitive = formatPrimitive(value, nested);
    if (primitive !== undefined) return primitive;
    if (
      ctx.customInspect &&
      value !== null &&
      typeof value[inspectCustom] === 'function' &&
      value[inspectCustom] !== inspect
    ) {
      var custom = value[inspectCustom](ctx.depth - ctx.level, ctx.options, inspect);
      if (custom !== value) return typeof custom === 'string' ? custom : formatValue(custom, ctx, nested);
    }
    if (ctx.seen.indexOf(value) !== -1) {
      if (!ctx.circular.has(value)) ctx.circular.set(value, ctx.circular.size + 1);
      return '[Circular *' + ctx.circular.get(value) + ']';
    }
    if (typeof value === 'function') {
      var fnEntries = ownEntries(value, ctx, false).filter(function (e) {
        return !/^(name|length|prototype): /.test(e);
      });
      return fnEntries.length === 0 ? functionName(value) : functionName(value) + ' ' + join('{', fnEntries, '}');
    }
    if (ctx.level > ctx.depth) {
      if (Array.isArray(value)) return '[Array]';
      var name = constructorName(value);
      return '[' + (name || 'Object') + ']';
    }
    ctx.seen.push(value);
    ctx.level++;
    var text;
    try {
      text = formatObject(value, ctx);
    } finally {
      ctx.level--;
      ctx.seen.pop();
    }
    return ctx.circular.has(value) ? '<ref *' + ctx.circular.get(value) + '> ' + text : text;
  }

  /** util.inspect(value, options) or the legacy util.inspect(value, showHidden, depth). */
  function inspect(value, opts) {
    var options = {};
    if (typeof opts === 'boolean') options = { showHidden: opts, depth: arguments[2] };
    else if (opts && typeof opts === 'object') options = opts;
    var depth =
      options.depth === null || options.depth === Infinity
        ? Infinity
        : typeof options.depth === 'number'
          ? options.depth
          : 2;
    var ctx = {
      depth: depth,
      level: 0,
      seen: [],
      circular: new Map(),
      showHidden: !!options.showHidden,
      customInspect: options.customInspect !== false,
      options: options,
    };
    return formatValue(value, ctx, false);
  }
  inspect.custom = inspectCustom;
  inspect.defaultOptions = { depth: 2, showHidden: false, customInspect: true };

  function formatWithOptions(inspectOptions, fmt) {
    var args = Array.prototype.slice.call(arguments, 1);
    var show = function (v) {
      return typeof v === 'string' ? v : inspect(v, inspectOptions);
    };
    if (typeof fmt !== 'string') return args.map(show).join(' ');
    if (args.length === 1) return fmt;
    var i = 1;
    var out = fmt.replace(/%([sdifjoOc%])/g, function (match, kind) {
      if (kind === '%') return '%';
      if (i >= args.length) return match;
      var arg = args[i++];
      switch (kind) {
        case 's':
          if (typeof arg === 'bigint') return String(arg) + 'n';
          if (typeof arg === 'symbol') return arg.toString();
          if (typeof arg === 'object' && arg !== null) return inspect(arg, { depth: 0 });
          return Object.is(arg, -0) ? '-0' : String(arg);
        case 'd':
          if (typeof arg === 'bigint') return String(arg) + 'n';
          return typeof arg === 'symbol' ? 'NaN' : formatPrimitive(Number(arg));
        case 'i':
          if (typeof arg === 'bigint') return String(arg) + 'n';
          return typeof arg === 'symbol' ? 'NaN' : String(parseInt(arg, 10));
        case 'f':
          return typeof arg === 'symbol' ? 'NaN' : String(parseFloat(arg));
        case 'j':
          try {
            return JSON.stringify(arg);
          } catch (_e) {
            return '[Circular]';
          }
        case 'o':
          return inspect(arg, { showHidden: true, depth: 4 });
        case 'O':
          return inspect(arg, inspectOptions);
        case 'c':
          return '';
        default:
          return match;
      }
    });
    for (; i < args.length; i++) out += ' ' + show(args[i]);
    return out;
  }

  function format() {
    return formatWithOptions.apply(undefined, [{}].concat(Array.prototype.slice.call(arguments)));
  }

  function promisify(original) {
    if (typeof original !== 'function') throw new TypeError('The "original" argument must be of type function');
    if (typeof original[promisifyCustom] === 'function') return original[promisifyCustom];
    function promisified() {
      var self = this;
      var args = Array.prototype.slice.call(arguments);
      return new Promise(function (resolve, reject) {
        args.push(function (err, value) {
          if (err) return reject(err);
          if (arguments.length > 2) return resolve(Array.prototype.slice.call(arguments, 1));
          return resolve(value);
        });
        original.apply(self, args);
      });
    }
    Object.setPrototypeOf(promisified, Object.getPrototypeOf(original));
    Object.defineProperty(promisified, promisifyCustom, { value: promisified });
    return promisified;
  }
  promisify.custom = promisifyCustom;

  function callbackify(original) {
    if (typeof original !== 'function') throw new TypeError('The "original" argument must be of type function');
    return function callbackified() {
      var args = Array.prototype.slice.call(arguments);
      var callback = args.pop();
      if (typeof callback !== 'function') throw new TypeError('The last argument must be of type function');
      var self = this;
      Promise.resolve(original.apply(self, args)).then(
        function (value) {
          callback(null, value);
        },
        function (reason) {
          if (!reason) {
            var error = new Error('Promise was rejected with a falsy value');
            error.reason = reason;
            reason = error;
          }
          callback(reason);
        },
      );
    };
  }

  function inherits(ctor, superCtor) {
    if (typeof ctor !== 'function' || typeof superCtor !== 'function' || !superCtor.prototype) {
      throw new TypeError('The "ctor" and "superCtor" arguments must be functions with a prototype');
    }
    Object.defineProperty(ctor, 'super_', { value: superCtor, writable: true, configurable: true });
    Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
  }

  function deprecate(fn, message) {
    var warned = false;
    return function deprecated() {
      if (!warned) {
        warned = true;
        if (typeof console !== 'undefined') console.warn('DeprecationWarning: ' + message);
      }
      return new.target ? Reflect.construct(fn, arguments, new.target) : fn.apply(this, arguments);
    };
  }

  function deepEqual(a, b, seen) {
    if (Object.is(a, b)) return true;
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    if (tag(a) !== tag(b)) return false;
    for (var s = 0; s < seen.length; s++) if (seen[s][0] === a && seen[s][1] === b) return true;
    seen.push([a, b]);
    if (a instanceof Date) return a.getTime() === b.getTime();
    if (a instanceof RegExp) return String(a) === String(b) && a.lastIndex === b.lastIndex;
    if (a instanceof Error && (a.message !== b.message || a.name !== b.name)) return false;
    if (types.isBoxedPrimitive(a) && !Object.is(a.valueOf(), b.valueOf())) return false;
    if (a instanceof Map) {
      if (a.size !== b.size) return false;
      var mapOk = true;
      a.forEach(function (v, k) {
        if (mapOk && (!b.has(k) || !deepEqual(v, b.get(k), seen))) mapOk = false;
      });
      if (!mapOk) return false;
    } else if (a instanceof Set) {
      if (a.size !== b.size) return false;
      var setOk = true;
      a.forEach(function (v) {
        if (!setOk || b.has(v)) return;
        var found = false;
        b.forEach(function (w) {
          if (!found && typeof v === 'object' && deepEqual(v, w, seen)) found = true;
        });
        if (!found) setOk = false;
      });
      if (!setOk) return false;
    }
    var ka = Object.keys(a);
    var kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    for (var i = 0; i < ka.length; i++) {
      if (!hasOwn.call(b, ka[i]) || !deepEqual(a[ka[i]], b[ka[i]], seen)) return false;
    }
    var sa = Object.getOwnPropertySymbols(a).filter(function (k) {
      return Object.prototype.propertyIsEnumerable.call(a, k);
    });
    var sb = Object.getOwnPropertySymbols(b).filter(function (k) {
      return Object.prototype.propertyIsEnumerable.call(b, k);
    });
    if (sa.length !== sb.length) return false;
    for (var j = 0; j < sa.length; j++) if (!deepEqual(a[sa[j]], b[sa[j]], seen)) return false;
    return true;
  }

  function isDeepStrictEqual(a, b) {
    return deepEqual(a, b, []);
  }

  module.exports = {
    format: format,
    formatWithOptions: formatWithOptions,
    inspect: inspect,
    promisify: promisify,
    callbackify: callbackify,
    inherits: inherits,
    deprecate: deprecate,
    isDeepStrictEqual: isDeepStrictEqual,
    types: types,
    isArray: Array.isArray,
    isBoolean: function (v) {
      return typeof v === 'boolean';
    },
    isNull: function (v) {
      return v === null;
    },
    isNullOrUndefined: function (v) {
      return v === null || v === undefined;
    },
    isNumber: function (v) {
      return typeof v === 'number';
    },
    isString: function (v) {
      return typeof v === 'string';
    },
    isSymbol: function (v) {
      return typeof v === 'symbol';
    },
    isUndefined: function (v) {
      return v === undefined;
    },
    isRegExp: types.isRegExp,
    isObject: function (v) {
      return v !== null && typeof v === 'object';
    },
    isDate: types.isDate,
    isError: types.isNativeError,
    isFunction: function (v) {
      return typeof v === 'function';
    },
    isPrimitive: function (v) {
      return v === null || (typeof v !== 'object' && typeof v !== 'function');
    },
  };
});
