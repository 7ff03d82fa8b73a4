// Handlers for resource endpoints: get, list, watch, create, update, patch, delete,
// deletecollection, the status subresource, and the review kinds that are answered, not stored.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeleteOptions, KubeObject } from '../../types.ts';
import type { FieldValidation } from '../admission.ts';
import type { ApiStore } from '../api-store.ts';
import { badRequest, methodNotAllowed, pageNotFound, unsupportedMediaType } from '../errors.ts';
import { deleteObject } from '../lifecycle.ts';
import { nameOf, sentMetadata } from '../meta.ts';
import { parsePatchBody, patchTypeOf } from '../patching.ts';
import { list } from '../reads.ts';
import { apiVersionOf, storageKey } from '../resources.ts';
import type { ResourceType } from '../resources.ts';
import { decodeProtobufObject } from './protobuf.ts';
import { addWarnings, negotiate, readBody, readBodyBytes, sendJson } from './respond.ts';
import type { ResourceRoute } from './route.ts';
import { partialMetadata, toTable } from './table.ts';
import type { IncludeObject } from './table.ts';
import { serveWatch } from './watch.ts';
import type { WatchStreams } from './watch.ts';

export interface HandlerContext {
  store: ApiStore;
  streams: WatchStreams;
  bookmarkIntervalMs: number;
}

export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
}

const BODY_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

/**
 * Reads an object body: JSON, YAML, or protobuf for the built-in kinds kubectl's typed commands send
 * (see protobuf.ts). Anything else gets 415 (client-go falls back to JSON after a 415 for CBOR).
 */
async function readJsonBody(ex: Exchange): Promise<KubeObject> {
  const type = (ex.req.headers['content-type'] || 'application/json').split(';')[0].trim();
  if (!BODY_TYPES.includes(type)) throw unsupportedMediaType(BODY_TYPES.slice(0, 2));
  if (type === 'application/vnd.kubernetes.protobuf') {
    const decoded = decodeProtobufObject(await readBodyBytes(ex.req));
    return { ...decoded, metadata: decoded['metadata'] ?? {} } as KubeObject;
  }
  const text = await readBody(ex.req);
  if (type === 'application/json') return parseJson(text);
  return parseJson(JSON.stringify(parsePatchBody('apply', text)));
}

function parseJson(text: string): KubeObject {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error('expected a JSON object');
    return parsed as KubeObject;
  } catch (err) {
    throw badRequest(`error decoding request body: ${(err as Error).message}`, undefined, { cause: err });
  }
}

function fieldValidation(query: URLSearchParams): FieldValidation {
  const v = query.get('fieldValidation');
  if (!v) return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation parameter unsupported: ${v}`);
}

function writeOptions(query: URLSearchParams): { dryRun: boolean; fieldValidation: FieldValidation } {
  const dryRun = query.getAll('dryRun');
  if (dryRun.some((d) => d !== 'All')) throw badRequest(`Invalid dryRun value: ${dryRun.join(',')}`);
  return { dryRun: dryRun.length > 0, fieldValidation: fieldValidation(query) };
}

function includeObject(query: URLSearchParams): IncludeObject {
  const v = query.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

/** Renders one object in the representation the client asked for. */
function renderOne(ctx: HandlerContext, rt: ResourceType, ex: Exchange, obj: KubeObject): unknown {
  const rep = negotiate(ex.req.headers.accept);
  if (rep.as === 'Table') return toTable(rt, [obj], { includeObject: includeObject(ex.query), now: ctx.store.clock() });
  if (rep.as === 'PartialObjectMetadata') return partialMetadata(obj);
  return obj;
}

function handleList(ctx: HandlerContext, rt: ResourceType, route: ResourceRoute, ex: Exchange): void {
  const limit = ex.query.get('limit');
  const page = list(ctx.store, rt, {
    ...(route.namespace ? { namespace: route.namespace } : {}),
    ...optional('labelSelector', ex.query.get('labelSelector')),
    ...optional('fieldSelector', ex.query.get('fieldSelector')),
    ...optional('continue', ex.query.get('continue')),
    ...(limit ? { limit: Number(limit) } : {}),
  });
  const rep = negotiate(ex.req.headers.accept);
  if (rep.as === 'Table') {
    sendJson(
      ex.res,
      200,
      toTable(rt, page.items, {
        includeObject: includeObject(ex.query),
        now: ctx.store.clock(),
        resourceVersion: page.resourceVersion,
        ...optional('continue', page.continue),
        ...(page.remainingItemCount !== undefined ? { remainingItemCount: page.remainingItemCount } : {}),
      }),
    );
    return;
  }
  const metadata: Record<string, unknown> = { resourceVersion: page.resourceVersion };
  if (page.continue) metadata['continue'] = page.continue;
  if (page.remainingItemCount !== undefined) metadata['remainingItemCount'] = page.remainingItemCount;
  if (rep.as === 'PartialObjectMetadataList' || rep.as === 'PartialObjectMetadata') {
    sendJson(ex.res, 200, {
      kind: 'PartialObjectMetadataList',
      apiVersion: 'meta.k8s.io/v1',
      metadata,
      items: page.items.map(partialMetadata),
    });
    return;
  }
  sendJson(ex.res, 200, { kind: rt.listKind, apiVersion: apiVersionOf(rt), metadata, items: page.items });
}

function optional<K extends string>(key: K, value: string | null | undefined): Partial<Record<K, string>> {
  return value ? ({ [key]: value } as Record<K, string>) : {};
}

function handleWatch(ctx: HandlerContext, rt: ResourceType, route: ResourceRoute, ex: Exchange): void {
  const rvParam = ex.query.get('resourceVersion');
  const sendInitial = ex.query.get('sendInitialEvents');
  const initialByDefault = !rvParam || rvParam === '0';
  const sendInitialEvents = sendInitial === null ? initialByDefault : sendInitial === 'true';
  const rv = rvParam && rvParam !== '0' ? Number(rvParam) : undefined;
  if (rv !== undefined && !Number.isInteger(rv))
    throw badRequest(`resourceVersion: Invalid value: "${rvParam}": must be a valid resourceVersion`);
  const timeout = ex.query.get('timeoutSeconds');
  serveWatch(ctx, rt, ex, {
    request: {
      ...(route.namespace ? { namespace: route.namespace } : {}),
      ...optional('labelSelector', ex.query.get('labelSelector')),
      ...optional('fieldSelector', ex.query.get('fieldSelector')),
      ...(rv !== undefined ? { resourceVersion: rv } : {}),
      sendInitialEvents,
    },
    bookmarks: ex.query.get('allowWatchBookmarks') === 'true',
    initialEventsEndBookmark: sendInitial === 'true',
    ...(timeout ? { timeoutSeconds: Number(timeout) } : {}),
    bookmarkIntervalMs: ctx.bookmarkIntervalMs,
    representation: negotiate(ex.req.headers.accept),
  });
}

function answerReview(rt: ResourceType, body: KubeObject): KubeObject {
  const status =
    rt.kind === 'SelfSubjectAccessReview'
      ? { allowed: true, reason: 'the simulator does not authorize requests' }
      : {
          resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
          nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
          incomplete: false,
        };
  return { ...body, apiVersion: apiVersionOf(rt), kind: rt.kind, metadata: { ...body.metadata }, status };
}

function deleteOptionsFrom(ex: Exchange, body: string): DeleteOptions & { dryRun?: boolean } {
  const parsed = body.trim() ? (parseJson(body) as unknown as Record<string, unknown>) : {};
  const policy = (parsed['propagationPolicy'] ??
    ex.query.get('propagationPolicy') ??
    undefined) as DeleteOptions['propagationPolicy'];
  const orphan = parsed['orphanDependents'] ?? ex.query.get('orphanDependents');
  const dryRun =
    (Array.isArray(parsed['dryRun']) && parsed['dryRun'].includes('All')) || ex.query.getAll('dryRun').includes('All');
  const opts: DeleteOptions & { dryRun?: boolean } = { dryRun };
  if (policy) {
    if (!['Background', 'Foreground', 'Orphan'].includes(policy)) {
      throw badRequest(
        `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
      );
    }
    opts.propagationPolicy = policy;
  } else if (orphan === true || orphan === 'true') {
    opts.propagationPolicy = 'Orphan';
  }
  if (parsed['preconditions']) opts.preconditions = parsed['preconditions'];
  return opts;
}

async function handleCollection(
  ctx: HandlerContext,
  rt: ResourceType,
  route: ResourceRoute,
  ex: Exchange,
): Promise<void> {
  const method = ex.req.method ?? 'GET';
  if (method === 'GET') {
    if (route.watchPrefix || ['true', '1'].includes(ex.query.get('watch') ?? '')) handleWatch(ctx, rt, route, ex);
    else handleList(ctx, rt, route, ex);
    return;
  }
  if (method === 'POST' && rt.virtual && rt.kind !== 'Binding') return answerReviewRequest(rt, ex);
  if (method === 'POST') return createInCollection(ctx, rt, route, ex);
  if (method === 'DELETE') return deleteCollection(ctx, rt, route, ex);
  throw methodNotAllowed(`the server does not allow this method on the requested resource`);
}

async function answerReviewRequest(rt: ResourceType, ex: Exchange): Promise<void> {
  // Reviews are answered, not decoded: kubectl sends them as protobuf, which the simulator cannot read.
  const text = await readBody(ex.req);
  const isJson = (ex.req.headers['content-type'] ?? 'application/json').startsWith('application/json');
  sendJson(
    ex.res,
    201,
    answerReview(rt, isJson && text.trim() ? parseJson(text) : { apiVersion: '', kind: '', metadata: {} }),
  );
}

async function createInCollection(
  ctx: HandlerContext,
  rt: ResourceType,
  route: ResourceRoute,
  ex: Exchange,
): Promise<void> {
  const body = await readJsonBody(ex);
  if (rt.kind === 'Binding' && rt.group === '') {
    sendJson(ex.res, 201, ctx.store.bind(route.namespace ?? '', body));
    return;
  }
  const result = ctx.store.create(rt, body, {
    ...writeOptions(ex.query),
    ...(route.namespace ? { namespace: route.namespace } : {}),
  });
  addWarnings(ex.res, result.warnings);
  sendJson(ex.res, 201, renderOne(ctx, rt, ex, result.object));
}

async function deleteCollection(
  ctx: HandlerContext,
  rt: ResourceType,
  route: ResourceRoute,
  ex: Exchange,
): Promise<void> {
  const opts = deleteOptionsFrom(ex, await readBody(ex.req));
  const page = list(ctx.store, rt, {
    ...(route.namespace ? { namespace: route.namespace } : {}),
    ...optional('labelSelector', ex.query.get('labelSelector')),
    ...optional('fieldSelector', ex.query.get('fieldSelector')),
  });
  const deleted = page.items.map((o) =>
    deleteObject(ctx.store, rt, { ...optional('namespace', o.metadata.namespace), name: nameOf(o) }, opts),
  );
  sendJson(ex.res, 200, {
    kind: rt.listKind,
    apiVersion: apiVersionOf(rt),
    metadata: { resourceVersion: String(ctx.store.storage.resourceVersion) },
    items: deleted,
  });
}

/** One request on a named object, with what every verb's handler needs from the route. */
interface ObjectRequest {
  ctx: HandlerContext;
  rt: ResourceType;
  route: ResourceRoute;
  ex: Exchange;
  name: string;
  subresource: 'status' | undefined;
  target: { namespace?: string; name: string };
}

async function handleObject(
  ctx: HandlerContext,
  rt: ResourceType,
  route: ResourceRoute,
  name: string,
  ex: Exchange,
): Promise<void> {
  const method = ex.req.method ?? 'GET';
  const subresource = route.subresource === 'status' ? ('status' as const) : undefined;
  const target = { ...(route.namespace ? { namespace: route.namespace } : {}), name };
  const r: ObjectRequest = { ctx, rt, route, ex, name, subresource, target };
  if (method === 'GET') {
    getObject(r);
    return;
  }
  if (method === 'PUT') return putObject(r);
  if (method === 'PATCH') return patchObject(r);
  if (method === 'DELETE' && !subresource) return deleteNamedObject(r);
  throw methodNotAllowed('the server does not allow this method on the requested resource');
}

function getObject({ ctx, rt, route, ex, name }: ObjectRequest): void {
  if (route.watchPrefix) {
    handleWatch(ctx, rt, route, { ...ex, query: withNameSelector(ex.query, name) });
    return;
  }
  sendJson(ex.res, 200, renderOne(ctx, rt, ex, ctx.store.get(rt, route.namespace, name)));
}

async function putObject({ ctx, rt, ex, subresource, target }: ObjectRequest): Promise<void> {
  const body = await readJsonBody(ex);
  const result = ctx.store.update(rt, body, {
    ...writeOptions(ex.query),
    ...target,
    ...(subresource ? { subresource } : {}),
  });
  addWarnings(ex.res, result.warnings);
  sendJson(ex.res, 200, renderOne(ctx, rt, ex, result.object));
}

async function patchObject({ ctx, rt, ex, subresource, target }: ObjectRequest): Promise<void> {
  const type = patchTypeOf(rt, ex.req.headers['content-type']);
  const body = parsePatchBody(type, await readBody(ex.req));
  const fieldManager = ex.query.get('fieldManager');
  const result = ctx.store.patch(
    rt,
    target,
    { type, body },
    { ...writeOptions(ex.query), ...(subresource ? { subresource } : {}), ...(fieldManager ? { fieldManager } : {}) },
  );
  addWarnings(ex.res, result.warnings);
  sendJson(ex.res, 200, renderOne(ctx, rt, ex, result.object));
}

async function deleteNamedObject({ ctx, rt, route, ex, name, target }: ObjectRequest): Promise<void> {
  const opts = deleteOptionsFrom(ex, await readBody(ex.req));
  const deleted = deleteObject(ctx.store, rt, target, opts);
  // 202 Accepted says the deletion is pending (finalizers); 200 that the object is gone.
  const pending =
    !opts.dryRun && ctx.store.storage.peek(storageKey(rt), rt.namespaced ? route.namespace : undefined, name);
  sendJson(ex.res, pending ? 202 : 200, renderOne(ctx, rt, ex, deleted));
}

function withNameSelector(query: URLSearchParams, name: string): URLSearchParams {
  const q = new URLSearchParams(query);
  const existing = q.get('fieldSelector');
  q.set('fieldSelector', existing ? `${existing},metadata.name=${name}` : `metadata.name=${name}`);
  return q;
}

export async function handleResource(
  ctx: HandlerContext,
  rt: ResourceType,
  route: ResourceRoute,
  ex: Exchange,
): Promise<void> {
  // The route parser sets a subresource only after a name.
  if (route.subresource === 'binding' && route.name !== undefined && rt.kind === 'Pod' && ex.req.method === 'POST') {
    const body = await readJsonBody(ex);
    const sent = sentMetadata(body);
    if (sent?.name && sent.name !== route.name) throw badRequest('name in URL does not match name in Binding object');
    sendJson(ex.res, 201, ctx.store.bind(route.namespace ?? '', { ...body, metadata: { ...sent, name: route.name } }));
    return;
  }
  if (route.subresource && route.subresource !== 'status') throw pageNotFound();
  if (route.subresource === 'status' && !rt.subresources.includes('status')) throw pageNotFound();
  if (route.name === undefined) await handleCollection(ctx, rt, route, ex);
  else await handleObject(ctx, rt, route, route.name, ex);
}
