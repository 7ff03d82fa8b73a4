// /openapi/v2 and /openapi/v3: the CRD documents come from the CRD machinery; built-in types are
// described only as far as kubectl needs (see builtin-openapi.ts).

import type { KubeObject } from '../../types.ts';
import type { ResourceType } from '../resources.ts';
import { builtinOpenApiV3, builtinOpenApiV3Paths } from './builtin-openapi.ts';
import { openApiV2, openApiV3ForGroupVersion, openApiV3Paths } from '../../crd/index.ts';

export function v3Root(crds: KubeObject[], types: ResourceType[]): object {
  return { paths: { ...builtinOpenApiV3Paths(types), ...openApiV3Paths(crds) } };
}

/** The document for /openapi/v3/apis/<group>/<version>; undefined when no CRD serves it. */
export function v3GroupVersion(crds: KubeObject[], types: ResourceType[], path: string): object | undefined {
  const builtin = builtinOpenApiV3(types, path);
  if (builtin) return builtin;
  const m = /^apis\/([^/]+)\/([^/]+)$/.exec(path);
  if (!m) return undefined;
  const [, group, version] = m;
  const served = crds.some((crd) => {
    const spec = crd['spec'] as { group?: string; versions?: Array<{ name: string; served?: boolean }> } | undefined;
    return spec?.group === group && spec.versions?.some((v) => v.name === version && v.served !== false);
  });
  return served ? openApiV3ForGroupVersion(crds, group, version) : undefined;
}

export function v2(crds: KubeObject[]): object {
  return openApiV2(crds);
}
