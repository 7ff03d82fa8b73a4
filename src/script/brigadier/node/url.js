// Node's `url` module for brigade.js: the WHATWG URL and URLSearchParams classes (also globals, as in
// Node) and the legacy url.parse / url.format / url.resolve. GUEST CODE: evaluated inside the
// QuickJS sandbox, never by Node. One CommonJS wrapper. Simplified where brigade.js has no need:
// host names are lowercased but not converted to punycode, and IPv4 hosts are not canonicalised.
(function urlModule(exports, require, module) {
  'use strict';

  var querystring = require('querystring');

  var SPECIAL = { 'http:': 80, 'https:': 443, 'ws:': 80, 'wss:': 443, 'ftp:': 21, 'file:': null };
  var SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

  function isSpecial(protocol) {
    return Object.prototype.hasOwnProperty.call(SPECIAL, protocol);
  }

  function invalid(input) {
    var error = new TypeError('Invalid URL');
    error.code = 'ERR_INVALID_URL';
    error.input = input;
    return error;
  }

  function encodeSet(text, pattern) {
    return text.replace(pattern, function (ch) {
      return encodeURIComponent(ch).replace(/[!'()*]/g, function (c) {
        return '%' + c.charCodeAt(0).toString(16).toUpperCase();
      });
    });
  }

  // Characters percent-encoded in each component (the WHATWG encode sets, plus anything non-ASCII).
  var PATH_SET = /[\u0000-\u0020"#<>?`{}\u007f-\uffff]/g;
  var QUERY_SET = /[\u0000-\u0020"#<>\u007f-\uffff]/g;
  var SPECIAL_QUERY_SET = /[\u0000-\u0020"#<>'\u007f-\uffff]/g;
  var FRAGMENT_SET = /[\u0000-\u0020"<>`\u007f-\uffff]/g;
  var USERINFO_SET = /[\u0000-\u0020"#<>?`{}/:;=@[\\\]^|\u007f-\uffff]/g;

  function removeDotSegments(path) {
    var out = [];
    var segments = path.split('/');
    for (var i = 0; i < segments.length; i++) {
      var seg = segments[i];
      var last = i === segments.length - 1;
      if (seg === '.' || seg.toLowerCase() === '%2e') {
        if (last) out.push('');
      } else if (seg === '..' || /^(\.|%2e)(\.|%2e)$/i.test(seg)) {
        if (out.length > 1) out.pop();
        if (last) out.push('');
      } else {
        out.push(seg);
      }
    }
    var joined = out.join('/');
    return joined.charAt(0) === '/' ? joined : '/' + joined;
  }

  function parseAuthority(authority, record, input) {
    var at = authority.lastIndexOf('@');
    if (at >= 0) {
      var userinfo = authority.slice(0, at);
      authority = authority.slice(at + 1);
      var colon = userinfo.indexOf(':');
      record.username = encodeSet(colon >= 0 ? userinfo.slice(0, colon) : userinfo, USERINFO_SET);
      record.password = colon >= 0 ? encodeSet(userinfo.slice(colon + 1), USERINFO_SET) : '';
    }
    var m = /^(\[[0-9a-fA-F:.]+\]|[^:]*)(?::(\d*))?$/.exec(authority);
    if (!m) throw invalid(input);
    var hostname = m[1];
    if (/[\s#%/:<>?@[\\\]^|]/.test(hostname.replace(/^\[.*\]$/, ''))) throw invalid(input);
    record.hostname = isSpecial(record.protocol) ? hostname.toLowerCase() : hostname;
    if (isSpecial(record.protocol) && record.protocol !== 'file:' && record.hostname === '') throw invalid(input);
    var port = m[2] === undefined || m[2] === '' ? '' : String(Number(m[2]));
    if (port !== '' && Number(port) > 65535) throw invalid(input);
    record.port = port !== '' && SPECIAL[record.protocol] === Number(port) ? '' : port;
  }

  function splitTail(rest) {
    var hash = '';
    var search = '';
    var h = rest.indexOf('#');
    if (h >= 0) {
      hash = rest.slice(h);
      rest = rest.slice(0, h);
    }
    var q = rest.indexOf('?');
    if (q >= 0) {
      search = rest.slice(q);
      rest = rest.slice(0, q);
    }
    return { path: rest, search: search, hash: hash };
  }

  function finish(record, tail) {
    var special = isSpecial(record.protocol);
    if (record.opaque) {
      record.pathname = encodeSet(tail.path, /[\u0000-\u001f\u007f-\uffff]/g);
    } else {
      var path = special ? tail.path.replace(/\\/g, '/') : tail.path;
      record.pathname = encodeSet(
        removeDotSegments(path === '' && special ? '/' : path || (record.hostname !== null ? '' : '')),
        PATH_SET,
      );
      if (tail.path === '' && !special) record.pathname = '';
    }
    record.search =
      tail.search.length > 1 ? '?' + encodeSet(tail.search.slice(1), special ? SPECIAL_QUERY_SET : QUERY_SET) : '';
    record.hash = tail.hash.length > 1 ? '#' + encodeSet(tail.hash.slice(1), FRAGMENT_SET) : '';
    return record;
  }

  function parseAbsolute(input) {
    var text = String(input)
      .replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '')
      .replace(/[\t\n\r]/g, '');
    var scheme = SCHEME.exec(text);
    if (!scheme) return null;
    var record = {
      protocol: scheme[1].toLowerCase() + ':',
      username: '',
      password: '',
      hostname: null,
      port: '',
      opaque: false,
    };
    var rest = text.slice(scheme[0].length);
    var special = isSpecial(record.protocol);
    if (special) rest = rest.replace(/\\/g, '/');
    if (rest.slice(0, 2) === '//' || (special && record.protocol !== 'file:')) {
      // Special schemes take any number of slashes before the host; file: and others exactly two.
      rest = special && record.protocol !== 'file:' ? rest.replace(/^\/*/, '') : rest.slice(2);
      var end = rest.search(/[/?#]/);
      var authority = end === -1 ? rest : rest.slice(0, end);
      parseAuthority(authority, record, input);
      return finish(record, splitTail(end === -1 ? '' : rest.slice(end)));
    }
    if (record.protocol === 'file:') {
      record.hostname = '';
      return finish(record, splitTail(rest));
    }
    record.opaque = rest.charAt(0) !== '/';
    return finish(record, splitTail(rest));
  }

  function resolveRelative(input, base) {
    var text = String(input)
      .replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '')
      .replace(/[\t\n\r]/g, '');
    if (base.opaque) {
      if (text.charAt(0) !== '#') throw invalid(input);
      var opaque = copy(base);
      opaque.hash = text.length > 1 ? '#' + encodeSet(text.slice(1), FRAGMENT_SET) : '';
      return opaque;
    }
    var special = isSpecial(base.protocol);
    if (special) text = text.replace(/\\/g, '/');
    if (text.slice(0, 2) === '//') return parseAbsolute(base.protocol + text);
    var record = copy(base);
    var tail = splitTail(text);
    if (tail.path === '') {
      tail.path = base.pathname;
      if (text.charAt(0) !== '?' && text.charAt(0) !== '#' && text !== '') tail.search = base.search;
      if (text.charAt(0) === '#' || text === '') tail.search = base.search;
      return finish(record, tail);
    }
    if (tail.path.charAt(0) !== '/') {
      var dir = base.pathname.slice(0, base.pathname.lastIndexOf('/') + 1);
      tail.path = (dir || '/') + tail.path;
    }
    return finish(record, tail);
  }

  function copy(record) {
    return {
      protocol: record.protocol,
      username: record.username,
      password: record.password,
      hostname: record.hostname,
      port: record.port,
      opaque: record.opaque,
      pathname: record.pathname,
      search: record.search,
      hash: record.hash,
    };
  }

  function parseURL(input, base) {
    var absolute = parseAbsolute(input);
    if (absolute) return absolute;
    if (base === undefined) throw invalid(input);
    var baseRecord = base instanceof URL ? base._record : parseAbsolute(String(base));
    if (!baseRecord) throw invalid(base);
    return resolveRelative(input, baseRecord);
  }

  function hostOf(r) {
    if (r.hostname === null) return '';
    return r.hostname + (r.port ? ':' + r.port : '');
  }

  function serialize(r) {
    var out = r.protocol;
    if (r.hostname !== null) {
      out += '//';
      if (r.username || r.password) out += r.username + (r.password ? ':' + r.password : '') + '@';
      out += hostOf(r);
    }
    return out + r.pathname + r.search + r.hash;
  }

  // ---- URLSearchParams ----------------------------------------------------------------------------

  function formEncode(text) {
    return encodeURIComponent(text)
      .replace(/%20/g, '+')
      .replace(/[!'()~]/g, function (c) {
        return '%' + c.charCodeAt(0).toString(16).toUpperCase();
      });
  }

  function formDecode(text) {
    return querystring.unescape(text.replace(/\+/g, ' '));
  }

  function parsePairs(text) {
    var list = [];
    text.split('&').forEach(function (part) {
      if (part === '') return;
      var eq = part.indexOf('=');
      list.push([formDecode(eq >= 0 ? part.slice(0, eq) : part), formDecode(eq >= 0 ? part.slice(eq + 1) : '')]);
    });
    return list;
  }

  function URLSearchParams(init) {
    if (!(this instanceof URLSearchParams))
      throw new TypeError("Class constructor URLSearchParams cannot be invoked without 'new'");
    var list = [];
    if (init instanceof URLSearchParams) {
      list = init._list.map(function (p) {
        return [p[0], p[1]];
      });
    } else if (init !== null && typeof init === 'object' && typeof init[Symbol.iterator] === 'function') {
      for (var pair of init) {
        var items = Array.from(pair);
        if (items.length !== 2) throw new TypeError('Each query pair must be an iterable [name, value] tuple');
        list.push([String(items[0]), String(items[1])]);
      }
    } else if (init !== null && typeof init === 'object') {
      Object.keys(init).forEach(function (k) {
        list.push([k, String(init[k])]);
      });
    } else if (init !== undefined && init !== null) {
      var text = String(init);
      list = parsePairs(text.charAt(0) === '?' ? text.slice(1) : text);
    }
    Object.defineProperty(this, '_list', { value: list, writable: true });
    Object.defineProperty(this, '_url', { value: null, writable: true });
  }

  function touched(params) {
    if (params._url) {
      var s = params.toString();
      params._url._record.search = s ? '?' + s : '';
    }
  }

  URLSearchParams.prototype.append = function (name, value) {
    this._list.push([String(name), String(value)]);
    touched(this);
  };
  URLSearchParams.prototype.delete = function (name, value) {
    var n = String(name);
    this._list = this._list.filter(function (p) {
      return !(p[0] === n && (value === undefined || p[1] === String(value)));
    });
    touched(this);
  };
  URLSearchParams.prototype.get = function (name) {
    var n = String(name);
    for (var i = 0; i < this._list.length; i++) if (this._list[i][0] === n) return this._list[i][1];
    return null;
  };
  URLSearchParams.prototype.getAll = function (name) {
    var n = String(name);
    return this._list
      .filter(function (p) {
        return p[0] === n;
      })
      .map(function (p) {
        return p[1];
      });
  };
  URLSearchParams.prototype.has = function (name, value) {
    var n = String(name);
    return this._list.some(function (p) {
      return p[0] === n && (value === undefined || p[1] === String(value));
    });
  };
  URLSearchParams.prototype.set = function (name, value) {
    var n = String(name);
    var v = String(value);
    var found = false;
    this._list = this._list.filter(function (p) {
      if (p[0] !== n) return true;
      if (found) return false;
      found = true;
      p[1] = v;
      return true;
    });
    if (!found) this._list.push([n, v]);
    touched(this);
  };
  URLSearchParams.prototype.sort = function () {
    this._list = this._list
      .map(function (p, i) {
        return [p, i];
      })
      .sort(function (a, b) {
        return a[0][0] < b[0][0] ? -1 : a[0][0] > b[0][0] ? 1 : a[1] - b[1];
      })
      .map(function (x) {
        return x[0];
      });
    touched(this);
  };
  URLSearchParams.prototype.forEach = function (callback, thisArg) {
    var self = this;
    this._list.slice().forEach(function (p) {
      callback.call(thisArg, p[1], p[0], self);
    });
  };
  URLSearchParams.prototype.keys = function () {
    var items = this._list.map(function (p) {
      return p[0];
    });
    return items[Symbol.iterator]();
  };
  URLSearchParams.prototype.values = function () {
    var items = this._list.map(function (p) {
      return p[1];
    });
    return items[Symbol.iterator]();
  };
  URLSearchParams.prototype.entries = function () {
    var items = this._list.map(function (p) {
      return [p[0], p[1]];
    });
    return items[Symbol.iterator]();
  };
  URLSearchParams.prototype[Symbol.iterator] = URLSearchParams.prototype.entries;
  URLSearchParams.prototype.toString = function () {
    return this._list
      .map(function (p) {
        return formEncode(p[0]) + '=' + formEncode(p[1]);
      })
      .join('&');
  };
  Object.defineProperty(URLSearchParams.prototype, 'size', {
    get: function () {
      return this._list.length;
    },
  });

  // ---- URL ----------------------------------------------------------------------------------------

  function URL(input, base) {
    if (!(this instanceof URL)) throw new TypeError("Class constructor URL cannot be invoked without 'new'");
    Object.defineProperty(this, '_record', { value: parseURL(input, base), writable: true });
    Object.defineProperty(this, '_params', { value: null, writable: true });
  }

  URL.canParse = function (input, base) {
    try {
      parseURL(input, base);
      return true;
    } catch (_e) {
      return false;
    }
  };

  function accessor(name, get, set) {
    Object.defineProperty(URL.prototype, name, { get: get, set: set, enumerable: true, configurable: true });
  }

  function reparse(url, href) {
    url._record = parseURL(href);
    if (url._params) url._params._list = parsePairs(url._record.search.slice(1));
  }

  accessor(
    'href',
    function () {
      return serialize(this._record);
    },
    function (v) {
      reparse(this, String(v));
    },
  );
  accessor('origin', function () {
    var r = this._record;
    return isSpecial(r.protocol) && r.protocol !== 'file:' ? r.protocol + '//' + hostOf(r) : 'null';
  });
  accessor(
    'protocol',
    function () {
      return this._record.protocol;
    },
    function (v) {
      var p = String(v).replace(/:.*$/, '').toLowerCase() + ':';
      if (/^[a-z][a-z0-9+.-]*:$/.test(p) && isSpecial(p) === isSpecial(this._record.protocol)) {
        this._record.protocol = p;
        if (SPECIAL[p] !== undefined && String(SPECIAL[p]) === this._record.port) this._record.port = '';
      }
    },
  );
  accessor(
    'username',
    function () {
      return this._record.username;
    },
    function (v) {
      this._record.username = encodeSet(String(v), USERINFO_SET);
    },
  );
  accessor(
    'password',
    function () {
      return this._record.password;
    },
    function (v) {
      this._record.password = encodeSet(String(v), USERINFO_SET);
    },
  );
  accessor(
    'host',
    function () {
      return hostOf(this._record);
    },
    function (v) {
      try {
        reparse(
          this,
          this._record.protocol + '//' + String(v) + this._record.pathname + this._record.search + this._record.hash,
        );
      } catch (_e) {
        /* ignored, as in Node */
      }
    },
  );
  accessor(
    'hostname',
    function () {
      var h = this._record.hostname;
      return h === null ? '' : h;
    },
    function (v) {
      var port = this._record.port;
      try {
        reparse(
          this,
          this._record.protocol +
            '//' +
            String(v) +
            (port ? ':' + port : '') +
            this._record.pathname +
            this._record.search +
            this._record.hash,
        );
      } catch (_e) {
        /* ignored */
      }
    },
  );
  accessor(
    'port',
    function () {
      return this._record.port;
    },
    function (v) {
      var text = String(v);
      if (text === '') {
        this._record.port = '';
        return;
      }
      var n = parseInt(text, 10);
      if (n >= 0 && n <= 65535) this._record.port = SPECIAL[this._record.protocol] === n ? '' : String(n);
    },
  );
  accessor(
    'pathname',
    function () {
      return this._record.pathname;
    },
    function (v) {
      if (this._record.opaque) return;
      var text = String(v);
      finish(this._record, {
        path: text.charAt(0) === '/' ? text : '/' + text,
        search: this._record.search,
        hash: this._record.hash,
      });
    },
  );
  accessor(
    'search',
    function () {
      return this._record.search.length > 1 ? this._record.search : '';
    },
    function (v) {
      var text = String(v).replace(/^\?/, '');
      this._record.search = text
        ? '?' + encodeSet(text, isSpecial(this._record.protocol) ? SPECIAL_QUERY_SET : QUERY_SET)
        : '';
      if (this._params) this._params._list = parsePairs(text);
    },
  );
  accessor(
    'hash',
    function () {
      return this._record.hash.length > 1 ? this._record.hash : '';
    },
    function (v) {
      var text = String(v).replace(/^#/, '');
      this._record.hash = text ? '#' + encodeSet(text, FRAGMENT_SET) : '';
    },
  );
  accessor('searchParams', function () {
    if (!this._params) {
      this._params = new URLSearchParams(this._record.search);
      this._params._url = this;
    }
    return this._params;
  });
  URL.prototype.toString = function () {
    return this.href;
  };
  URL.prototype.toJSON = function () {
    return this.href;
  };

  // ---- legacy API ---------------------------------------------------------------------------------

  function Url() {
    this.protocol = null;
    this.slashes = null;
    this.auth = null;
    this.host = null;
    this.port = null;
    this.hostname = null;
    this.hash = null;
    this.search = null;
    this.query = null;
    this.pathname = null;
    this.path = null;
    this.href = null;
  }

  var SLASHED = {
    'http:': true,
    'https:': true,
    'ftp:': true,
    'gopher:': true,
    'file:': true,
    'ws:': true,
    'wss:': true,
  };

  function legacyParse(text, parseQueryString, slashesDenoteHost) {
    if (typeof text !== 'string') throw new TypeError('The "url" argument must be of type string');
    if (text instanceof Url) return text;
    var u = new Url();
    var rest = text.trim();
    var h = rest.indexOf('#');
    if (h >= 0) {
      u.hash = rest.slice(h);
      rest = rest.slice(0, h);
    }
    var q = rest.indexOf('?');
    if (q >= 0) {
      u.search = rest.slice(q);
      u.query = rest.slice(q + 1);
      rest = rest.slice(0, q);
    } else if (parseQueryString) {
      u.search = '';
      u.query = {};
    }
    if (parseQueryString && typeof u.query === 'string') u.query = querystring.parse(u.query);
    var proto = SCHEME.exec(rest);
    if (proto) {
      u.protocol = proto[0].toLowerCase();
      rest = rest.slice(proto[0].length);
    }
    var slashes = rest.slice(0, 2) === '//';
    var hostless = u.protocol === 'javascript:';
    var withSlashes = slashes && (u.protocol === null ? slashesDenoteHost : !hostless);
    // As in Node, a protocol that is not a slashed one (mailto:) still has a host: mailto:a@b -> auth a, host b.
    if (withSlashes || (u.protocol !== null && !hostless && !SLASHED[u.protocol])) {
      if (withSlashes) {
        u.slashes = true;
        rest = rest.slice(2);
      }
      var end = rest.search(/[/]/);
      var authority = end === -1 ? rest : rest.slice(0, end);
      rest = end === -1 ? '' : rest.slice(end);
      var at = authority.lastIndexOf('@');
      if (at >= 0) {
        u.auth = decodeURIComponent(authority.slice(0, at));
        authority = authority.slice(at + 1);
      }
      var port = /:(\d*)$/.exec(authority);
      if (port) {
        u.port = port[1] || null;
        authority = authority.slice(0, port.index);
      }
      u.hostname = authority.toLowerCase();
      u.host = u.hostname + (u.port ? ':' + u.port : '');
      if (rest === '' && SLASHED[u.protocol]) rest = '/';
    }
    u.pathname = rest === '' ? null : rest;
    u.path = (u.pathname || '') + (u.search || '') || null;
    u.href = legacyFormat(u);
    return u;
  }

  function legacyFormat(obj) {
    if (typeof obj === 'string') obj = legacyParse(obj);
    if (obj instanceof URL) return obj.href;
    if (obj === null || typeof obj !== 'object')
      throw new TypeError('The "urlObject" argument must be an object or a string');
    var protocol = obj.protocol || '';
    if (protocol && protocol.slice(-1) !== ':') protocol += ':';
    var auth = obj.auth ? encodeURIComponent(obj.auth).replace(/%3A/i, ':') + '@' : '';
    var host = '';
    if (obj.host) host = auth + obj.host;
    else if (obj.hostname) host = auth + obj.hostname + (obj.port ? ':' + obj.port : '');
    var pathname = obj.pathname || '';
    var search = obj.search || '';
    if (!search && obj.query && typeof obj.query === 'object') {
      var qs = querystring.stringify(obj.query);
      search = qs ? '?' + qs : '';
    } else if (!search && typeof obj.query === 'string' && obj.query) {
      search = '?' + obj.query;
    }
    if (search && search.charAt(0) !== '?') search = '?' + search;
    var hash = obj.hash || '';
    if (hash && hash.charAt(0) !== '#') hash = '#' + hash;
    var slashed = obj.slashes || SLASHED[protocol];
    if ((host && slashed) || (slashed && protocol === 'file:')) {
      if (pathname && pathname.charAt(0) !== '/') pathname = '/' + pathname;
      return protocol + '//' + host + pathname + search.replace('#', '%23') + hash;
    }
    if (host) return protocol + host + pathname + search.replace('#', '%23') + hash;
    return protocol + pathname + search.replace('#', '%23') + hash;
  }

  function legacyResolve(from, to) {
    var base = parseAbsolute(from);
    if (!base) base = parseAbsolute('resolve://' + (String(from).charAt(0) === '/' ? '' : '/') + from);
    var fake = base.protocol === 'resolve:';
    var resolved = serialize(parseURL(to, serialize(base)));
    return fake ? resolved.replace(/^resolve:\/\/(\/)?/, String(from).charAt(0) === '/' ? '/' : '') : resolved;
  }

  function fileURLToPath(value) {
    var url = typeof value === 'string' ? new URL(value) : value;
    if (!(url instanceof URL) || url.protocol !== 'file:') throw new TypeError('The URL must be of scheme file');
    if (url.hostname !== '') throw new TypeError('File URL host must be "localhost" or empty');
    return decodeURIComponent(url.pathname);
  }

  function pathToFileURL(path) {
    var text = String(path);
    return new URL(
      'file://' + encodeSet(text.charAt(0) === '/' ? text : '/' + text, /[%\u0000-\u0020"#<>?`{}\u007f-\uffff]/g),
    );
  }

  module.exports = {
    URL: URL,
    URLSearchParams: URLSearchParams,
    Url: Url,
    parse: legacyParse,
    format: legacyFormat,
    resolve: legacyResolve,
    fileURLToPath: fileURLToPath,
    pathToFileURL: pathToFileURL,
  };
});
