// CloudEvents over HTTP (binary and structured content modes) parsed by the official SDK, then mapped
// to an EventDraft: `type` -> Event type, `source` -> provider, `source`+`id` -> de-duplication,
// `data` -> payload. Pure: no I/O, every refusal thrown as RefusedError.
import { CloudEvent, HTTP, type CloudEventV1 } from 'cloudevents';
import type { IncomingHttpHeaders } from 'node:http';
import { bodyText, isTextualMediaType, mediaType } from './body.ts';
import { refuse } from './errors.ts';
import { isValidEventType, type EventDraft } from './event.ts';

const STRUCTURED = 'application/cloudevents+json';
const CE_MEDIA_PREFIX = 'application/cloudevents';

/** Refuses, before the body is read, content types the gateway cannot store as a text payload. */
export function checkCloudEventContentType(headers: IncomingHttpHeaders): void {
  const type = mediaType(headers['content-type']);
  if (type.startsWith(`${CE_MEDIA_PREFIX}-batch`)) {
    throw refuse.unsupported('batched CloudEvents are not supported; send one event per request');
  }
  if (type.startsWith(CE_MEDIA_PREFIX) && type !== STRUCTURED) {
    throw refuse.unsupported(`structured mode supports ${STRUCTURED} only, not ${type}`);
  }
  if (type !== STRUCTURED && type !== '' && !isTextualMediaType(type)) {
    throw refuse.unsupported(`binary-mode data of type ${type} is not supported; payloads are stored as text`);
  }
}

/**
 * CloudEvents 0.2 (what Brigade 1's `/cloudevents/v02` endpoint took) differs from 1.0 only in names the
 * gateway reads (`contenttype`) and the version string; upgrade it so the SDK accepts it.
 */
function upgradeV02(headers: IncomingHttpHeaders, structured: Record<string, unknown> | undefined): void {
  if (headers['ce-specversion'] === '0.2') headers['ce-specversion'] = '1.0';
  if (structured?.specversion === '0.2') {
    structured.specversion = '1.0';
    if (structured.contenttype !== undefined && structured.datacontenttype === undefined) {
      structured.datacontenttype = structured.contenttype;
    }
    delete structured.contenttype;
  }
}

function parseStructuredBody(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw refuse.badRequest(`structured CloudEvent is not valid JSON: ${(err as Error).message}`, err);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw refuse.badRequest('structured CloudEvent must be a JSON object');
  }
  if ('data_base64' in parsed) {
    throw refuse.unsupported('binary event data (data_base64) is not supported; payloads are stored as text');
  }
  return parsed as Record<string, unknown>;
}

function toCloudEvent(headers: IncomingHttpHeaders, body: unknown): CloudEventV1<unknown> {
  let event: CloudEventV1<unknown> | CloudEventV1<unknown>[];
  try {
    event = HTTP.toEvent({ headers, body });
    // toEvent builds events without validating them (strict=false); validate here.
    if (event instanceof CloudEvent) event.validate();
  } catch (err) {
    throw refuse.badRequest(`not a valid CloudEvent: ${(err as Error).message}`, err);
  }
  if (Array.isArray(event)) throw refuse.unsupported('batched CloudEvents are not supported');
  return event;
}

function structuredPayload(data: unknown): string | undefined {
  if (data === undefined || data === null) return undefined;
  return typeof data === 'string' ? data : JSON.stringify(data);
}

/** Maps one HTTP request (already authorized, body read within limits) to an EventDraft. */
export function cloudEventDraft(opts: {
  headers: IncomingHttpHeaders;
  body: Buffer;
  namespace: string;
  project: string;
}): EventDraft {
  const headers: IncomingHttpHeaders = { ...opts.headers };
  const text = bodyText(opts.body);
  const structured = mediaType(headers['content-type']) === STRUCTURED;
  if (!structured && !headers['ce-id']) {
    throw refuse.badRequest(`not a CloudEvent: no ce-id header and content type is not ${STRUCTURED}`);
  }
  const envelope = structured ? parseStructuredBody(text) : undefined;
  upgradeV02(headers, envelope);
  const event = toCloudEvent(headers, envelope ?? text);
  if (!isValidEventType(event.type)) {
    throw refuse.badRequest(
      `CloudEvent type "${event.type}" is not a valid event type (letters, digits, _ . : / -; at most 253)`,
    );
  }
  return {
    namespace: opts.namespace,
    project: opts.project,
    intake: 'cloudevents',
    type: event.type,
    provider: event.source,
    deliveryId: `${event.source} ${event.id}`,
    // Binary mode: the body as received. Structured mode: `data` (JSON-serialized unless a string).
    payload: structured ? structuredPayload(event.data) : text,
  };
}
