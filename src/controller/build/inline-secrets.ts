// A secret value may reach a job only through its env: the operator moves such env values into a
// Secret owned by the Job CR (src/jobs/env). Anywhere else (tasks, args, command, annotations,
// labels, the image, a nodeSelector, a volume...) the value would be written verbatim into the Job
// CR, the batch Job and the pod spec, so such a job is refused before anything is created.
import type { JobRequest } from '../../script/index.ts';
import { secretKeysIn } from '../../util/redact.ts';

/** A job the operator will not create; the message names the field and the secret key, never the value. */
export class InlineSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InlineSecretError';
  }
}

interface Place {
  path: string;
  keys: string[];
}

function walk(value: unknown, path: string, secrets: Readonly<Record<string, string>>, out: Place[]): void {
  if (typeof value === 'string') {
    const keys = secretKeysIn(value, secrets);
    if (keys.length > 0) out.push({ path, keys });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      walk(item, `${path}[${i}]`, secrets, out);
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      // A map key is written verbatim too (an annotation or nodeSelector key).
      const keys = secretKeysIn(key, secrets);
      if (keys.length > 0) out.push({ path: `${path} key`, keys });
      walk(item, path ? `${path}.${key}` : key, secrets, out);
    }
  }
}

/** Where the job request holds a secret value outside env; empty when it holds none. */
export function inlineSecretPlaces(req: JobRequest, secrets: Readonly<Record<string, string>>): Place[] {
  const out: Place[] = [];
  // env values go into the job's Secret; the shell is one of a fixed set; a defaulted image is the operator's.
  const checked: Partial<JobRequest> = { ...req };
  delete checked.env;
  delete checked.shell;
  if (req.imageDefaulted) delete checked.image;
  walk(checked, '', secrets, out);
  return out;
}

/** Throws InlineSecretError when the request holds a secret value outside env. */
export function refuseInlineSecrets(req: JobRequest, secrets: Readonly<Record<string, string>>): void {
  const places = inlineSecretPlaces(req, secrets);
  if (places.length === 0) return;
  const where = places
    .slice(0, 5)
    .map((p) => `${p.path} holds the value of project secret ${p.keys.map((k) => JSON.stringify(k)).join(', ')}`)
    .join('; ');
  const more = places.length > 5 ? ` (and ${places.length - 5} more places)` : '';
  const key = places[0]?.keys[0] ?? 'key';
  throw new InlineSecretError(
    `job "${req.name}" is refused: ${where}${more}. A secret value would be stored verbatim in the Job resource and the pod spec; ` +
      `pass it through env instead (env: { VALUE: project.secrets[${JSON.stringify(key)}] }, then use $VALUE), which the operator keeps in a Secret, ` +
      `or set spec.policy.allowInlineSecrets: true on the Project to store such values inline as Brigade 1 did`,
  );
}
