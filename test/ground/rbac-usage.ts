// What the operator's ServiceAccount did on the real ground, read from the API server's audit log,
// against what config/rbac grants it: requests that were denied (a missing permission) and grants
// that no request used (a candidate for removal, or an untested path). Pure functions plus a reader.
import { readFile } from 'node:fs/promises';
import { loadAll } from 'js-yaml';

export interface Permission {
  group: string;
  resource: string;
  verb: string;
}

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
}

interface AuditEvent {
  user?: { username?: string };
  verb?: string;
  objectRef?: { apiGroup?: string; resource?: string; subresource?: string };
  responseStatus?: { code?: number };
}

export const key = (p: Permission): string => `${p.group || 'core'}/${p.resource}:${p.verb}`;

export function granted(rules: readonly Rule[]): Permission[] {
  return rules.flatMap((r) =>
    (r.apiGroups ?? []).flatMap((group) =>
      (r.resources ?? []).flatMap((resource) => (r.verbs ?? []).map((verb) => ({ group, resource, verb }))),
    ),
  );
}

export function requests(events: readonly AuditEvent[], username: string): Array<Permission & { denied: boolean }> {
  return events
    .filter((e) => e.user?.username === username && e.objectRef?.resource && e.verb)
    .map((e) => ({
      group: e.objectRef?.apiGroup ?? '',
      resource: e.objectRef?.subresource
        ? `${e.objectRef.resource}/${e.objectRef.subresource}`
        : (e.objectRef?.resource ?? ''),
      verb: e.verb ?? '',
      denied: e.responseStatus?.code === 403,
    }));
}

export interface Usage {
  denied: string[];
  unused: string[];
  used: number;
}

export function compare(grants: readonly Permission[], made: ReadonlyArray<Permission & { denied: boolean }>): Usage {
  const usedKeys = new Set(made.filter((m) => !m.denied).map(key));
  return {
    denied: [...new Set(made.filter((m) => m.denied).map(key))].sort(),
    unused: [...new Set(grants.map(key))].filter((k) => !usedKeys.has(k)).sort(),
    used: usedKeys.size,
  };
}

export async function rbacUsage(auditLog: string, roleFiles: readonly string[], username: string): Promise<Usage> {
  const rules: Rule[] = [];
  for (const file of roleFiles) {
    for (const doc of loadAll(await readFile(file, 'utf8')) as Array<{ rules?: Rule[] } | null>)
      rules.push(...(doc?.rules ?? []));
  }
  const text = await readFile(auditLog, 'utf8').catch(() => '');
  const events = text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditEvent);
  return compare(granted(rules), requests(events, username));
}
