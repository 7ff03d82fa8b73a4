// Validation the apiserver does for every object (name, labels, finalizers on a deleting object) and
// the immutability rules of the built-in kinds that matter to the simulator's users.

import { isDeepStrictEqual } from 'node:util';
import { isDns1123Label, validateObjectName } from '../crd/index.ts';
import type { FieldError } from '../crd/index.ts';
import type { KubeObject } from '../types.ts';
import type { ResourceType } from './resources.ts';

function fieldError(reason: FieldError['reason'], field: string, detail: string): FieldError {
  return { reason, field, message: `${field}: ${detail}` };
}

const LABEL_VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE_HELP =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', " +
  "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for " +
  "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const NAME_HELP =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an " +
  "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is " +
  "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

function validateQualifiedKey(key: string, field: string): FieldError[] {
  const slash = key.lastIndexOf('/');
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  const errs: FieldError[] = [];
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME_RE.test(name)) {
    errs.push(fieldError('FieldValueInvalid', field, `Invalid value: ${JSON.stringify(key)}: ${NAME_HELP}`));
  }
  if (slash >= 0 && validateObjectName(prefix).length > 0) {
    errs.push(
      fieldError(
        'FieldValueInvalid',
        field,
        `Invalid value: ${JSON.stringify(key)}: prefix part must be a DNS-1123 subdomain`,
      ),
    );
  }
  return errs;
}

export function validateLabels(labels: Record<string, string> | undefined): FieldError[] {
  const errs: FieldError[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    errs.push(...validateQualifiedKey(key, 'metadata.labels'));
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE_RE.test(value)) {
      errs.push(
        fieldError(
          'FieldValueInvalid',
          'metadata.labels',
          `Invalid value: ${JSON.stringify(value)}: ${LABEL_VALUE_HELP}`,
        ),
      );
    }
  }
  return errs;
}

export function validateAnnotations(annotations: Record<string, unknown> | undefined): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(annotations ?? {})) {
    errs.push(...validateQualifiedKey(key, 'metadata.annotations'));
    size += key.length + String(value).length;
  }
  if (size > 256 * 1024)
    errs.push(fieldError('FieldValueTooLong', 'metadata.annotations', 'Too long: may not be more than 262144 bytes'));
  return errs;
}

export function validateName(rt: ResourceType, name: string): FieldError[] {
  if (rt.kind === 'Namespace' && rt.group === '') {
    if (!isDns1123Label(name)) {
      return [
        fieldError(
          'FieldValueInvalid',
          'metadata.name',
          `Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 label must ` +
            "consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character " +
            "(e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        ),
      ];
    }
    return [];
  }
  return validateObjectName(name).map((m) =>
    fieldError('FieldValueInvalid', 'metadata.name', `Invalid value: ${JSON.stringify(name)}: ${m}`),
  );
}

export function validateOwnerReferences(refs: KubeObject['metadata']['ownerReferences']): FieldError[] {
  const errs: FieldError[] = [];
  for (const ref of refs ?? []) {
    for (const key of ['apiVersion', 'kind', 'name', 'uid'] as const) {
      if (!ref[key])
        errs.push(
          fieldError(
            'FieldValueInvalid',
            `metadata.ownerReferences.${key}`,
            `Invalid value: "": ${key} must not be empty`,
          ),
        );
    }
  }
  const controllers = (refs ?? []).filter((r) => r.controller === true);
  if (controllers.length > 1) {
    errs.push(
      fieldError(
        'FieldValueInvalid',
        'metadata.ownerReferences',
        `Invalid value: []v1.OwnerReference{...}: Only one reference can have Controller set to true. Found "true" in references for ${controllers.map((c) => `${c.kind}/${c.name}`).join(' and ')}`,
      ),
    );
  }
  return errs;
}

export function validateMetadata(rt: ResourceType, obj: KubeObject): FieldError[] {
  return [
    ...validateName(rt, obj.metadata.name ?? ''),
    ...validateLabels(obj.metadata.labels),
    ...validateAnnotations(obj.metadata.annotations),
    ...validateOwnerReferences(obj.metadata.ownerReferences),
  ];
}

/** A deleting object may lose finalizers but not gain new ones. */
export function validateFinalizersOnUpdate(old: KubeObject, next: KubeObject): FieldError[] {
  if (!old.metadata.deletionTimestamp) return [];
  const before = new Set(old.metadata.finalizers ?? []);
  const added = (next.metadata.finalizers ?? []).filter((f) => !before.has(f));
  return added.length
    ? [
        fieldError(
          'FieldValueForbidden',
          'metadata.finalizers',
          'Forbidden: no new finalizers can be added if the object is being deleted, ' +
            `found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
        ),
      ]
    : [];
}

function field(obj: KubeObject, ...path: string[]): unknown {
  let cur: unknown = obj;
  for (const p of path) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
  return cur;
}

function immutableData(old: KubeObject, next: KubeObject, fields: string[]): FieldError[] {
  if (old['immutable'] !== true) return [];
  const errs: FieldError[] = [];
  for (const f of fields) {
    if (!isDeepStrictEqual(old[f], next[f]))
      errs.push(fieldError('FieldValueForbidden', f, 'Forbidden: field is immutable when `immutable` is set'));
  }
  if (next['immutable'] !== true)
    errs.push(fieldError('FieldValueForbidden', 'immutable', 'Forbidden: field is immutable when `immutable` is set'));
  return errs;
}

/** The pod spec fields a pod update may change (the rest is immutable, as on a real cluster). */
function mutablePodSpecView(spec: unknown): unknown {
  const copy = structuredClone((spec ?? {}) as Record<string, unknown>);
  delete copy['activeDeadlineSeconds'];
  delete copy['tolerations'];
  delete copy['terminationGracePeriodSeconds'];
  for (const list of ['containers', 'initContainers']) {
    const cs = copy[list];
    if (Array.isArray(cs)) for (const c of cs) delete (c as Record<string, unknown>)['image'];
  }
  return copy;
}

export function validateImmutableFields(rt: ResourceType, old: KubeObject, next: KubeObject): FieldError[] {
  if (rt.crd) return [];
  switch (`${rt.group}/${rt.kind}`) {
    case '/Secret':
      return immutableData(old, next, ['data', 'stringData', 'type']);
    case '/ConfigMap':
      return immutableData(old, next, ['data', 'binaryData']);
    case '/Pod':
      if (!isDeepStrictEqual(mutablePodSpecView(old['spec']), mutablePodSpecView(next['spec']))) {
        return [
          fieldError(
            'FieldValueForbidden',
            'spec',
            'Forbidden: pod updates may not change fields other than ' +
              '`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` ' +
              '(only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
          ),
        ];
      }
      return [];
    case 'batch/Job':
      if (!isDeepStrictEqual(field(old, 'spec', 'template'), field(next, 'spec', 'template'))) {
        return [
          fieldError(
            'FieldValueInvalid',
            'spec.template',
            'Invalid value: core.PodTemplateSpec{...}: field is immutable',
          ),
        ];
      }
      if (!isDeepStrictEqual(field(old, 'spec', 'selector'), field(next, 'spec', 'selector'))) {
        return [
          fieldError('FieldValueInvalid', 'spec.selector', 'Invalid value: v1.LabelSelector{...}: field is immutable'),
        ];
      }
      if (!isDeepStrictEqual(field(old, 'spec', 'completions'), field(next, 'spec', 'completions'))) {
        return [fieldError('FieldValueInvalid', 'spec.completions', 'Invalid value: ...: field is immutable')];
      }
      return [];
    default:
      return [];
  }
}
