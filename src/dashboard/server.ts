// The dashboard's HTTP server: the built front end, the live views as Server-Sent Events, the job
// logs, and (only when enabled) the cancel and rerun actions. Guarded against the browser-borne
// attacks a local server meets: a Host check (DNS rebinding), JSON-only same-origin POSTs (CSRF), a
// strict Content-Security-Policy, and in the CLI mode a session token, since that server holds the
// user's own credentials.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { apiMessage, apiStatusCode, KubeApiError } from '../kube/errors.ts';
import { ActionRefused, type DashboardActions, type Viewer } from './actions.ts';
import { loadAssets, type Asset } from './assets.ts';
import { buildsOfProject, jobsOfBuild, nodeLabels, type DashboardData } from './data.ts';
import { EventStream, LiveViews, type Topic } from './live.ts';
import { streamJobLog } from './log-stream.ts';
import type { JobLogs } from './logs.ts';
import { buildView, filterBuilds, projectView, type BuildFilter, type ViewSettings } from './views.ts';

/** Where the operator-served dashboard finds the user its authenticating proxy vouched for. */
export interface ProxyIdentity {
  /** e.g. X-Forwarded-User (oauth2-proxy) or X-Remote-User. */
  userHeader: string;
  /** e.g. X-Forwarded-Groups: comma-separated groups. */
  groupsHeader?: string;
}

export interface DashboardOptions {
  data: DashboardData;
  logs: JobLogs;
  /** The changes it may make; read-only when unset. */
  actions?: DashboardActions;
  /** Operator mode: the identity headers of the trusted proxy in front of it. */
  identity?: ProxyIdentity;
  /** CLI mode: the session token the printed URL carries; every request must hold it. */
  token?: string;
  /** Host names it answers besides localhost (the name a proxy or Ingress uses). */
  allowedHosts?: readonly string[];
  port?: number;
  host?: string;
  logger: Logger;
  assetsDir?: string;
}

export interface RunningDashboard {
  /** The URL to open (with the session token in the CLI mode). */
  url: string;
  port: number;
  close(): Promise<void>;
}

const SESSION_COOKIE = 'brigade_dashboard';
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

interface Context {
  o: DashboardOptions;
  assets: Map<string, Asset>;
  live: LiveViews;
  settings: ViewSettings;
}

export async function startDashboard(o: DashboardOptions): Promise<RunningDashboard> {
  const assets = await loadAssets(o.assetsDir);
  const settings: ViewSettings = {
    actions: { cancel: o.actions !== undefined, rerun: o.actions?.rerun !== undefined },
  };
  const ctx: Context = { o, assets, live: new LiveViews(o.data), settings };
  const server = createServer((req, res) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    handle(ctx, req, res).catch((err: unknown) => {
      o.logger.warn({ err: apiMessage(err), url: req.url }, 'dashboard request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.end();
    });
  });
  const host = o.host ?? '127.0.0.1';
  await listen(server, o.port ?? 0, host);
  const port = (server.address() as AddressInfo).port;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}/${o.token ? `?token=${o.token}` : ''}`;
  return {
    url,
    port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(text);
}

/** The Host header names this server (not a rebinding attacker's name that resolves to it). */
export function hostAllowed(hostHeader: string | undefined, extra: readonly string[]): boolean {
  if (!hostHeader) return false;
  const name = hostHeader.replace(/:\d+$/, '').toLowerCase();
  return LOCAL_HOSTS.has(name) || extra.some((h) => h.toLowerCase() === name);
}

const sameToken = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** CLI mode: the token from the printed URL becomes a same-site cookie, and the URL loses it. */
function sessionGate(token: string, req: IncomingMessage, url: URL, res: ServerResponse): boolean {
  const offered = url.searchParams.get('token');
  if (offered !== null && url.pathname === '/' && sameToken(offered, token)) {
    res.writeHead(303, {
      location: '/',
      'set-cookie': `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
    });
    res.end();
    return false;
  }
  const held = cookie(req, SESSION_COOKIE);
  if (held !== undefined && sameToken(held, token)) return true;
  res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('Open the dashboard with the URL `brigade-operator dashboard` printed (it carries a session token).\n');
  return false;
}

async function handle(ctx: Context, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!hostAllowed(req.headers.host, ctx.o.allowedHosts ?? [])) {
    sendJson(res, 403, { error: `host ${req.headers.host ?? '(none)'} is not served here` });
    return;
  }
  const url = new URL(req.url ?? '/', 'http://dashboard');
  if (ctx.o.token && !sessionGate(ctx.o.token, req, url, res)) return;
  if (url.pathname.startsWith('/api/')) {
    await api(ctx, req, url, res);
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { error: 'method not allowed' });
    return;
  }
  const asset = ctx.assets.get(url.pathname);
  if (!asset) {
    sendJson(res, 404, { error: 'not found' });
    return;
  }
  res.writeHead(200, {
    'content-type': asset.type,
    'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : asset.body);
}

const segments = (path: string): string[] => path.split('/').filter(Boolean).map(decodeURIComponent);

async function api(ctx: Context, req: IncomingMessage, url: URL, res: ServerResponse): Promise<void> {
  const [, what, ...rest] = segments(url.pathname);
  if (req.method === 'POST' && what === 'builds' && rest.length === 3) {
    await act(ctx, req, res, { namespace: rest[0], build: rest[1], action: rest[2] });
    return;
  }
  if (req.method !== 'GET') {
    sendJson(res, 405, { error: 'method not allowed' });
    return;
  }
  if (what === 'config') {
    sendJson(res, 200, { actions: ctx.settings.actions });
    return;
  }
  if (what === 'live') {
    live(ctx, res, topicOf(rest), filterOf(url));
    return;
  }
  if (what === 'log' && rest.length === 2) {
    await streamJobLog({ data: ctx.o.data, logs: ctx.o.logs, namespace: rest[0], job: rest[1], res });
    return;
  }
  sendJson(res, 404, { error: 'not found' });
}

function topicOf(rest: string[]): Topic | undefined {
  const [view, namespace, name] = rest;
  if (view === 'projects' && rest.length === 1) return { view: 'projects' };
  if (view === 'builds' && rest.length === 3) return { view: 'builds', namespace, project: name };
  if (view === 'build' && rest.length === 3) return { view: 'build', namespace, name };
  return undefined;
}

function filterOf(url: URL): BuildFilter {
  const get = (k: string): string | undefined => url.searchParams.get(k) ?? undefined;
  return { phase: get('phase'), type: get('type'), ref: get('ref') };
}

function live(ctx: Context, res: ServerResponse, topic: Topic | undefined, filter: BuildFilter): void {
  if (!topic) {
    sendJson(res, 404, { error: 'no such view' });
    return;
  }
  const { data } = ctx.o;
  const render = (): unknown => {
    switch (topic.view) {
      case 'projects':
        return data.projects
          .list()
          .map((p) => projectView(p, buildsOfProject(data, p.metadata.namespace ?? '', p.metadata.name ?? '')))
          .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
      case 'builds':
        return { builds: filterBuilds(buildsOfProject(data, topic.namespace, topic.project), filter) };
      case 'build': {
        const build = data.builds.get(topic.namespace, topic.name);
        if (!build) return { missing: true };
        const jobs = jobsOfBuild(data, topic.namespace, topic.name);
        return buildView(build, jobs, { nodes: nodeLabels(data), settings: ctx.settings });
      }
    }
  };
  ctx.live.subscribe(new EventStream(res), topic, render);
}

function viewerOf(req: IncomingMessage, identity: ProxyIdentity | undefined): Viewer | undefined {
  if (!identity) return undefined;
  const header = (name: string): string => {
    const v = req.headers[name.toLowerCase()];
    return (Array.isArray(v) ? v.join(',') : (v ?? '')).trim();
  };
  const user = header(identity.userHeader);
  if (!user) return undefined;
  const groups = identity.groupsHeader
    ? header(identity.groupsHeader)
        .split(',')
        .map((g) => g.trim())
        .filter(Boolean)
    : [];
  return { user, groups };
}

/** A change may only come from this dashboard's own page: JSON, and from its own origin. */
function crossSite(req: IncomingMessage): boolean {
  const json = (req.headers['content-type'] ?? '').startsWith('application/json');
  const origin = req.headers.origin;
  return (
    !json ||
    (origin !== undefined &&
      origin !== `http://${req.headers.host ?? ''}` &&
      origin !== `https://${req.headers.host ?? ''}`)
  );
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) {
    text += (chunk as Buffer).toString();
    if (text.length > 4096) throw new ActionRefused(413, 'request body too large');
  }
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ActionRefused(400, `the request body is not JSON: ${(err as Error).message}`);
  }
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
}

const KNOWN_REFUSALS = new Set([400, 403, 404, 409, 413, 422]);

/** The answer to a failed action: refusals (ours or the API server's) as they are, anything else 502. */
function refusal(err: unknown): { status: number; error: string } {
  if (err instanceof ActionRefused) return { status: err.status, error: err.message };
  const cause = err instanceof KubeApiError ? err.cause : err;
  const status = apiStatusCode(cause);
  return { status: status !== undefined && KNOWN_REFUSALS.has(status) ? status : 502, error: apiMessage(cause) };
}

async function act(
  ctx: Context,
  req: IncomingMessage,
  res: ServerResponse,
  a: { namespace: string; build: string; action: string },
): Promise<void> {
  const actions = ctx.o.actions;
  if (!actions) {
    sendJson(res, 403, { error: 'this dashboard is read-only (actions are not enabled)' });
    return;
  }
  if (crossSite(req)) {
    sendJson(res, 403, { error: 'cross-site request refused' });
    return;
  }
  const viewer = viewerOf(req, ctx.o.identity);
  const target = { namespace: a.namespace, build: a.build };
  try {
    const body = await readJson(req);
    if (!ctx.o.data.builds.get(a.namespace, a.build)) throw new ActionRefused(404, `build ${a.build} not found`);
    if (a.action === 'cancel') {
      await actions.cancel(viewer, target);
      ctx.o.logger.info({ ...target, user: viewer?.user }, 'dashboard: build cancel requested');
      sendJson(res, 202, { cancelled: a.build });
    } else if (a.action === 'rerun' && actions.rerun) {
      const build = await actions.rerun(viewer, { ...target, all: body.all === true });
      ctx.o.logger.info({ ...target, rerun: build, user: viewer?.user }, 'dashboard: build rerun requested');
      sendJson(res, 201, { build });
    } else sendJson(res, 404, { error: `no action ${a.action}` });
  } catch (err) {
    const answer = refusal(err);
    sendJson(res, answer.status, { error: answer.error });
  }
}
