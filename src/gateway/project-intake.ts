// What a Project says about the intakes that may create Events for it (spec.gateways), read as pure
// functions so the decisions are unit-tested apart from HTTP and the cluster.
import { DEFAULTS } from '../api/defaults.ts';
import type { IntakeKind } from './event.ts';

export interface SecretKeyRef {
  name: string;
  key: string;
}

export interface IntakeConfig {
  enabled: boolean;
  secretKeyRef?: SecretKeyRef;
  /** Webhook only: the Event type of a delivery (default `webhook`). */
  type?: string;
  /** Webhook only: whether `?type=` may override `type`. */
  allowTypeOverride?: boolean;
  /** Brigade 1 compatibility (CloudEvents, webhook): the secret may come in the URL path. */
  allowSecretInPath?: boolean;
  /** Webhook only: deliveries without a token are accepted (registry webhooks that send none). */
  allowUnauthenticated?: boolean;
  /** GitHub only: X-Hub-Signature (SHA-1) is accepted when a delivery has no X-Hub-Signature-256. */
  allowSha1Signature?: boolean;
}

/** The Project field that turns a compatibility switch on, as refusals name it. */
export function settingPath(intake: IntakeKind, setting: keyof IntakeConfig): string {
  return `spec.gateways.${intake}.${setting}`;
}

/** The parts of a Project (api/types.ts) the gateway reads; loose so a malformed object cannot crash it. */
export interface ProjectLike {
  metadata: { name?: string; namespace?: string };
  spec?: {
    repo?: { name?: string; cloneURL?: string };
    gateways?: Partial<Record<IntakeKind, Partial<IntakeConfig>>>;
  };
}

export const DEFAULT_WEBHOOK_TYPE: string = DEFAULTS.webhookEventType;

function asSecretKeyRef(value: unknown): SecretKeyRef | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const { name, key } = value as Record<string, unknown>;
  return typeof name === 'string' && name && typeof key === 'string' && key ? { name, key } : undefined;
}

/** The project's configuration of one intake; an intake the project does not mention is disabled. */
export function intakeConfig(project: ProjectLike, intake: IntakeKind): IntakeConfig {
  const raw = project.spec?.gateways?.[intake];
  if (!raw || typeof raw !== 'object') return { enabled: false };
  return {
    enabled: raw.enabled === true,
    secretKeyRef: asSecretKeyRef(raw.secretKeyRef),
    type: typeof raw.type === 'string' && raw.type ? raw.type : undefined,
    allowTypeOverride: raw.allowTypeOverride === true,
    allowSecretInPath: raw.allowSecretInPath === true,
    allowUnauthenticated: raw.allowUnauthenticated === true,
    allowSha1Signature: raw.allowSha1Signature === true,
  };
}

/** Normalizes a repository reference: `https://github.com/Org/Repo.git`, `git@github.com:org/repo` -> `github.com/org/repo`. */
export function normalizeRepo(value: string): string {
  let v = value.trim().toLowerCase();
  v = v
    .replace(/^[a-z+]+:\/\//, '')
    .replace(/^[^@/]+@/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
  // scp-like syntax host:path
  v = v.replace(/^([^/:]+):(?!\d)/, '$1/');
  return v;
}

/** The identities a GitHub delivery names its repository by. */
export interface GithubRepository {
  fullName?: string;
  urls: string[];
}

/**
 * True when the project's `spec.repo` names the delivery's repository: `repo.name` as `org/repo` or
 * `host/org/repo` (GitHub Enterprise hosts included), or `repo.cloneURL` in any URL form.
 */
export function projectMatchesRepository(project: ProjectLike, repo: GithubRepository): boolean {
  const wanted = [project.spec?.repo?.name, project.spec?.repo?.cloneURL]
    .filter((v): v is string => !!v)
    .map(normalizeRepo);
  if (wanted.length === 0) return false;
  const given = repo.urls.map(normalizeRepo);
  if (repo.fullName) given.push(repo.fullName.toLowerCase(), `github.com/${repo.fullName.toLowerCase()}`);
  return wanted.some((w) => given.includes(w));
}
