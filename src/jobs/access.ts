// What a job may read besides its own inputs: Secrets, a service account and its token, and
// PersistentVolumeClaims of the namespace. A script is code from a repository; without these checks
// any build could read every Secret of its namespace, mount another project's claims or act with any
// service account. Each finding names the field and the Project setting that would allow it.
import type { Project } from '../api/types.ts';
import type { EffectiveJob } from './effective.ts';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function volumeName(volume: Obj): string {
  return typeof volume.name === 'string' ? volume.name : '(unnamed)';
}

/** Keys under which core/v1 volume sources name a Secret ({name} objects), besides secret.secretName. */
const SECRET_REF_KEYS = new Set(['secretRef', 'nodePublishSecretRef', 'controllerPublishSecretRef']);

/**
 * The Secrets a volume names: a secret volume, projected secret sources, and the credentials
 * Secrets of other volume types (azureFile secretName, csi nodePublishSecretRef, cephfs/rbd/iscsi
 * secretRef, ...), found wherever they sit in the volume.
 */
export function secretsOfVolume(volume: Obj): string[] {
  const out: string[] = [];
  const walk = (value: unknown, key: string, parent: string): void => {
    if (typeof value === 'string') {
      if (key === 'secretName') out.push(value);
      else if (key === 'name' && (SECRET_REF_KEYS.has(parent) || parent === 'secret')) out.push(value);
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) walk(item, key, parent);
    } else if (isObj(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, k, key);
    }
  };
  for (const [k, v] of Object.entries(volume)) if (k !== 'name') walk(v, k, '');
  return [...new Set(out)];
}

function projectedSources(volume: Obj): Obj[] {
  const projected = volume.projected;
  if (!isObj(projected) || !Array.isArray(projected.sources)) return [];
  return projected.sources.filter(isObj);
}

/** The Secrets the job may read: the project's own, its env Secret, and the policy's allowedSecrets. */
function allowedSecrets(eff: EffectiveJob, project: Project): Set<string> {
  const names = [eff.envSecretName, project.spec.secretRef?.name, ...(project.spec.policy?.allowedSecrets ?? [])];
  return new Set(names.filter((n): n is string => !!n));
}

const ALLOW_SECRET = 'list it in spec.policy.allowedSecrets on the Project to allow it';

function referencedSecretFindings(eff: EffectiveJob, allowed: Set<string>): string[] {
  const findings: string[] = [];
  for (const env of eff.spec.env ?? []) {
    const ref = env.valueFrom?.secretKeyRef;
    if (ref && !allowed.has(ref.name))
      findings.push(`env ${env.name}: secretKeyRef to Secret "${ref.name}" (${ALLOW_SECRET})`);
  }
  for (const volume of (eff.spec.volumes ?? []) as Obj[]) {
    for (const secret of secretsOfVolume(volume)) {
      if (!allowed.has(secret)) findings.push(`volume "${volumeName(volume)}": Secret "${secret}" (${ALLOW_SECRET})`);
    }
  }
  return findings;
}

/** A pull secret is a registry credential: the job's own ones are grants too (the project's are its own). */
function pullSecretFindings(eff: EffectiveJob, project: Project, allowed: Set<string>): string[] {
  const projectPull = new Set(project.spec.jobDefaults?.imagePullSecrets ?? []);
  return (eff.spec.imagePullSecrets ?? [])
    .filter((name) => !allowed.has(name) && !projectPull.has(name))
    .map(
      (name) =>
        `imagePullSecrets: Secret "${name}" (list it in spec.policy.allowedSecrets or spec.jobDefaults.imagePullSecrets on the Project to allow it)`,
    );
}

function secretFindings(eff: EffectiveJob, project: Project): string[] {
  const allowed = allowedSecrets(eff, project);
  return [...referencedSecretFindings(eff, allowed), ...pullSecretFindings(eff, project, allowed)];
}

function serviceAccountFindings(eff: EffectiveJob, project: Project): string[] {
  const findings: string[] = [];
  const own = eff.spec.serviceAccountName;
  const projectDefault = project.spec.jobDefaults?.serviceAccountName;
  if (own && own !== projectDefault && !(project.spec.policy?.allowedServiceAccounts ?? []).includes(own)) {
    findings.push(
      `serviceAccount "${own}" (list it in spec.policy.allowedServiceAccounts on the Project, or make it spec.jobDefaults.serviceAccountName, to allow it)`,
    );
  }
  if (!project.spec.policy?.allowServiceAccountToken) {
    for (const volume of (eff.spec.volumes ?? []) as Obj[]) {
      if (projectedSources(volume).some((source) => source.serviceAccountToken !== undefined))
        findings.push(
          `volume "${volumeName(volume)}": a projected service account token (set spec.policy.allowServiceAccountToken: true on the Project to allow it)`,
        );
    }
  }
  return findings;
}

function claimFindings(eff: EffectiveJob, project: Project): string[] {
  const allowed = new Set(project.spec.policy?.allowedVolumeClaims ?? []);
  const findings: string[] = [];
  for (const volume of (eff.spec.volumes ?? []) as Obj[]) {
    const pvc = volume.persistentVolumeClaim;
    const claim = isObj(pvc) && typeof pvc.claimName === 'string' ? pvc.claimName : undefined;
    if (pvc !== undefined && (claim === undefined || !allowed.has(claim)))
      findings.push(
        `volume "${volumeName(volume)}": PersistentVolumeClaim "${claim ?? ''}" (list it in spec.policy.allowedVolumeClaims on the Project to allow it)`,
      );
  }
  return findings;
}

/** What the job reads that the project does not grant; empty when it asks for nothing more. */
export function accessViolations(eff: EffectiveJob, project: Project): string[] {
  return [...secretFindings(eff, project), ...serviceAccountFindings(eff, project), ...claimFindings(eff, project)];
}

/** Whether job pods get their service account's API token (never by default). */
export function mountsServiceAccountToken(project: Project): boolean {
  return project.spec.policy?.allowServiceAccountToken === true;
}
