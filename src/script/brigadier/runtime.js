// The sandbox runtime. GUEST CODE: evaluated inside the QuickJS sandbox before brigade.js. This file is
// one function expression; the host calls it with its bridge (`host.runJob(json) -> Promise<json>`,
// `host.log(level, text)`, `host.loadBuiltin(name) -> CommonJS wrapper of a module in ./node`) and
// the brigadier factory, and keeps the returned driver. The driver is
// never reachable from brigade.js; `globalThis` gets only `require`, `module`, `exports`, `console`.
//
// Unhandled rejections: QuickJS (as wrapped by quickjs-emscripten) has no rejection tracker, so the
// promises this runtime hands out (job.run(), Group, Promise.all & co.) are a Promise subclass that
// records whether anyone attached a handler. A tracked promise that rejected with no handler fails
// the build, as an unhandledRejection failed a Brigade 1 worker.
(function createRuntime(host, brigadierFactory) {
  'use strict';

  var hostRunJob = host.runJob;
  var hostLog = host.log;
  var hostLoadBuiltin = host.loadBuiltin;
  var hostJobLogs = host.jobLogs;
  var hostLoadFile = host.loadFile;
  var hostLoadPackageFile = host.loadPackageFile;
  var hostSetTimer = host.setTimer;
  var hostClearTimer = host.clearTimer;
  var hostRefTimer = host.refTimer;
  var hostClock = host.clock;
  var hostSeed = host.seed;
  var origThen = Promise.prototype.then;
  var promiseResolve = Promise.resolve;
  var MAX_LINE = 16 * 1024;
  var stringify = JSON.stringify;
  var parse = JSON.parse;
  var isArray = Array.isArray;
  var objectKeys = Object.keys;
  var StringCtor = String;

  var records = [];
  /** An exception thrown by a timer callback: Node would crash the worker, so the build fails. */
  var uncaught = null;
  var internalDepth = 0;
  var events = null;
  var startedJobs = new Set();
  /** Job object -> { settled, log, waiters } once run() was called. */
  var jobStates = new WeakMap();
  var main = { settled: false, error: null };

  var MAX_REASON = 4096;

  // Cuts before concatenating: a script may throw an error with a message of many megabytes.
  function cut(value) {
    var text = StringCtor(value);
    return text.length > MAX_REASON ? text.slice(0, MAX_REASON) + '... [truncated]' : text;
  }

  function describe(reason) {
    try {
      if (reason instanceof Error) return cut(reason.name) + ': ' + cut(reason.message);
      if (typeof reason === 'string') return cut(reason);
      var json = stringify(reason);
      return cut(json === undefined ? reason : json);
    } catch (_unprintable) {
      return '[unprintable rejection]';
    }
  }

  /** A failure as the host reports it: an Error's name, message, stack and code, else its text. */
  function faultOf(reason) {
    try {
      if (reason instanceof Error) {
        var fault = { name: cut(reason.name), message: cut(reason.message) };
        if (typeof reason.stack === 'string') fault.stack = cut(reason.stack);
        if (typeof reason.code === 'string') fault.code = cut(reason.code);
        return fault;
      }
    } catch (_unreadable) {
      // A hostile Error (throwing getters): its text is all that can be reported.
    }
    return { text: describe(reason) };
  }

  function observe(promise, record) {
    internalDepth++;
    try {
      origThen.call(
        promise,
        function () {
          record.state = 'fulfilled';
        },
        function (reason) {
          record.state = 'rejected';
          record.reason = faultOf(reason);
        },
      );
    } finally {
      internalDepth--;
    }
  }

  class TrackedPromise extends Promise {
    constructor(executor) {
      super(executor);
      if (internalDepth > 0) return;
      var record = { state: 'pending', handled: false, reason: null };
      records.push(record);
      Object.defineProperty(this, '__record', { value: record });
      observe(this, record);
    }
    then(onFulfilled, onRejected) {
      if (this.__record) this.__record.handled = true;
      return super.then(onFulfilled, onRejected);
    }
  }

  function rejected(error) {
    return new TrackedPromise(function (_resolve, reject) {
      reject(error);
    });
  }

  function resolved(value) {
    return new TrackedPromise(function (resolve) {
      resolve(value);
    });
  }

  // Combinators return tracked promises, so `Promise.all([a.run(), b.run()])` left unawaited still
  // fails the build when a job fails.
  ['all', 'allSettled', 'any', 'race'].forEach(function (name) {
    var original = Promise[name];
    if (typeof original !== 'function') return;
    Object.defineProperty(Promise, name, {
      value: function (iterable) {
        return original.call(TrackedPromise, iterable);
      },
      writable: true,
      configurable: true,
    });
  });

  function plainStrings(value, what) {
    if (value === undefined || value === null) return [];
    if (!isArray(value)) throw new TypeError(what + ' must be an array of strings');
    return value.map(function (item) {
      return StringCtor(item);
    });
  }

  function plainMap(value) {
    var out = {};
    if (value instanceof Map) {
      value.forEach(function (v, k) {
        out[StringCtor(k)] = StringCtor(v);
      });
      return out;
    }
    if (value && typeof value === 'object') {
      objectKeys(value).forEach(function (k) {
        out[k] = StringCtor(value[k]);
      });
    }
    return out;
  }

  // Brigade 1 gave a null value an empty env var, and an undefined one an env var without value
  // (also empty in the container); neither became the text "null" or "undefined".
  function envValues(env) {
    var out = {};
    if (!env || typeof env !== 'object') return out;
    objectKeys(env).forEach(function (k) {
      var v = env[k];
      if (v === null || v === undefined) out[k] = '';
      else out[k] = typeof v === 'object' ? v : StringCtor(v);
    });
    return out;
  }

  function optionalString(v) {
    return v === undefined || v === null || v === '' ? undefined : StringCtor(v);
  }

  // What crosses the bridge: a snapshot of the Job's properties. The host validates it again; this
  // is only the friendly conversion (Map -> object, numbers -> strings).
  function toRequest(job) {
    return {
      name: job.name,
      image: job.image || '',
      imageForcePull: job.imageForcePull === true,
      imagePullSecrets: plainStrings(job.imagePullSecrets, 'imagePullSecrets'),
      tasks: plainStrings(job.tasks, 'tasks'),
      shell: StringCtor(job.shell || ''),
      args: plainStrings(job.args, 'args'),
      env: envValues(job.env),
      mountPath: StringCtor(job.mountPath || ''),
      timeout: Number(job.timeout),
      useSource: job.useSource !== false,
      privileged: job.privileged === true,
      host: {
        os: optionalString(job.host && job.host.os),
        name: optionalString(job.host && job.host.name),
        nodeSelector: plainMap(job.host && job.host.nodeSelector),
      },
      docker: { enabled: !!(job.docker && job.docker.enabled) },
      cache: {
        enabled: !!(job.cache && job.cache.enabled),
        size: StringCtor((job.cache && job.cache.size) || ''),
        path: StringCtor((job.cache && job.cache.path) || ''),
      },
      storage: {
        enabled: !!(job.storage && job.storage.enabled),
        path: StringCtor((job.storage && job.storage.path) || ''),
      },
      serviceAccount: optionalString(job.serviceAccount),
      annotations: plainMap(job.annotations),
      resourceRequests: {
        cpu: optionalString(job.resourceRequests && job.resourceRequests.cpu),
        memory: optionalString(job.resourceRequests && job.resourceRequests.memory),
      },
      resourceLimits: {
        cpu: optionalString(job.resourceLimits && job.resourceLimits.cpu),
        memory: optionalString(job.resourceLimits && job.resourceLimits.memory),
      },
      volumes: isArray(job.volumes) ? job.volumes : [],
      volumeMounts: isArray(job.volumeMounts) ? job.volumeMounts : [],
      streamLogs: job.streamLogs === true,
    };
  }

  function jobFailure(name, message) {
    var error = new Error('job ' + name + ' failed' + (message ? ': ' + message : ''));
    error.name = 'JobFailedError';
    return error;
  }

  function startJob(job, Result) {
    var json;
    try {
      if (startedJobs.has(job.name)) {
        throw new Error('job name ' + job.name + ' is already used in this build; job names must be unique');
      }
      json = stringify(toRequest(job));
      startedJobs.add(job.name);
    } catch (error) {
      return rejected(error);
    }
    var pending = hostRunJob(json);
    var state = { settled: false, log: '', waiters: [] };
    jobStates.set(job, state);
    function settle(log) {
      state.settled = true;
      state.log = log;
      state.waiters.forEach(function (wake) {
        wake(log);
      });
      state.waiters = [];
    }
    return new TrackedPromise(function (resolve, reject) {
      internalDepth++;
      try {
        origThen.call(
          pending,
          function (outcomeJson) {
            var outcome = parse(outcomeJson);
            if (outcome.podName) job._podName = outcome.podName;
            if (job.streamLogs === true) streamLog(job, outcome.log);
            settle(outcome.log);
            if (outcome.succeeded) resolve(new Result(outcome.log));
            else reject(jobFailure(job.name, outcome.message));
          },
          function (error) {
            settle('');
            reject(error);
          },
        );
      } finally {
        internalDepth--;
      }
    });
  }

  /**
   * job.logs(), as brigadier's: the log so far. A finished job answers with its kept log; a running
   * one asks the host, or, when the host cannot tell, answers when the job ends.
   */
  function jobLogs(job) {
    var state = jobStates.get(job);
    if (!state)
      return rejected(
        new Error('job ' + StringCtor(job && job.name) + ' has not been started: call run() before logs()'),
      );
    if (state.settled) return resolved(state.log);
    var pending = hostJobLogs(StringCtor(job.name));
    return new TrackedPromise(function (resolve, reject) {
      internalDepth++;
      try {
        origThen.call(
          pending,
          function (answerJson) {
            var answer = parse(answerJson);
            if (typeof answer.log === 'string' && !state.settled) resolve(answer.log);
            else if (state.settled) resolve(state.log);
            else state.waiters.push(resolve);
          },
          reject,
        );
      } finally {
        internalDepth--;
      }
    });
  }

  // streamLogs: Brigade 1 copied the pod's log into the worker's log as it ran; here the job's
  // (kept, redacted) log goes into the build's console when the job ends, one line per line.
  function streamLog(job, log) {
    var lines = StringCtor(log || '').split('\n');
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    var who = job._podName || job.name;
    lines.forEach(function (line) {
      var text = who + ' logs ' + line;
      hostLog('log', text.length > MAX_LINE ? text.slice(0, MAX_LINE) + '... [truncated]' : text);
    });
  }

  function formatArg(value) {
    if (typeof value === 'string') return value;
    try {
      if (value instanceof Error)
        return StringCtor(value.stack ? value.name + ': ' + value.message + '\n' + value.stack : value);
      if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return StringCtor(value);
      var text = stringify(value);
      return text === undefined ? StringCtor(value) : text;
    } catch (_circularOrHostile) {
      try {
        return StringCtor(value);
      } catch (_stillHostile) {
        return '[unprintable]';
      }
    }
  }

  /** Node's console formatting (util.format: %s/%d/%j..., objects inspected), plain text when it can be. */
  function formatLine(args) {
    var plain = true;
    for (var i = 0; i < args.length; i++) if (typeof args[i] !== 'string') plain = false;
    if (plain && (args.length === 0 || args[0].indexOf('%') === -1)) return Array.prototype.join.call(args, ' ');
    try {
      return StringCtor(requireBuiltin('util').format.apply(undefined, args));
    } catch (_hostile) {
      var parts = [];
      for (var j = 0; j < args.length; j++) parts.push(formatArg(args[j]));
      return parts.join(' ');
    }
  }

  function makeConsole() {
    var out = {};
    ['log', 'info', 'warn', 'error', 'debug'].forEach(function (level) {
      out[level] = function () {
        var line = formatLine(arguments);
        hostLog(level, line.length > MAX_LINE ? line.slice(0, MAX_LINE) + '... [truncated]' : line);
      };
    });
    out.trace = out.debug;
    out.dir = function (value, options) {
      out.log(requireBuiltin('util').inspect(value, options));
    };
    return out;
  }

  /** A listener's return value nobody can handle (events.emit drops it): its rejection fails the build. */
  function unhandledIfRejected(value) {
    if (!(value instanceof Promise) || value.__record) return;
    var record = { state: 'pending', handled: false, reason: null };
    records.push(record);
    observe(value, record);
  }

  // Node built-ins implemented for the sandbox (./node/*.js). The host evaluates a module's source on
  // first use and hands back its CommonJS wrapper; `internal` is only for those trusted modules.
  var internal = { unhandledIfRejected: unhandledIfRejected };
  var builtinCache = new Map();

  function requireBuiltin(name) {
    var cached = builtinCache.get(name);
    if (cached) return cached.exports;
    var wrapper = hostLoadBuiltin(name);
    var module = { exports: {} };
    builtinCache.set(name, module);
    wrapper.call(module.exports, module.exports, requireBuiltin, module, internal);
    return module.exports;
  }

  var EventEmitter = requireBuiltin('events');
  var rawListenersOf = EventEmitter.prototype.rawListeners;
  var listenerCountOf = EventEmitter.prototype.listenerCount;
  var eventNamesOf = EventEmitter.prototype.eventNames;

  var rt = {
    startJob: startJob,
    jobLogs: jobLogs,
    rejected: rejected,
    resolved: resolved,
    all: function (promises) {
      return Promise.all(promises);
    },
    requireBuiltin: requireBuiltin,
    useEvents: function (registry) {
      events = registry;
    },
  };
  var brigadier = brigadierFactory(rt);
  // Brigade 1's worker aliased 'brigade' too.
  var ALLOWED = new Set(['brigadier', 'brigade', '@azure/brigadier', '@brigadecore/brigadier']);

  // Node built-ins implemented for the sandbox (name -> module in ./node, and the export to pick).
  var PROVIDED = new Map([
    ['util', ['util']],
    ['path', ['path']],
    ['path/posix', ['path']],
    ['events', ['events']],
    ['url', ['url']],
    ['querystring', ['querystring']],
    ['assert', ['assert']],
    ['assert/strict', ['assert', 'strict']],
    ['buffer', ['buffer']],
    ['string_decoder', ['string_decoder']],
  ]);
  var PROVIDED_NAMES = 'util, path, events, url, querystring, assert, timers, buffer, string_decoder';

  // Node built-ins that reach the host: refused on purpose, with what they would have given. The list
  // is the host's (src/script/refused-modules.ts), which also refuses npm packages that require them.
  var HOST_ACCESS = new Map(parse(host.refusedModules));
  // Other Node built-ins: harmless, but not implemented for the sandbox.
  var NOT_PROVIDED = new Set([
    'crypto',
    'stream',
    'stream/promises',
    'stream/web',
    'zlib',
    'punycode',
    'constants',
    'domain',
    'console',
    'util/types',
    'test',
    'sys',
  ]);

  function moduleError(message, code) {
    var error = new Error(message);
    error.code = code;
    return error;
  }

  // npm dependencies (brigade.json or the Project's spec.dependencies), resolved by the operator: each
  // package's files and, per package, which version each of its own dependencies resolved to.
  var packageIndex = parse(host.packageIndex);

  /** 'name' or '@scope/name' and the subpath after it ('lodash/fp' -> ['lodash', 'fp']). */
  function splitPackage(name) {
    var parts = name.split('/');
    var count = name.charAt(0) === '@' ? 2 : 1;
    return [parts.slice(0, count).join('/'), parts.slice(count).join('/')];
  }

  function requirePackage(pkg, name) {
    var split = splitPackage(name);
    var deps = pkg ? packageIndex.packages[pkg].dependencies : packageIndex.roots;
    var key = Object.prototype.hasOwnProperty.call(deps, split[0]) ? deps[split[0]] : undefined;
    if (key === undefined) return undefined;
    if (split[1]) return { exports: requireFile(key, '', './' + split[1]) };
    var main = packageIndex.packages[key].main;
    return { exports: requireFile(key, '', main ? './' + main : './') };
  }

  function requireModule(pkg, name) {
    if (typeof name !== 'string') throw new TypeError('require: module name must be a string');
    if (ALLOWED.has(name)) return brigadier;
    var shown = "'" + name.slice(0, 200) + "'";
    var bare = name.slice(0, 5) === 'node:' ? name.slice(5) : name;
    var provided = PROVIDED.get(bare);
    if (provided) {
      var exported = requireBuiltin(provided[0]);
      return provided[1] ? exported[provided[1]] : exported;
    }
    if (bare === 'timers') return timerModule;
    if (bare === 'timers/promises') return timersPromises;
    if (HOST_ACCESS.has(bare)) {
      throw moduleError(
        'Cannot load module ' +
          shown +
          ": brigade.js runs in a sandbox without access to the operator's host, and " +
          shown +
          ' would give it ' +
          HOST_ACCESS.get(bare) +
          '; do that in a job',
        'ERR_SANDBOX_MODULE_REFUSED',
      );
    }
    if (NOT_PROVIDED.has(bare)) {
      throw moduleError(
        'Cannot load module ' +
          shown +
          ': the brigade.js sandbox does not provide this Node built-in; it provides ' +
          PROVIDED_NAMES,
        'ERR_SANDBOX_MODULE_REFUSED',
      );
    }
    var fromPackage = requirePackage(pkg, name);
    if (fromPackage !== undefined) return fromPackage.exports;
    throw moduleError(
      'Cannot find module ' +
        shown +
        (pkg
          ? ' from ' + pkg + ': it is not among its dependencies'
          : ": brigade.js may require 'brigadier', the Node built-ins " +
            PROVIDED_NAMES +
            ", files beside the script ('./name') and npm dependencies (brigade.json, spec.dependencies)"),
      'MODULE_NOT_FOUND',
    );
  }

  // Files beside the script (require('./lib')): CommonJS modules resolved as Node does, relative to
  // the requiring file, trying x, x.js, x.json, x/index.js, x/index.json. The host holds the files
  // and evaluates each one once, under its own name; nothing outside the script's files is reachable.
  var fileModules = new Map();

  function isRelative(name) {
    return name === '.' || name === '..' || name.slice(0, 2) === './' || name.slice(0, 3) === '../';
  }

  /** `dir` + `name` as a path under the script's directory; null when it leaves it. */
  function filePath(dir, name) {
    var parts = dir ? dir.split('/') : [];
    var segments = name.split('/');
    for (var i = 0; i < segments.length; i++) {
      var seg = segments[i];
      if (seg === '' || seg === '.') continue;
      if (seg === '..') {
        if (parts.length === 0) return null;
        parts.pop();
      } else {
        parts.push(seg);
      }
    }
    return parts.join('/');
  }

  function dirOf(path) {
    var slash = path.lastIndexOf('/');
    return slash === -1 ? '' : path.slice(0, slash);
  }

  /** A package's files live under /node_modules/<name>/, as Node would have them. */
  function packageRoot(pkg) {
    return pkg ? '/node_modules/' + pkg.slice(0, pkg.lastIndexOf('@')) + '/' : '/';
  }

  function loadFileModule(pkg, path) {
    var id = pkg + '\0' + path;
    var cached = fileModules.get(id);
    if (cached) return cached;
    var loaded = pkg ? hostLoadPackageFile(pkg, path) : hostLoadFile(path);
    if (loaded === undefined) return null;
    var filename = packageRoot(pkg) + path;
    var module = { exports: {}, id: pkg ? filename : path, filename: filename, loaded: false, children: [], paths: [] };
    // Cached before it runs, so a require cycle gets the partial exports, as in Node.
    fileModules.set(id, module);
    try {
      if (typeof loaded === 'string') {
        try {
          module.exports = parse(loaded);
        } catch (error) {
          // As Node's require does: the parse error's message, no cause.
          // eslint-disable-next-line preserve-caught-error
          throw new SyntaxError(path + ': ' + (error && error.message));
        }
      } else {
        var dirname = packageRoot(pkg) + dirOf(path);
        loaded.call(module.exports, module.exports, makeRequire(pkg, dirOf(path)), module, filename, dirname);
      }
    } catch (error) {
      fileModules.delete(id);
      throw error;
    }
    module.loaded = true;
    return module;
  }

  function requireFile(pkg, dir, name) {
    var base = filePath(dir, name);
    var candidates = [];
    if (base === '') candidates = ['index.js', 'index.json'];
    else if (base !== null) {
      if (name.slice(-1) !== '/') candidates.push(base, base + '.js', base + '.json');
      candidates.push(base + '/index.js', base + '/index.json');
    }
    for (var i = 0; i < candidates.length; i++) {
      var found = loadFileModule(pkg, candidates[i]);
      if (found) return found.exports;
    }
    throw moduleError(
      "Cannot find module '" +
        name.slice(0, 200) +
        "' from " +
        (pkg ? packageRoot(pkg).slice(1) : '') +
        (dir ? dir + '/' : pkg ? '' : 'brigade.js') +
        (base === null
          ? ": the path leaves the script's directory"
          : pkg
            ? ': no such file in the package'
            : ': no such file beside the script'),
      'MODULE_NOT_FOUND',
    );
  }

  /** require() of a file at `dir` of package `pkg` ('' for the script's own files). */
  function makeRequire(pkg, dir) {
    return function require(name) {
      if (typeof name !== 'string') throw new TypeError('require: module name must be a string');
      if (isRelative(name)) return requireFile(pkg, dir, name);
      return requireModule(pkg, name);
    };
  }

  // Timers, as in Node: the host keeps the time (bounded by the build's wall-clock limit and a cap on
  // live timers) and calls the driver's `timer(id)`; callbacks run as guest code charged to the
  // build's CPU budget. A pending timer keeps the build alive unless unref()'d, as it kept a Brigade 1
  // worker alive.
  var timers = new Map();
  var nextTimerId = 1;
  var MAX_DELAY = 2147483647;

  function Timeout(id) {
    Object.defineProperty(this, '_id', { value: id });
  }
  function setRef(timeout, ref) {
    var t = timers.get(timeout._id);
    if (t) {
      t.ref = ref;
      hostRefTimer(timeout._id, ref);
    }
    return timeout;
  }
  Timeout.prototype.ref = function () {
    return setRef(this, true);
  };
  Timeout.prototype.unref = function () {
    return setRef(this, false);
  };
  Timeout.prototype.hasRef = function () {
    var t = timers.get(this._id);
    return !!t && t.ref;
  };
  Timeout.prototype.refresh = function () {
    var t = timers.get(this._id);
    if (t) {
      hostClearTimer(this._id);
      hostSetTimer(this._id, t.delay);
      if (!t.ref) hostRefTimer(this._id, false);
    }
    return this;
  };
  Timeout.prototype[Symbol.toPrimitive] = function () {
    return this._id;
  };

  function delayOf(ms) {
    var delay = Number(ms);
    // Node: a delay that is not a number in 1..2^31-1 becomes 1.
    return delay >= 1 && delay <= MAX_DELAY ? Math.floor(delay) : 1;
  }

  function schedule(callback, delay, args, repeat) {
    if (typeof callback !== 'function') {
      throw new TypeError(
        'The "callback" argument must be of type function. Received ' + (callback === null ? 'null' : typeof callback),
      );
    }
    var id = nextTimerId++;
    hostSetTimer(id, delay);
    timers.set(id, { callback: callback, args: args, delay: delay, repeat: repeat, ref: true });
    return new Timeout(id);
  }

  function clearTimer(handle) {
    var id = handle instanceof Timeout ? handle._id : typeof handle === 'number' ? handle : NaN;
    if (!timers.has(id)) return;
    timers.delete(id);
    hostClearTimer(id);
  }

  function fireTimer(id) {
    var t = timers.get(id);
    if (!t) return;
    if (t.repeat) hostSetTimer(id, t.delay);
    else timers.delete(id);
    try {
      t.callback.apply(undefined, t.args);
    } catch (error) {
      if (uncaught === null) uncaught = faultOf(error);
    }
  }

  var timerGlobals = {
    setTimeout: function setTimeout(callback, ms) {
      return schedule(callback, delayOf(ms), Array.prototype.slice.call(arguments, 2), false);
    },
    setInterval: function setInterval(callback, ms) {
      return schedule(callback, delayOf(ms), Array.prototype.slice.call(arguments, 2), true);
    },
    setImmediate: function setImmediate(callback) {
      return schedule(callback, 0, Array.prototype.slice.call(arguments, 1), false);
    },
    clearTimeout: clearTimer,
    clearInterval: clearTimer,
    clearImmediate: clearTimer,
  };
  objectKeys(timerGlobals).forEach(function (name) {
    Object.defineProperty(globalThis, name, { value: timerGlobals[name], writable: true, configurable: true });
  });
  // util.promisify(setTimeout) and require('timers/promises'), as in Node.
  var promisifyCustom = Symbol.for('nodejs.util.promisify.custom');
  var timersPromises = Object.freeze({
    setTimeout: function (ms, value) {
      return new Promise(function (resolve) {
        timerGlobals.setTimeout(resolve, ms, value);
      });
    },
    setImmediate: function (value) {
      return new Promise(function (resolve) {
        timerGlobals.setImmediate(resolve, value);
      });
    },
  });
  Object.defineProperty(timerGlobals.setTimeout, promisifyCustom, { value: timersPromises.setTimeout });
  Object.defineProperty(timerGlobals.setImmediate, promisifyCustom, { value: timersPromises.setImmediate });
  var timerModule = Object.freeze(Object.assign({ promises: timersPromises }, timerGlobals));

  // URL, URLSearchParams and Buffer are globals in Node; their module is evaluated on first use.
  [
    ['URL', 'url'],
    ['URLSearchParams', 'url'],
    ['Buffer', 'buffer'],
  ].forEach(function (pair) {
    var name = pair[0];
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get: function () {
        var value = requireBuiltin(pair[1])[name];
        Object.defineProperty(globalThis, name, { value: value, writable: true, configurable: true });
        return value;
      },
      set: function (value) {
        Object.defineProperty(globalThis, name, { value: value, writable: true, configurable: true });
      },
    });
  });

  // QuickJS-ng implements V8's Error.prepareStackTrace, whose CallSite.getFunction() hands out the
  // functions on the stack, strict or not: the driver's own functions included. Nothing legitimate in
  // brigade.js needs it, so it is pinned to undefined.
  Object.defineProperty(Error, 'prepareStackTrace', { value: undefined, writable: false, configurable: false });

  var moduleObject = { exports: {} };
  Object.defineProperty(globalThis, 'require', { value: makeRequire('', ''), writable: true, configurable: true });
  Object.defineProperty(globalThis, 'module', { value: moduleObject, writable: true, configurable: true });
  Object.defineProperty(globalThis, 'exports', { value: moduleObject.exports, writable: true, configurable: true });
  Object.defineProperty(globalThis, 'console', { value: makeConsole(), writable: true, configurable: true });
  // Node's name for the global object, which Brigade 1 scripts use to share state between handlers.
  Object.defineProperty(globalThis, 'global', { value: globalThis, writable: true, configurable: true });

  // Deterministic replay (docs/adr/0003): the clock and Math.random return, on a replay, what the
  // first evaluation of the build saw, so a job named after Date.now() attaches to the job that
  // already exists. The host hands out recorded clock readings first, then live ones it records.
  var RealDate = Date;
  var reflectConstruct = Reflect.construct;
  var floor = Math.floor;
  function dateNow() {
    return floor(hostClock());
  }
  var PinnedDate = new Proxy(RealDate, {
    construct: function (target, args, newTarget) {
      return reflectConstruct(target, args.length === 0 ? [dateNow()] : args, newTarget);
    },
    apply: function () {
      return new RealDate(dateNow()).toString();
    },
  });
  Object.defineProperty(RealDate, 'now', {
    value: function now() {
      return dateNow();
    },
    writable: true,
    configurable: true,
  });
  Object.defineProperty(RealDate.prototype, 'constructor', { value: PinnedDate, writable: true, configurable: true });
  Object.defineProperty(globalThis, 'Date', { value: PinnedDate, writable: true, configurable: true });

  // performance.now(): milliseconds since the first reading, from the same recorded clock.
  var perfOrigin = null;
  var pinnedPerformance = {
    now: function now() {
      if (perfOrigin === null) perfOrigin = hostClock();
      return hostClock() - perfOrigin;
    },
  };
  Object.defineProperty(pinnedPerformance, 'timeOrigin', {
    get: function () {
      if (perfOrigin === null) perfOrigin = hostClock();
      return perfOrigin;
    },
  });
  Object.defineProperty(globalThis, 'performance', { value: pinnedPerformance, writable: true, configurable: true });

  // Math.random(): sfc32 seeded from the build's seed (the same sequence on every evaluation).
  var seedText = StringCtor(hostSeed());
  var h = 1779033703 ^ seedText.length;
  for (var si = 0; si < seedText.length; si++) {
    h = Math.imul(h ^ seedText.charCodeAt(si), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  function nextSeed() {
    h = Math.imul(h ^ (h >>> 16), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    return (h ^= h >>> 16) >>> 0;
  }
  var ra = nextSeed();
  var rb = nextSeed();
  var rc = nextSeed();
  var rd = nextSeed();
  Object.defineProperty(Math, 'random', {
    value: function random() {
      ra >>>= 0;
      rb >>>= 0;
      rc >>>= 0;
      rd >>>= 0;
      var t = (ra + rb) | 0;
      ra = rb ^ (rb >>> 9);
      rb = (rc + (rc << 3)) | 0;
      rc = (rc << 21) | (rc >>> 11);
      rd = (rd + 1) | 0;
      t = (t + rd) | 0;
      rc = (rc + t) | 0;
      return (t >>> 0) / 4294967296;
    },
    writable: true,
    configurable: true,
  });

  // The handlers of one event ran in order (EventEmitter semantics); the phase is over when every
  // one of their results settled. The error is a synchronous throw (which, as in emit, stopped the
  // later handlers), else the first handler's rejection in handler order.
  function settleMain(current, outcomes, thrown) {
    var errors = [];
    var pending = outcomes.length;
    function finish() {
      var error = thrown;
      for (var i = 0; error === null && i < errors.length; i++) if (errors[i] !== undefined) error = errors[i];
      current.settled = true;
      current.error = error;
    }
    if (pending === 0) return finish();
    internalDepth++;
    try {
      outcomes.forEach(function (outcome, i) {
        origThen.call(
          promiseResolve.call(Promise, outcome),
          function () {
            if (--pending === 0) finish();
          },
          function (reason) {
            errors[i] = faultOf(reason);
            if (--pending === 0) finish();
          },
        );
      });
    } finally {
      internalDepth--;
    }
  }

  // The driver: called by the host only.
  return {
    start: function (eventJson, projectJson) {
      var event = parse(eventJson);
      // Brigade 1 passed the failure itself as cause.reason; scripts read e.cause.reason.message.
      if (event.cause && event.cause.trigger !== 'success') {
        var reason = new Error(StringCtor(event.cause.reason));
        event.cause.reason = reason;
      }
      var listeners = rawListenersOf.call(events, event.type);
      var current = { settled: false, error: null };
      main = current;
      uncaught = null;
      if (listeners.length === 0) return 'nohandler';
      records.forEach(function (r) {
        r.handled = true;
      });
      var project = parse(projectJson);
      var outcomes = [];
      var thrown = null;
      for (var i = 0; i < listeners.length; i++) {
        try {
          outcomes.push(listeners[i].call(events, event, project));
        } catch (error) {
          thrown = faultOf(error);
          break;
        }
      }
      settleMain(current, outcomes, thrown);
      return 'started';
    },
    state: function () {
      var unhandled = null;
      for (var i = 0; i < records.length; i++) {
        var r = records[i];
        if (r.state === 'rejected' && !r.handled) {
          unhandled = r.reason;
          break;
        }
      }
      return stringify({ settled: main.settled, error: main.error, unhandled: unhandled, uncaught: uncaught });
    },
    timer: function (idText) {
      fireTimer(Number(idText));
      return 'fired';
    },
    handlers: function () {
      if (!events) return '[]';
      return stringify(
        eventNamesOf.call(events).filter(function (name) {
          return typeof name === 'string' && listenerCountOf.call(events, name) > 0;
        }),
      );
    },
  };
});
