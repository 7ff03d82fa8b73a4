// GitHub deliveries: pure parts. Which repository a delivery is about, and how its event maps to an
// Event (type from X-GitHub-Event, revision from the payload, X-GitHub-Delivery for de-duplication).
// Signature verification is in secrets.ts; project lookup and authorization in intake.ts.
import type { IncomingHttpHeaders } from 'node:http';
import { isJsonMediaType, mediaType } from './body.ts';
import { refuse } from './errors.ts';
import { isValidEventType, type EventDraft } from './event.ts';
import type { GithubRepository } from './project-intake.ts';

export interface GithubDelivery {
  event: string;
  deliveryId: string;
  payload: Record<string, unknown>;
  repository: GithubRepository;
}

export function checkGithubContentType(headers: IncomingHttpHeaders): void {
  const type = mediaType(headers['content-type']);
  if (!isJsonMediaType(type)) {
    throw refuse.unsupported('configure the GitHub webhook with content type application/json');
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function repositoryOf(payload: Record<string, unknown>): GithubRepository {
  const repo = record(payload.repository) ?? {};
  const urls = ['clone_url', 'ssh_url', 'git_url', 'html_url', 'svn_url']
    .map((k) => str(repo[k]))
    .filter((u) => u !== undefined);
  return { fullName: str(repo.full_name), urls };
}

/** Reads the delivery's headers and parsed JSON body; refuses deliveries that are not GitHub's. */
export function parseGithubDelivery(headers: IncomingHttpHeaders, parsed: unknown): GithubDelivery {
  const event = header(headers, 'x-github-event');
  const deliveryId = header(headers, 'x-github-delivery');
  if (!event || !deliveryId) throw refuse.badRequest('missing X-GitHub-Event or X-GitHub-Delivery header');
  if (!isValidEventType(event)) throw refuse.badRequest(`"${event}" is not a valid event type`);
  const payload = record(parsed);
  if (!payload) throw refuse.badRequest('GitHub payload must be a JSON object');
  return { event, deliveryId, payload, repository: repositoryOf(payload) };
}

const ZERO_SHA = /^0+$/;

type Revision = NonNullable<EventDraft['revision']>;

/** The commit and ref a delivery is about: push `after`/`ref`, pull request head sha and `refs/pull/N/head`. */
export function githubRevision(event: string, payload: Record<string, unknown>): EventDraft['revision'] {
  const pr = record(payload.pull_request);
  if (pr) return pullRequestRevision(pr, payload);
  const suite = record(payload.check_suite) ?? record(payload.check_run);
  if (suite) return checkRevision(suite);
  return event === 'ping' ? undefined : pushRevision(payload);
}

/** A pull request's head: its sha, and the pull ref GitHub keeps for it (the head branch without a number). */
function pullRequestRevision(pr: Record<string, unknown>, payload: Record<string, unknown>): Revision {
  const head = record(pr.head);
  const number = typeof pr.number === 'number' ? pr.number : payload.number;
  return { commit: str(head?.sha), ref: typeof number === 'number' ? `refs/pull/${number}/head` : str(head?.ref) };
}

/** A check suite's or check run's head commit and branch. */
function checkRevision(suite: Record<string, unknown>): Revision {
  return {
    commit: str(suite.head_sha),
    ref: str(suite.head_branch) ? `refs/heads/${str(suite.head_branch)}` : undefined,
  };
}

/** Push, create, delete and the rest: `after` (unless all zeros, a deleted ref) or the head commit, and the ref. */
function pushRevision(payload: Record<string, unknown>): Revision {
  const after = str(payload.after);
  const commit = after && !ZERO_SHA.test(after) ? after : str(record(payload.head_commit)?.id);
  const ref = str(payload.ref);
  // create/delete events name a bare branch or tag in `ref` with `ref_type`.
  const refType = str(payload.ref_type);
  const fullRef =
    ref && refType && !ref.startsWith('refs/') ? `refs/${refType === 'tag' ? 'tags' : 'heads'}/${ref}` : ref;
  return { commit, ref: fullRef };
}

export function githubDraft(opts: {
  delivery: GithubDelivery;
  body: string;
  namespace: string;
  project: string;
}): EventDraft {
  const { delivery } = opts;
  return {
    namespace: opts.namespace,
    project: opts.project,
    intake: 'github',
    type: delivery.event,
    provider: 'github',
    deliveryId: delivery.deliveryId,
    revision: githubRevision(delivery.event, delivery.payload),
    payload: opts.body,
  };
}

/** Keys a delivery of each mapped event type always has; a body without them is another event's. */
const SHAPES: Record<string, { has: string[]; lacks: string[] }> = {
  push: { has: ['ref', 'before', 'after'], lacks: ['pull_request', 'ref_type', 'check_suite', 'check_run'] },
  // A synchronize delivery has before and after too: pusher is what only a push has.
  pull_request: { has: ['pull_request', 'number', 'action'], lacks: ['pusher', 'review', 'ref_type'] },
  pull_request_review: { has: ['pull_request', 'review', 'action'], lacks: ['pusher'] },
  pull_request_review_comment: { has: ['pull_request', 'comment', 'action'], lacks: ['pusher'] },
  check_suite: { has: ['check_suite', 'action'], lacks: ['check_run', 'before', 'after'] },
  check_run: { has: ['check_run', 'action'], lacks: ['before', 'after'] },
  create: { has: ['ref', 'ref_type'], lacks: ['before', 'after', 'pull_request'] },
  delete: { has: ['ref', 'ref_type'], lacks: ['before', 'after', 'pull_request'] },
  ping: { has: ['zen', 'hook_id'], lacks: ['ref', 'pull_request'] },
};

/** A push body: what a captured push looks like whatever X-GitHub-Event it is re-posted with. */
function looksLikePush(payload: Record<string, unknown>): boolean {
  return ['ref', 'before', 'after', 'pusher'].every((k) => k in payload);
}

/**
 * Refuses a delivery whose X-GitHub-Event disagrees with its body. The signature covers the body
 * only, so without this a captured push could be re-posted as a pull_request (or any other type)
 * and start the handlers of that type.
 */
export function checkEventMatchesPayload(event: string, payload: Record<string, unknown>): void {
  const shape = SHAPES[event] as { has: string[]; lacks: string[] } | undefined;
  const missing = shape?.has.filter((k) => !(k in payload)) ?? [];
  const extra = shape?.lacks.filter((k) => k in payload) ?? [];
  if (missing.length > 0 || extra.length > 0) {
    const why = missing.length > 0 ? `has no ${missing.join(', ')}` : `has ${extra.join(', ')}`;
    throw refuse.badRequest(`X-GitHub-Event is ${event} but the payload ${why}: it is not a ${event} delivery`);
  }
  if (!shape && looksLikePush(payload)) {
    throw refuse.badRequest(`X-GitHub-Event is ${event} but the payload is a push delivery`);
  }
}
