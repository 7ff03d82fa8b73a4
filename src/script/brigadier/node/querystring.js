// Node's `querystring` module for brigade.js: parse/decode, stringify/encode, escape, unescape.
// GUEST CODE: evaluated inside the QuickJS sandbox, never by Node. One CommonJS wrapper.
(function querystringModule(exports, require, module) {
  'use strict';

  function qsEscape(text) {
    return encodeURIComponent(typeof text === 'string' ? text : String(text));
  }

  /** Like decodeURIComponent, but keeps malformed escapes as they are instead of throwing. */
  function qsUnescape(text) {
    var s = String(text);
    try {
      return decodeURIComponent(s);
    } catch (_malformed) {
      return s.replace(/(%[0-9A-Fa-f]{2})+/g, function (run) {
        try {
          return decodeURIComponent(run);
        } catch (_e) {
          return run;
        }
      });
    }
  }

  function stringifyPrimitive(v) {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && isFinite(v)) return String(v);
    if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
    return '';
  }

  function stringify(obj, sep, eq, options) {
    sep = sep || '&';
    eq = eq || '=';
    var encode = options && typeof options.encodeURIComponent === 'function' ? options.encodeURIComponent : qsEscape;
    if (obj === null || typeof obj !== 'object') return '';
    var parts = [];
    Object.keys(obj).forEach(function (key) {
      var value = obj[key];
      var k = encode(stringifyPrimitive(key)) + eq;
      if (Array.isArray(value))
        value.forEach(function (item) {
          parts.push(k + encode(stringifyPrimitive(item)));
        });
      else parts.push(k + encode(stringifyPrimitive(value)));
    });
    return parts.join(sep);
  }

  function parse(text, sep, eq, options) {
    var out = Object.create(null);
    if (typeof text !== 'string' || text.length === 0) return out;
    sep = sep || '&';
    eq = eq || '=';
    var maxKeys = options && typeof options.maxKeys === 'number' ? options.maxKeys : 1000;
    var decode = options && typeof options.decodeURIComponent === 'function' ? options.decodeURIComponent : qsUnescape;
    var pairs = text.split(sep);
    if (maxKeys > 0 && pairs.length > maxKeys) pairs = pairs.slice(0, maxKeys);
    pairs.forEach(function (pair) {
      if (pair.length === 0) return;
      var at = pair.indexOf(eq);
      var rawKey = at >= 0 ? pair.slice(0, at) : pair;
      var rawValue = at >= 0 ? pair.slice(at + eq.length) : '';
      var key = decode(rawKey.replace(/\+/g, ' '));
      var value = decode(rawValue.replace(/\+/g, ' '));
      if (!Object.prototype.hasOwnProperty.call(out, key)) out[key] = value;
      else if (Array.isArray(out[key])) out[key].push(value);
      else out[key] = [out[key], value];
    });
    return out;
  }

  module.exports = {
    parse: parse,
    decode: parse,
    stringify: stringify,
    encode: stringify,
    escape: qsEscape,
    unescape: qsUnescape,
  };
});
