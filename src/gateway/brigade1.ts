// Brigade 1 compatibility, pure parts: how Brigade 1 named projects in URLs, and how its container
// registry gateway, generic gateway (simple events, CloudEvents 0.2) turned a request into an event.
// The routes that use them are in compat-intake.ts; docs/intake.md lists each with its risk.
import { createHash } from 'node:crypto';
import { parseJson } from './body.ts';
import { refuse } from './errors.ts';
import { isValidCommit, isValidRef, type EventDraft } from './event.ts';
import { normalizeRepo, type ProjectLike } from './project-intake.ts';

/** What Brigade 1 events from these routes were called, so its scripts' handlers match unchanged. */
export const BRIGADE1_EVENTS = {
  registry: { type: 'image_push', provider: 'dockerhub' },
  simpleEvent: { type: 'simpleevent', provider: 'GenericWebhook' },
  cloudEvent: { type: 'cloudevent', provider: 'GenericWebhook' },
} as const;

const PROJECT_ID = /^brigade-[0-9a-f]{54}$/;

/** Brigade 1's project id: `brigade-` and the first 54 hex digits of the SHA-256 of the project name. */
export function brigade1ProjectId(name: string): string {
  return `brigade-${createHash('sha256').update(name).digest('hex').slice(0, 54)}`;
}

export function isBrigade1ProjectId(value: string): boolean {
  return PROJECT_ID.test(value);
}

/**
 * The names a Project may have had in Brigade 1: its repository as `org/repo` (what `brig project
 * create` proposed) and as written in `spec.repo.name`, and its own name.
 */
export function brigade1Names(project: ProjectLike): string[] {
  const names = new Set<string>();
  if (project.metadata.name) names.add(project.metadata.name);
  const repo = project.spec?.repo?.name;
  if (repo) {
    names.add(repo);
    const normalized = normalizeRepo(repo);
    const withoutHost = normalized.split('/').slice(1).join('/');
    if (withoutHost.includes('/')) names.add(withoutHost);
  }
  return [...names];
}

/** True when the project is the one a Brigade 1 id (`brigade-<hash>`) names. */
export function hasBrigade1Id(project: ProjectLike, id: string): boolean {
  return brigade1Names(project).some((name) => brigade1ProjectId(name) === id);
}

/** True when `org/repo` is the repository of the project's `spec.repo.name` (any host). */
export function namesRepository(project: ProjectLike, orgRepo: string): boolean {
  const repo = project.spec?.repo?.name;
  if (!repo) return false;
  const normalized = normalizeRepo(repo);
  const wanted = orgRepo.toLowerCase();
  return normalized === wanted || normalized.endsWith(`/${wanted}`);
}

/**
 * Brigade 1 handed a registry webhook's `?commit=` (or last path segment) to git as a revision:
 * usually a branch (`master`), sometimes a commit id. A hex id becomes the commit, anything else the
 * ref git fetches.
 */
export function commitishRevision(value: string | undefined): EventDraft['revision'] {
  if (value === undefined || value === '') return undefined;
  if (isValidCommit(value) && value.length >= 7) return { commit: value };
  if (!isValidRef(value)) throw refuse.badRequest(`"${value}" is neither a commit id nor a valid git ref`);
  return { ref: value };
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw refuse.badRequest(`"${field}" must be a string`);
  return value;
}

/** `ref` and `commit` of a JSON object, as Brigade 1's generic gateway read them. */
function revisionFields(fields: Record<string, unknown>, where: string): EventDraft['revision'] {
  const ref = optionalString(fields.ref, `${where}ref`);
  const commit = optionalString(fields.commit, `${where}commit`);
  if (ref !== undefined && !isValidRef(ref)) throw refuse.badRequest(`"${where}ref" is not a valid git ref`);
  const fromCommit = commitishRevision(commit);
  if (!ref && !fromCommit) return undefined;
  // A non-hex "commit" (Brigade 1 let git resolve it) is a ref, unless the body names a ref too.
  return { commit: fromCommit?.commit, ref: ref ?? fromCommit?.ref };
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A simple event's body: any JSON object (or nothing); its `ref` and `commit` are the revision. */
export function simpleEventRevision(text: string): EventDraft['revision'] {
  if (text.trim() === '') return undefined;
  const parsed = asObject(parseJson(text));
  if (!parsed) throw refuse.badRequest('a simple event must be a JSON object');
  return revisionFields(parsed, '');
}

/** True when a structured body declares CloudEvents 0.2, the version Brigade 1's gateway spoke. */
export function isCloudEvent02(parsed: unknown): boolean {
  return asObject(parsed)?.specversion === '0.2';
}

// Brigade 1 parsed `source` with Go's url.ParseRequestURI and refused the event when that failed:
// only an absolute URI (with a scheme) or an absolute path passed.
const REQUEST_URI = /^(\/|[A-Za-z][A-Za-z0-9+.-]*:)/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\x00-\x1f\x7f]/;

/** The identity and revision of a CloudEvents 0.2 envelope, checked as Brigade 1.5 checked it. */
export function cloudEvent02Identity(parsed: unknown): {
  id: string;
  source: string;
  revision: EventDraft['revision'];
} {
  const event = asObject(parsed);
  if (!event) throw refuse.badRequest('a CloudEvent must be a JSON object');
  const [id, type, source] = (['id', 'type', 'source'] as const).map((k) =>
    typeof event[k] === 'string' ? event[k] : '',
  );
  if (!id || !type || !source) {
    throw refuse.badRequest('a CloudEvents 0.2 event needs non-empty "specversion", "type", "source" and "id"');
  }
  if (!REQUEST_URI.test(source) || CONTROL.test(source)) {
    throw refuse.badRequest(
      `"source" must be a URI reference such as "/my/app" or "urn:my:app", not ${JSON.stringify(source)} ` +
        '(CloudEvents 0.2 requires one, and Brigade 1.5 refused such events too)',
    );
  }
  const data = asObject(event.data);
  return { id, source, revision: data ? revisionFields(data, 'data.') : undefined };
}
