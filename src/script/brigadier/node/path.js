// Node's `path` module for brigade.js: the POSIX implementation (`path.posix`; `path.win32` is not
// provided). The working directory for resolve() is `/`, the sandbox has no other. GUEST CODE:
// evaluated inside the QuickJS sandbox, never by Node. One CommonJS wrapper.
(function pathModule(exports, require, module) {
  'use strict';

  function assertPath(value, name) {
    if (typeof value !== 'string') {
      throw new TypeError(
        'The "' +
          (name || 'path') +
          '" argument must be of type string. Received ' +
          (value === null ? 'null' : typeof value),
      );
    }
  }

  /** Resolves '.' and '..' segments; keeps a leading '..' of relative paths. */
  function normalizeSegments(path, allowAboveRoot) {
    var out = [];
    var parts = path.split('/');
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i];
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
        else if (allowAboveRoot) out.push('..');
        continue;
      }
      out.push(part);
    }
    return out.join('/');
  }

  function isAbsolute(path) {
    assertPath(path);
    return path.length > 0 && path.charAt(0) === '/';
  }

  function normalize(path) {
    assertPath(path);
    if (path.length === 0) return '.';
    var absolute = isAbsolute(path);
    var trailing = path.charAt(path.length - 1) === '/';
    var body = normalizeSegments(path, !absolute);
    if (body.length === 0 && !absolute) body = '.';
    if (body.length > 0 && trailing) body += '/';
    return (absolute ? '/' : '') + body;
  }

  function join() {
    var parts = [];
    for (var i = 0; i < arguments.length; i++) {
      assertPath(arguments[i]);
      if (arguments[i].length > 0) parts.push(arguments[i]);
    }
    return parts.length === 0 ? '.' : normalize(parts.join('/'));
  }

  function resolve() {
    var resolved = '';
    var absolute = false;
    for (var i = arguments.length - 1; i >= -1 && !absolute; i--) {
      var path = i >= 0 ? arguments[i] : '/';
      assertPath(path);
      if (path.length === 0) continue;
      resolved = path + '/' + resolved;
      absolute = path.charAt(0) === '/';
    }
    var body = normalizeSegments(resolved, false);
    return '/' + body;
  }

  function relative(from, to) {
    assertPath(from, 'from');
    assertPath(to, 'to');
    if (from === to) return '';
    var a = resolve(from).split('/').filter(Boolean);
    var b = resolve(to).split('/').filter(Boolean);
    var common = 0;
    while (common < a.length && common < b.length && a[common] === b[common]) common++;
    var up = [];
    for (var i = common; i < a.length; i++) up.push('..');
    return up.concat(b.slice(common)).join('/');
  }

  function trimTrailing(path) {
    var end = path.length;
    while (end > 1 && path.charAt(end - 1) === '/') end--;
    return path.slice(0, end);
  }

  /** Everything before the last segment, as Node has it (`/a//b` -> `/a/`, `//a` -> `//`). */
  function dirname(path) {
    assertPath(path);
    if (path.length === 0) return '.';
    var rooted = path.charAt(0) === '/';
    var end = -1;
    var seenName = false;
    for (var i = path.length - 1; i >= 1; i--) {
      if (path.charAt(i) !== '/') seenName = true;
      else if (seenName) {
        end = i;
        break;
      }
    }
    if (end === -1) return rooted ? '/' : '.';
    if (rooted && end === 1) return '//';
    return path.slice(0, end);
  }

  function basename(path, ext) {
    assertPath(path);
    if (ext !== undefined) assertPath(ext, 'ext');
    var trimmed = trimTrailing(path);
    if (trimmed === '/') return '';
    var base = trimmed.slice(trimmed.lastIndexOf('/') + 1);
    if (ext !== undefined && ext.length > 0 && base !== ext && base.slice(-ext.length) === ext)
      base = base.slice(0, -ext.length);
    return base;
  }

  function extname(path) {
    assertPath(path);
    var base = basename(path);
    var dot = base.lastIndexOf('.');
    if (dot <= 0 || base === '..') return '';
    return base.slice(dot);
  }

  function parse(path) {
    assertPath(path);
    var root = isAbsolute(path) ? '/' : '';
    var base = basename(path);
    var ext = extname(path);
    var dir = dirname(path);
    if (dir === '.' && path.indexOf('/') === -1) dir = '';
    return { root: root, dir: dir, base: base, ext: ext, name: ext ? base.slice(0, base.length - ext.length) : base };
  }

  function format(obj) {
    if (obj === null || typeof obj !== 'object')
      throw new TypeError('The "pathObject" argument must be of type object');
    var dir = obj.dir || obj.root;
    var base = obj.base || (obj.name || '') + (obj.ext ? (obj.ext.charAt(0) === '.' ? '' : '.') + obj.ext : '');
    if (!dir) return base;
    return dir === obj.root ? dir + base : dir + '/' + base;
  }

  var posix = {
    sep: '/',
    delimiter: ':',
    isAbsolute: isAbsolute,
    normalize: normalize,
    join: join,
    resolve: resolve,
    relative: relative,
    dirname: dirname,
    basename: basename,
    extname: extname,
    parse: parse,
    format: format,
    toNamespacedPath: function (p) {
      return p;
    },
  };
  posix.posix = posix;
  module.exports = posix;
});
