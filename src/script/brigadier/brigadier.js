// The brigadier library as brigade.js sees it. GUEST CODE: evaluated inside the QuickJS sandbox, never
// by Node. This file is one function expression; runtime.js calls it with the sandbox runtime `rt`
// (job starting, promise tracking) and gets the module's exports back.
//
// API and defaults follow Brigade 1.x (brigadier 1.5): Job, Group, Result, JobHost, JobStorage,
// JobCache, JobDockerMount, JobResourceRequest, JobResourceLimit, events.
(function brigadierFactory(rt) {
  'use strict';

  var DEFAULT_SHELL = '/bin/sh';
  var DEFAULT_TIMEOUT_MS = 15 * 60 * 1000;
  var CACHE_PATH = '/mnt/brigade/cache';
  var STORAGE_PATH = '/mnt/brigade/share';
  var MAX_JOB_NAME_LENGTH = 36;
  // brigadier 1.5's rule; the operator maps such names to Kubernetes names deterministically.
  var JOB_NAME_PATTERN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

  function jobNameIsValid(name) {
    return (
      typeof name === 'string' && name.length >= 1 && name.length <= MAX_JOB_NAME_LENGTH && JOB_NAME_PATTERN.test(name)
    );
  }

  class JobCache {
    constructor() {
      this.enabled = false;
      this.size = '5Mi';
      this.path = CACHE_PATH;
    }
  }

  class JobStorage {
    constructor() {
      this.enabled = false;
      this.path = STORAGE_PATH;
    }
  }

  class JobHost {
    constructor() {
      this.os = undefined;
      this.name = undefined;
      this.nodeSelector = new Map();
    }
  }

  class JobDockerMount {
    constructor() {
      this.enabled = false;
    }
  }

  class JobResourceRequest {
    constructor() {
      this.cpu = undefined;
      this.memory = undefined;
    }
  }

  class JobResourceLimit {
    constructor() {
      this.cpu = undefined;
      this.memory = undefined;
    }
  }

  class Result {
    constructor(data) {
      this.data = data;
    }
    toString() {
      return this.data;
    }
  }

  class Job {
    constructor(name, image, tasks, imageForcePull) {
      if (!jobNameIsValid(name)) {
        throw new Error(
          'invalid job name ' +
            JSON.stringify(String(name)) +
            ': job names must be ' +
            '1 to ' +
            MAX_JOB_NAME_LENGTH +
            " characters of lowercase letters, digits, '-' and '.', " +
            'starting and ending with a letter or digit',
        );
      }
      this.name = name;
      this.image = image || '';
      this.imageForcePull = imageForcePull === true;
      this.imagePullSecrets = [];
      this.tasks = tasks || [];
      this.shell = DEFAULT_SHELL;
      this.args = [];
      this.env = {};
      this.mountPath = '/src';
      this.timeout = DEFAULT_TIMEOUT_MS;
      this.useSource = true;
      this.privileged = false;
      this.host = new JobHost();
      this.cache = new JobCache();
      this.storage = new JobStorage();
      this.docker = new JobDockerMount();
      this.serviceAccount = undefined;
      this.annotations = {};
      this.resourceRequests = new JobResourceRequest();
      this.resourceLimits = new JobResourceLimit();
      this.volumes = [];
      this.volumeMounts = [];
      this.streamLogs = false;
      this._podName = '';
      this._background = undefined;
    }

    /** The pod's name once the job was started; '' before. A property, as in brigadier 1.x. */
    get podName() {
      return this._podName;
    }

    /** Runs the job; resolves with its Result, rejects when it fails. */
    run() {
      return rt.startJob(this, Result);
    }

    /** The job's log so far (its whole log once it finished); rejects before run(). */
    logs() {
      return rt.jobLogs(this);
    }

    /** Starts the job without waiting; `wait()` returns its promise. */
    background() {
      if (this._background === undefined) this._background = this.run();
      return this;
    }

    wait() {
      if (this._background === undefined) {
        return rt.rejected(new Error('job ' + this.name + ' was not started with background()'));
      }
      return this._background;
    }
  }

  class Group {
    constructor(jobs) {
      this.jobs = [];
      if (jobs !== undefined) this.add.apply(this, jobs);
    }

    /** Adds Jobs, or any object with a run() method (Brigade 1 ran whatever a Group held). */
    add() {
      for (var i = 0; i < arguments.length; i++) {
        var job = arguments[i];
        if (!(job instanceof Job) && !(job !== null && typeof job === 'object' && typeof job.run === 'function')) {
          throw new TypeError('Group.add accepts Jobs or objects with a run() method');
        }
        this.jobs.push(job);
      }
    }

    length() {
      return this.jobs.length;
    }

    /** Runs all jobs at once; resolves with their Results in order, rejects on the first failure. */
    runAll() {
      return Group.runAll(this.jobs);
    }

    /** Runs the jobs one after the other; stops at the first failure. */
    runEach() {
      return Group.runEach(this.jobs);
    }

    static runAll(jobs) {
      var started = [];
      for (var i = 0; i < jobs.length; i++) started.push(jobs[i].run());
      return rt.all(started);
    }

    static runEach(jobs) {
      var list = Array.prototype.slice.call(jobs);
      var results = [];
      function next(i) {
        if (i >= list.length) return results;
        // run() of a non-Job member may return a plain value.
        return rt.resolved(list[i].run()).then(function (result) {
          results.push(result);
          return next(i + 1);
        });
      }
      return rt.resolved(undefined).then(function () {
        return next(0);
      });
    }
  }

  var EventEmitter = rt.requireBuiltin('events');

  /**
   * Brigade 1's EventRegistry: an EventEmitter, so several handlers of one event type all run, in the
   * order they were added; `once`, `emit`, `listenerCount` and the rest work as in Node.
   */
  class EventRegistry extends EventEmitter {
    has(name) {
      return this.listenerCount(name) > 0;
    }
    /** Emits the event's type with (event, project), as brigadier's fire() did. */
    fire(e, proj) {
      this.emit(e.type, e, proj);
    }
  }

  var events = new EventRegistry();
  rt.useEvents(events);

  return {
    events: events,
    fire: function fire(e, proj) {
      events.fire(e, proj);
    },
    Job: Job,
    Group: Group,
    Result: Result,
    JobHost: JobHost,
    JobStorage: JobStorage,
    JobCache: JobCache,
    JobDockerMount: JobDockerMount,
    JobResourceRequest: JobResourceRequest,
    JobResourceLimit: JobResourceLimit,
    jobNameIsValid: jobNameIsValid,
  };
});
