// The three intakes as request handlers: each decides, in an order that reveals as little as possible
// to an unauthenticated caller, whether a request may create Events, and returns the drafts. Nothing
// here writes to the cluster; server.ts creates the Events once a handler has returned.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { parseJson, bodyText, readBody } from './body.ts';
import { checkCloudEventContentType, cloudEventDraft } from './cloudevents.ts';
import type { IntakeCluster } from './cluster.ts';
import { refuse } from './errors.ts';
import type { EventDraft, IntakeKind } from './event.ts';
import { checkEventMatchesPayload, checkGithubContentType, githubDraft, parseGithubDelivery } from './github.ts';
import {
  intakeConfig,
  projectMatchesRepository,
  settingPath,
  type IntakeConfig,
  type ProjectLike,
} from './project-intake.ts';
import { presentedToken, secretsEqual, verifyGithubSha1Signature, verifyGithubSignature } from './secrets.ts';
import { checkWebhookContentType, webhookDraft } from './webhook.ts';

export interface IntakeDeps {
  cluster: IntakeCluster;
  /** The gateway's own namespace. */
  namespace: string | undefined;
  /**
   * Where routes that name no namespace (GitHub, Brigade 1's routes) look for projects: one
   * namespace, or all (undefined).
   */
  searchNamespace: string | undefined;
  maxBodyBytes: number;
  logger: Logger;
}

export interface IntakeRequest {
  req: IncomingMessage;
  url: URL;
  /** Decoded path parameters of the route. */
  params: string[];
}

export type IntakeResult = { kind: 'events'; drafts: EventDraft[] } | { kind: 'pong'; message: string };

export async function projectAccepting(
  deps: IntakeDeps,
  opts: { namespace: string; project: string; intake: IntakeKind },
): Promise<IntakeConfig> {
  const project = await deps.cluster.getProject(opts.namespace, opts.project);
  if (!project) throw refuse.notFound(`project ${opts.namespace}/${opts.project} not found`);
  const config = intakeConfig(project, opts.intake);
  if (!config.enabled)
    throw refuse.forbidden(`project ${opts.namespace}/${opts.project} does not accept ${opts.intake} events`);
  return config;
}

/** The shared secret of a project's intake. A project without one refuses the intake rather than accepting anyone. */
async function intakeSecret(
  deps: IntakeDeps,
  opts: { namespace: string; project: string; intake: IntakeKind; config: IntakeConfig },
): Promise<string> {
  const ref = opts.config.secretKeyRef;
  const value = ref ? await deps.cluster.readSecretKey(opts.namespace, ref) : undefined;
  if (!ref || !value) {
    deps.logger.warn(
      { namespace: opts.namespace, project: opts.project, intake: opts.intake, secret: ref?.name },
      'intake enabled but its secret is not configured or not found; refusing deliveries',
    );
    throw refuse.forbidden(`project ${opts.namespace}/${opts.project} has no usable ${opts.intake} secret configured`);
  }
  return value;
}

export interface Credentials {
  namespace: string;
  project: string;
  intake: IntakeKind;
  /** The secret as presented; undefined when the request carries none. */
  presented: string | undefined;
  /** A Brigade 1 route with the secret in its path: the project must allow that (`allowSecretInPath`). */
  inPath?: { route: string; instead: string };
}

/** The project accepts the intake and the presented secret is its secret (or it accepts none: allowUnauthenticated). */
export async function authenticate(deps: IntakeDeps, opts: Credentials): Promise<IntakeConfig> {
  const config = await projectAccepting(deps, opts);
  const where = `${opts.namespace}/${opts.project}`;
  if (opts.inPath && !config.allowSecretInPath) {
    throw refuse.forbidden(
      `project ${where} does not accept a secret in the URL (Brigade 1's ${opts.inPath.route} route): set ` +
        `${settingPath(opts.intake, 'allowSecretInPath')}: true on the Project to allow it, or ${opts.inPath.instead}`,
    );
  }
  if (opts.presented === undefined) {
    if (config.allowUnauthenticated) return config;
    const hint =
      opts.intake === 'webhook'
        ? `; to accept deliveries without a token, set ${settingPath('webhook', 'allowUnauthenticated')}: true on the Project`
        : '';
    throw refuse.unauthorized(`missing credentials: send X-Brigade-Token or Authorization: Bearer${hint}`);
  }
  if (config.allowUnauthenticated && !config.secretKeyRef) {
    throw refuse.unauthorized(
      `invalid credentials: project ${where} takes ${opts.intake} deliveries without a token and has no secret to check this one against`,
    );
  }
  const secret = await intakeSecret(deps, { ...opts, config });
  if (!secretsEqual(opts.presented, secret)) throw refuse.unauthorized('invalid credentials');
  return config;
}

/** POST /cloudevents/v1/{namespace}/{project}, token in a header. */
export async function cloudEventsV1(deps: IntakeDeps, r: IntakeRequest): Promise<IntakeResult> {
  const [namespace, project] = r.params;
  await authenticate(deps, { namespace, project, intake: 'cloudevents', presented: presentedToken(r.req.headers) });
  return cloudEventResult(deps, r, { namespace, project });
}

async function cloudEventResult(
  deps: IntakeDeps,
  r: IntakeRequest,
  where: { namespace: string; project: string },
): Promise<IntakeResult> {
  checkCloudEventContentType(r.req.headers);
  const body = await readBody(r.req, deps.maxBodyBytes);
  return { kind: 'events', drafts: [cloudEventDraft({ headers: r.req.headers, body, ...where })] };
}

/** POST /webhook/{namespace}/{project} */
export async function webhook(deps: IntakeDeps, r: IntakeRequest): Promise<IntakeResult> {
  const [namespace, project] = r.params;
  const config = await authenticate(deps, {
    namespace,
    project,
    intake: 'webhook',
    presented: presentedToken(r.req.headers),
  });
  checkWebhookContentType(r.req.headers);
  const body = await readBody(r.req, deps.maxBodyBytes);
  return {
    kind: 'events',
    drafts: [webhookDraft({ headers: r.req.headers, query: r.url.searchParams, body, namespace, project, config })],
  };
}

function nameOf(p: ProjectLike): { namespace: string; project: string } {
  return { namespace: p.metadata.namespace ?? '', project: p.metadata.name ?? '' };
}

/** POST /github: the body names the repository, so it is read (within limits) before authentication. */
export async function github(deps: IntakeDeps, r: IntakeRequest): Promise<IntakeResult> {
  checkGithubContentType(r.req.headers);
  const body = await readBody(r.req, deps.maxBodyBytes);
  const text = bodyText(body);
  const delivery = parseGithubDelivery(r.req.headers, parseJson(text));
  const candidates = (await deps.cluster.listProjects(deps.searchNamespace)).filter((p) =>
    projectMatchesRepository(p, delivery.repository),
  );
  if (candidates.length === 0)
    throw refuse.notFound(`no project for repository ${delivery.repository.fullName ?? '(none named)'}`);
  const accepting = candidates.filter((p) => intakeConfig(p, 'github').enabled);
  if (accepting.length === 0)
    throw refuse.forbidden(`no project for repository ${delivery.repository.fullName} accepts github events`);
  const verified = await verifiedProjects(deps, { accepting, headers: r.req.headers, body });
  checkEventMatchesPayload(delivery.event, delivery.payload);
  if (delivery.event === 'ping')
    return { kind: 'pong', message: `pong: ${verified.map((v) => `${v.namespace}/${v.project}`).join(', ')}` };
  const bodyDigest = createHash('sha256').update(body).digest('hex');
  return {
    kind: 'events',
    drafts: verified.map((where) => ({ ...githubDraft({ delivery, body: text, ...where }), bodyDigest })),
  };
}

/**
 * The projects whose secret signed the body: with X-Hub-Signature-256 (HMAC-SHA256) always; with
 * only X-Hub-Signature (HMAC-SHA1, Brigade 1's check) where the project allows it.
 */
async function verifiedProjects(
  deps: IntakeDeps,
  opts: { accepting: ProjectLike[]; headers: IncomingMessage['headers']; body: Buffer },
): Promise<Array<{ namespace: string; project: string }>> {
  const sha256 = opts.headers['x-hub-signature-256'];
  const sha1 = opts.headers['x-hub-signature'];
  const useSha1 = typeof sha256 !== 'string' && typeof sha1 === 'string';
  if (typeof sha256 !== 'string' && !useSha1) throw refuse.unauthorized('missing X-Hub-Signature-256 header');
  const verified: Array<{ namespace: string; project: string }> = [];
  for (const p of opts.accepting) {
    const where = nameOf(p);
    const config = intakeConfig(p, 'github');
    if (useSha1 && !config.allowSha1Signature) continue;
    const secret = await githubSecret(deps, { ...where, config });
    if (!secret) continue;
    const ok = useSha1
      ? verifyGithubSha1Signature({ body: opts.body, header: sha1, secret })
      : verifyGithubSignature({ body: opts.body, header: sha256 as string, secret });
    if (ok) verified.push(where);
  }
  if (verified.length > 0) return verified;
  if (useSha1 && !opts.accepting.some((p) => intakeConfig(p, 'github').allowSha1Signature)) {
    throw refuse.unauthorized(
      'the delivery is signed only with X-Hub-Signature (HMAC-SHA1); send X-Hub-Signature-256, or set ' +
        `${settingPath('github', 'allowSha1Signature')}: true on the Project to accept SHA-1 signatures`,
    );
  }
  throw refuse.unauthorized(useSha1 ? 'invalid X-Hub-Signature' : 'invalid X-Hub-Signature-256');
}

/** Like intakeSecret, but a project without a usable secret just does not verify (others for the repo may). */
async function githubSecret(
  deps: IntakeDeps,
  opts: { namespace: string; project: string; config: IntakeConfig },
): Promise<string | undefined> {
  try {
    return await intakeSecret(deps, { ...opts, intake: 'github' });
  } catch (err) {
    if (err instanceof Error && err.name === 'RefusedError') return undefined;
    throw err;
  }
}
