// Brigade 1's gateway routes, served so its senders (registry webhooks, generic-gateway clients)
// work unchanged: the container registry gateway's /events/webhook/..., the generic gateway's
// /simpleevents/v1/{project}/{secret} and /cloudevents/v02/{project}/{secret}. They look projects up
// by name, Brigade 1 id or org/repo where the gateway searches (its namespace, or all it watches), and
// create the event types Brigade 1 did. Where a route authenticates more weakly than the intakes it
// mirrors, the Project must opt in (spec.gateways.*.allow...), and a refusal names the setting.
import type { IncomingHttpHeaders } from 'node:http';
import { bodyText, isJsonMediaType, mediaType, parseJson, readBody } from './body.ts';
import {
  BRIGADE1_EVENTS,
  cloudEvent02Identity,
  commitishRevision,
  hasBrigade1Id,
  isBrigade1ProjectId,
  isCloudEvent02,
  namesRepository,
  simpleEventRevision,
} from './brigade1.ts';
import { checkCloudEventContentType, cloudEventDraft } from './cloudevents.ts';
import { refuse } from './errors.ts';
import { authenticate, type IntakeDeps, type IntakeRequest, type IntakeResult } from './intake.ts';
import type { ProjectLike } from './project-intake.ts';
import { presentedToken } from './secrets.ts';
import { checkWebhookContentType, deliveryId } from './webhook.ts';

const HOW_NAMED =
  'Brigade 1 routes name a project by its name, its Brigade 1 id (brigade-...) or the org/repo of its spec.repo.name';

interface Where {
  namespace: string;
  project: string;
}

function whereOf(p: ProjectLike): Where {
  return { namespace: p.metadata.namespace ?? '', project: p.metadata.name ?? '' };
}

/**
 * The Project a Brigade 1 route names: by name or Brigade 1 id (one segment), or by repository
 * (org/repo), in the namespace the gateway searches (its own, or every one it watches). Brigade 1 had
 * one namespace; a name several namespaces share is refused rather than guessed.
 */
async function resolveProject(deps: IntakeDeps, key: { name: string } | { orgRepo: string }): Promise<Where> {
  const scope = deps.searchNamespace;
  const where = scope ? `in namespace ${scope}` : 'in any namespace';
  const projects = await deps.cluster.listProjects(scope);
  const matching =
    'name' in key
      ? projects.filter(
          (p) => p.metadata.name === key.name || (isBrigade1ProjectId(key.name) && hasBrigade1Id(p, key.name)),
        )
      : projects.filter((p) => namesRepository(p, key.orgRepo));
  const named = 'name' in key ? key.name : key.orgRepo;
  const [only] = matching;
  if (matching.length === 1) return whereOf(only);
  if (matching.length === 0) throw refuse.notFound(`no project ${named} ${where} (${HOW_NAMED})`);
  const found = matching.map((p) => `${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`).join(', ');
  throw refuse.badRequest(
    `${named} names several projects (${found}): use the routes that name a namespace (/webhook/{namespace}/{project}, /cloudevents/v1/{namespace}/{project})`,
  );
}

/**
 * POST /events/webhook/{project}[?commit=C], /events/webhook/{org}/{repo}[?commit=C] and
 * /events/webhook/{org}/{repo}/{commit}: Brigade 1's container registry gateway (DockerHub, ACR).
 * An `image_push` event whose payload is the registry's body. Brigade 1 checked no credentials at all;
 * here a token header is needed unless the project sets webhook.allowUnauthenticated.
 */
export async function registryWebhook(deps: IntakeDeps, r: IntakeRequest): Promise<IntakeResult> {
  const [first, second, commitInPath] = r.params as [string, string?, string?];
  const { namespace, project } = await resolveProject(
    deps,
    second === undefined ? { name: first } : { orgRepo: `${first}/${second}` },
  );
  await authenticate(deps, { namespace, project, intake: 'webhook', presented: presentedToken(r.req.headers) });
  checkWebhookContentType(r.req.headers);
  const text = bodyText(await readBody(r.req, deps.maxBodyBytes));
  if (text.trim() !== '') parseJson(text);
  return {
    kind: 'events',
    drafts: [
      {
        namespace,
        project,
        intake: 'webhook',
        ...BRIGADE1_EVENTS.registry,
        deliveryId: deliveryId(r.req.headers),
        revision: commitishRevision(r.url.searchParams.get('commit') || commitInPath),
        payload: text,
      },
    ],
  };
}

/** POST /simpleevents/v1/{project}/{secret}: Brigade 1's generic gateway; any JSON, `ref`/`commit` the revision. */
export async function simpleEvents(deps: IntakeDeps, r: IntakeRequest): Promise<IntakeResult> {
  const [key, secret] = r.params;
  const { namespace, project } = await resolveProject(deps, { name: key });
  await authenticate(deps, {
    namespace,
    project,
    intake: 'webhook',
    presented: secret,
    inPath: {
      route: '/simpleevents/v1',
      instead: `POST /webhook/${namespace}/${project} with the token in X-Brigade-Token (and ?type=simpleevent where the project allows ?type=)`,
    },
  });
  checkWebhookContentType(r.req.headers);
  const text = bodyText(await readBody(r.req, deps.maxBodyBytes));
  return {
    kind: 'events',
    drafts: [
      {
        namespace,
        project,
        intake: 'webhook',
        ...BRIGADE1_EVENTS.simpleEvent,
        deliveryId: deliveryId(r.req.headers),
        revision: simpleEventRevision(text),
        payload: text,
      },
    ],
  };
}

/** Brigade 1's generic gateway took a JSON body with any content type: such a body is a structured event. */
function asStructured(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const type = mediaType(headers['content-type']);
  const binary = typeof headers['ce-id'] === 'string';
  if (binary || !(type === '' || isJsonMediaType(type))) return headers;
  return { ...headers, 'content-type': 'application/cloudevents+json' };
}

/**
 * POST /cloudevents/v02/{project}/{secret}: Brigade 1's generic gateway. A CloudEvents 0.2 body is
 * what Brigade 1 made of it: a `cloudevent` event whose payload is the whole envelope, the revision
 * from data.ref/data.commit. A 1.0 event is taken as on the v1 route (its type is the event type).
 */
export async function cloudEventsV02(deps: IntakeDeps, r: IntakeRequest): Promise<IntakeResult> {
  const [key, secret] = r.params;
  const { namespace, project } = await resolveProject(deps, { name: key });
  await authenticate(deps, {
    namespace,
    project,
    intake: 'cloudevents',
    presented: secret,
    inPath: {
      route: '/cloudevents/v02',
      instead: `POST /cloudevents/v1/${namespace}/${project} with the secret in X-Brigade-Token`,
    },
  });
  const headers = asStructured(r.req.headers);
  checkCloudEventContentType(headers);
  const body = await readBody(r.req, deps.maxBodyBytes);
  const text = bodyText(body);
  const structured = mediaType(headers['content-type']) === 'application/cloudevents+json';
  const parsed: unknown = structured ? parseJson(text) : undefined;
  if (!isCloudEvent02(parsed)) {
    return { kind: 'events', drafts: [cloudEventDraft({ headers, body, namespace, project })] };
  }
  const identity = cloudEvent02Identity(parsed);
  return {
    kind: 'events',
    drafts: [
      {
        namespace,
        project,
        intake: 'cloudevents',
        ...BRIGADE1_EVENTS.cloudEvent,
        deliveryId: `${identity.source} ${identity.id}`,
        revision: identity.revision,
        payload: text,
      },
    ],
  };
}
