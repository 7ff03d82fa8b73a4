// Type guards for objects read from the API (watch events, lists, unknown JSON).
import { API_VERSION, KINDS } from './constants.ts';
import type { BrigadeKind } from './constants.ts';
import type { AnyBrigadeResource, Build, BrigadeEvent, JobCR, Project } from './types.ts';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when value looks like a brigade.sh/v1alpha1 object of `kind` (envelope and spec are objects). */
export function isBrigadeResource(value: unknown, kind: BrigadeKind): boolean {
  return (
    isObject(value) &&
    value.apiVersion === API_VERSION &&
    value.kind === KINDS[kind].kind &&
    isObject(value.metadata) &&
    isObject(value.spec)
  );
}

export const isProject = (value: unknown): value is Project => isBrigadeResource(value, 'Project');
export const isBrigadeEvent = (value: unknown): value is BrigadeEvent => isBrigadeResource(value, 'Event');
export const isBuild = (value: unknown): value is Build => isBrigadeResource(value, 'Build');
export const isJobCR = (value: unknown): value is JobCR => isBrigadeResource(value, 'Job');

export function isAnyBrigadeResource(value: unknown): value is AnyBrigadeResource {
  return (Object.keys(KINDS) as BrigadeKind[]).some((kind) => isBrigadeResource(value, kind));
}
