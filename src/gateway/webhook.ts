// The generic webhook: any JSON body becomes the payload; `?commit=` and `?ref=` the revision; the
// Event type comes from the project's webhook configuration, `?type=` overrides it only where the
// project allows. An `Idempotency-Key` header makes retries of one delivery create one Event.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { bodyText, isJsonMediaType, mediaType, parseJson } from './body.ts';
import { refuse } from './errors.ts';
import { isValidCommit, isValidEventType, isValidRef, type EventDraft } from './event.ts';
import { DEFAULT_WEBHOOK_TYPE, type IntakeConfig } from './project-intake.ts';

export function checkWebhookContentType(headers: IncomingHttpHeaders): void {
  const type = mediaType(headers['content-type']);
  if (type !== '' && !isJsonMediaType(type)) {
    throw refuse.unsupported(`the webhook takes application/json, not ${type}`);
  }
}

function eventType(query: URLSearchParams, config: IntakeConfig): string {
  const requested = query.get('type');
  if (requested !== null && requested !== '') {
    if (!config.allowTypeOverride) throw refuse.forbidden('this project does not allow ?type= on its webhook');
    if (!isValidEventType(requested)) throw refuse.badRequest(`"${requested}" is not a valid event type`);
    return requested;
  }
  return config.type ?? DEFAULT_WEBHOOK_TYPE;
}

function revision(query: URLSearchParams): EventDraft['revision'] {
  const commit = query.get('commit') || undefined;
  const ref = query.get('ref') || undefined;
  if (commit !== undefined && !isValidCommit(commit))
    throw refuse.badRequest('?commit= must be a hexadecimal commit id');
  if (ref !== undefined && !isValidRef(ref)) throw refuse.badRequest('?ref= is not a valid git ref');
  return commit || ref ? { commit, ref } : undefined;
}

/** The delivery's identity: its Idempotency-Key, or a fresh one (every delivery is new). */
export function deliveryId(headers: IncomingHttpHeaders): string {
  const key = headers['idempotency-key'];
  if (typeof key === 'string' && key.length > 0) {
    if (key.length > 200) throw refuse.badRequest('Idempotency-Key is longer than 200 characters');
    return key;
  }
  return randomUUID();
}

export function webhookDraft(opts: {
  headers: IncomingHttpHeaders;
  query: URLSearchParams;
  body: Buffer;
  namespace: string;
  project: string;
  config: IntakeConfig;
}): EventDraft {
  const type = eventType(opts.query, opts.config);
  const rev = revision(opts.query);
  const text = bodyText(opts.body);
  // Validated, then stored exactly as received.
  if (text.trim() !== '') parseJson(text);
  return {
    namespace: opts.namespace,
    project: opts.project,
    intake: 'webhook',
    type,
    provider: 'webhook',
    deliveryId: deliveryId(opts.headers),
    revision: rev,
    payload: text,
  };
}
