// Node's `events` module for brigade.js: EventEmitter with Node's semantics (listeners run in the
// order added, synchronously, on a copy of the list; `once` wrappers remove themselves first;
// 'newListener' / 'removeListener'; `emit('error')` without a listener throws). GUEST CODE: evaluated
// inside the QuickJS sandbox, never by Node. One CommonJS wrapper; `internal` is the sandbox
// runtime's hook for listener promises that reject with nobody to handle them (Node reports those as
// unhandled rejections, which fail a Brigade 1 build).
(function eventsModule(exports, require, module, internal) {
  'use strict';

  var kDefaultMaxListeners = 10;
  var errorMonitor = Symbol('events.errorMonitor');

  function checkListener(listener) {
    if (typeof listener !== 'function') {
      throw new TypeError(
        'The "listener" argument must be of type function. Received ' + (listener === null ? 'null' : typeof listener),
      );
    }
  }

  function store(emitter) {
    if (!emitter._events || !(emitter._events instanceof Map)) {
      Object.defineProperty(emitter, '_events', {
        value: new Map(),
        writable: true,
        configurable: true,
        enumerable: false,
      });
    }
    return emitter._events;
  }

  function EventEmitter(opts) {
    if (!(this instanceof EventEmitter))
      throw new TypeError("Class constructor EventEmitter cannot be invoked without 'new'");
    EventEmitter.init.call(this, opts);
  }

  EventEmitter.init = function init() {
    store(this);
    if (this._maxListeners === undefined) {
      Object.defineProperty(this, '_maxListeners', {
        value: undefined,
        writable: true,
        configurable: true,
        enumerable: false,
      });
    }
  };

  Object.defineProperty(EventEmitter, 'defaultMaxListeners', {
    enumerable: true,
    get: function () {
      return kDefaultMaxListeners;
    },
    set: function (n) {
      if (typeof n !== 'number' || n < 0 || n !== n)
        throw new RangeError('The value of "defaultMaxListeners" is out of range.');
      kDefaultMaxListeners = n;
    },
  });

  EventEmitter.prototype.setMaxListeners = function setMaxListeners(n) {
    if (typeof n !== 'number' || n < 0 || n !== n) throw new RangeError('The value of "n" is out of range.');
    store(this);
    Object.defineProperty(this, '_maxListeners', { value: n, writable: true, configurable: true, enumerable: false });
    return this;
  };

  EventEmitter.prototype.getMaxListeners = function getMaxListeners() {
    return this._maxListeners === undefined ? kDefaultMaxListeners : this._maxListeners;
  };

  function addListener(target, type, listener, prepend) {
    checkListener(listener);
    var events = store(target);
    if (events.has('newListener')) target.emit('newListener', type, listener.listener ? listener.listener : listener);
    var list = events.get(type);
    if (!list) {
      list = [];
      events.set(type, list);
    }
    if (prepend) list.unshift(listener);
    else list.push(listener);
    var max = target.getMaxListeners();
    if (max > 0 && list.length > max && !list.warned) {
      list.warned = true;
      if (typeof console !== 'undefined' && console.warn) {
        console.warn(
          'MaxListenersExceededWarning: Possible EventEmitter memory leak detected. ' +
            list.length +
            ' ' +
            String(type) +
            ' listeners added. Use emitter.setMaxListeners() to increase limit',
        );
      }
    }
    return target;
  }

  EventEmitter.prototype.addListener = function (type, listener) {
    return addListener(this, type, listener, false);
  };
  EventEmitter.prototype.on = EventEmitter.prototype.addListener;
  EventEmitter.prototype.prependListener = function (type, listener) {
    return addListener(this, type, listener, true);
  };

  function onceWrapper(target, type, listener) {
    var state = { fired: false };
    function wrapper() {
      if (state.fired) return undefined;
      state.fired = true;
      target.removeListener(type, wrapper);
      return listener.apply(target, arguments);
    }
    wrapper.listener = listener;
    return wrapper;
  }

  EventEmitter.prototype.once = function once(type, listener) {
    checkListener(listener);
    return this.on(type, onceWrapper(this, type, listener));
  };

  EventEmitter.prototype.prependOnceListener = function prependOnceListener(type, listener) {
    checkListener(listener);
    return this.prependListener(type, onceWrapper(this, type, listener));
  };

  EventEmitter.prototype.removeListener = function removeListener(type, listener) {
    checkListener(listener);
    var events = store(this);
    var list = events.get(type);
    if (!list) return this;
    for (var i = list.length - 1; i >= 0; i--) {
      if (list[i] === listener || list[i].listener === listener) {
        var removed = list[i];
        list.splice(i, 1);
        if (list.length === 0) events.delete(type);
        if (events.has('removeListener')) this.emit('removeListener', type, removed.listener || removed);
        break;
      }
    }
    return this;
  };
  EventEmitter.prototype.off = EventEmitter.prototype.removeListener;

  EventEmitter.prototype.removeAllListeners = function removeAllListeners(type) {
    var events = store(this);
    var self = this;
    if (arguments.length === 0) {
      var names = Array.from(events.keys()).filter(function (n) {
        return n !== 'removeListener';
      });
      names.forEach(function (n) {
        self.removeAllListeners(n);
      });
      events.delete('removeListener');
      return this;
    }
    var list = events.get(type);
    if (!list) return this;
    if (!events.has('removeListener') || type === 'removeListener') {
      events.delete(type);
      return this;
    }
    for (var i = list.length - 1; i >= 0; i--) this.removeListener(type, list[i]);
    return this;
  };

  EventEmitter.prototype.listeners = function listeners(type) {
    var list = store(this).get(type);
    return list
      ? list.map(function (l) {
          return l.listener || l;
        })
      : [];
  };

  EventEmitter.prototype.rawListeners = function rawListeners(type) {
    var list = store(this).get(type);
    return list ? list.slice() : [];
  };

  EventEmitter.prototype.listenerCount = function listenerCount(type, listener) {
    var list = store(this).get(type);
    if (!list) return 0;
    if (listener === undefined) return list.length;
    return list.filter(function (l) {
      return l === listener || l.listener === listener;
    }).length;
  };

  EventEmitter.prototype.eventNames = function eventNames() {
    return Array.from(store(this).keys());
  };

  function unhandledError(err) {
    if (err instanceof Error) return err;
    var error = new Error(
      'Unhandled error. (' +
        (function () {
          try {
            return String(err);
          } catch (_e) {
            return typeof err;
          }
        })() +
        ')',
    );
    error.code = 'ERR_UNHANDLED_ERROR';
    error.context = err;
    return error;
  }

  /** Calls the listeners of `type` in order; returns their return values (for the sandbox runtime). */
  function callListeners(target, type, args) {
    var list = store(target).get(type);
    if (!list) return [];
    var copy = list.slice();
    var results = [];
    for (var i = 0; i < copy.length; i++) results.push(copy[i].apply(target, args));
    return results;
  }

  EventEmitter.prototype.emit = function emit(type) {
    var args = Array.prototype.slice.call(arguments, 1);
    var events = store(this);
    if (type === 'error') {
      if (events.has(errorMonitor)) callListeners(this, errorMonitor, args);
      if (!events.has('error')) throw unhandledError(args[0]);
    }
    if (!events.has(type)) return false;
    var results = callListeners(this, type, args);
    // An async listener that rejects has nobody to handle its rejection (emit drops the promise).
    if (internal)
      results.forEach(function (r) {
        internal.unhandledIfRejected(r);
      });
    return true;
  };

  /** Resolves with the arguments of the next `name` event; rejects on 'error' first. */
  EventEmitter.once = function staticOnce(emitter, name) {
    return new Promise(function (resolve, reject) {
      function onError(err) {
        emitter.removeListener(name, onEvent);
        reject(err);
      }
      function onEvent() {
        if (name !== 'error') emitter.removeListener('error', onError);
        resolve(Array.prototype.slice.call(arguments));
      }
      emitter.once(name, onEvent);
      if (name !== 'error') emitter.once('error', onError);
    });
  };

  EventEmitter.listenerCount = function staticListenerCount(emitter, type) {
    return emitter.listenerCount(type);
  };

  EventEmitter.EventEmitter = EventEmitter;
  EventEmitter.errorMonitor = errorMonitor;
  EventEmitter.captureRejections = false;
  module.exports = EventEmitter;
});
