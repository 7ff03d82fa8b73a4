// OpenAPI documents for the served versions of CRDs, as kubectl (explain, client-side validation,
// apply) reads them from /openapi/v3 and /openapi/v2.

import type { KubeObject } from '../types.ts';

/** The `paths` map of /openapi/v3: `apis/<group>/<version>` -> { serverRelativeURL }. */
export function openApiV3Paths(crds: KubeObject[]): Record<string, { serverRelativeURL: string }> {
  void crds;
  return {};
}

/** The document served at /openapi/v3/apis/<group>/<version> for the CRDs of that group-version. */
export function openApiV3ForGroupVersion(crds: KubeObject[], group: string, version: string): object {
  void crds;
  return { openapi: '3.0.0', info: { title: 'Kubernetes CRD Swagger', version: 'v0.1.0' }, paths: {}, components: { schemas: {} }, group, version };
}

/** The swagger 2.0 document served at /openapi/v2 with definitions for all served CRD versions. */
export function openApiV2(crds: KubeObject[]): object {
  void crds;
  return { swagger: '2.0', info: { title: 'Kubernetes', version: 'v0.1.0' }, paths: {}, definitions: {} };
}
