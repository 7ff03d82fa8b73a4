// The REST routes of one served CRD version, described once and rendered into OpenAPI 3 (openapi.ts
// `paths`) and swagger 2.0 operations. kubectl reads the PATCH operation's fieldValidation parameter
// to decide that the server validates fields itself, and explain finds the kind through the
// operations' x-kubernetes-group-version-kind.

export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

export interface RouteTarget {
  gvk: Gvk;
  plural: string;
  namespaced: boolean;
  hasStatus: boolean;
  /** Schema names of the object and its list. */
  objectSchema: string;
  listSchema: string;
}

export type Verb = 'get' | 'put' | 'post' | 'patch' | 'delete';
export type Action = 'list' | 'create' | 'deletecollection' | 'get' | 'put' | 'patch' | 'delete';

export interface Param {
  name: string;
  in: 'query' | 'path';
  description: string;
  type: 'string' | 'integer' | 'boolean';
  required?: boolean;
}

export interface Operation {
  verb: Verb;
  action: Action;
  operationId: string;
  description: string;
  params: Param[];
  /** The request body's schema name (undefined: no body; 'Patch' for patches). */
  body?: string;
  /** Schema name of the 200 response. */
  response: string;
}

export interface Route {
  path: string;
  pathParams: Param[];
  operations: Operation[];
}

const q = (name: string, description: string, type: Param['type'] = 'string'): Param => ({
  name,
  in: 'query',
  description,
  type,
});

const LIST_PARAMS = [
  q('allowWatchBookmarks', 'Ask for BOOKMARK events on watches.', 'boolean'),
  q('continue', 'Token of the next page of a paginated list.'),
  q('fieldSelector', 'Select objects by fields.'),
  q('labelSelector', 'Select objects by labels.'),
  q('limit', 'Maximum number of items in one page.', 'integer'),
  q('resourceVersion', 'Version the list or watch starts from.'),
  q('resourceVersionMatch', 'How resourceVersion applies to a list.'),
  q('sendInitialEvents', 'Send the current objects as ADDED events first.', 'boolean'),
  q('timeoutSeconds', 'Timeout of the list or watch call.', 'integer'),
  q('watch', 'Stream changes instead of listing.', 'boolean'),
];
const WRITE_PARAMS = [
  q('dryRun', 'All: validate and admit without persisting.'),
  q('fieldManager', 'Name of the actor making the change.'),
  q('fieldValidation', 'Ignore, Warn or Strict: what to do with unknown or duplicate fields.'),
];
const PATCH_PARAMS = [...WRITE_PARAMS, q('force', 'Take over conflicting fields on apply.', 'boolean')];
const DELETE_PARAMS = [
  q('dryRun', 'All: check without deleting.'),
  q('gracePeriodSeconds', 'Seconds before the object is deleted.', 'integer'),
  q('propagationPolicy', 'Orphan, Background or Foreground garbage collection of dependents.'),
];
const NAMESPACE_PARAM: Param = {
  name: 'namespace',
  in: 'path',
  description: 'Object name and auth scope, such as for teams and projects.',
  type: 'string',
  required: true,
};
const NAME_PARAM = (kind: string): Param => ({
  name: 'name',
  in: 'path',
  description: `Name of the ${kind}.`,
  type: 'string',
  required: true,
});
const PRETTY: Param = q('pretty', 'Pretty-print the output when true.');

export function routesFor(t: RouteTarget): Route[] {
  const { group, version, kind } = t.gvk;
  const base = `/apis/${group}/${version}`;
  const scopeSegment = t.namespaced ? '/namespaces/{namespace}' : '';
  const id = operationIdPart(group, version);
  const scopedKind = `${t.namespaced ? 'Namespaced' : ''}${kind}`;
  const scopeParams = t.namespaced ? [NAMESPACE_PARAM] : [];
  const collection = `${base}${scopeSegment}/${t.plural}`;
  const item = `${collection}/{name}`;
  const routes: Route[] = [
    {
      path: collection,
      pathParams: [...scopeParams, PRETTY],
      operations: [
        {
          verb: 'get',
          action: 'list',
          operationId: `list${id}${scopedKind}`,
          description: `list objects of kind ${kind}`,
          params: LIST_PARAMS,
          response: t.listSchema,
        },
        {
          verb: 'post',
          action: 'create',
          operationId: `create${id}${scopedKind}`,
          description: `create a ${kind}`,
          params: WRITE_PARAMS,
          body: t.objectSchema,
          response: t.objectSchema,
        },
        {
          verb: 'delete',
          action: 'deletecollection',
          operationId: `deletecollection${id}${scopedKind}`,
          description: `delete collection of ${kind}`,
          params: [...LIST_PARAMS, ...DELETE_PARAMS],
          response: 'Status',
        },
      ],
    },
    {
      path: item,
      pathParams: [NAME_PARAM(kind), ...scopeParams, PRETTY],
      operations: [
        {
          verb: 'get',
          action: 'get',
          operationId: `read${id}${scopedKind}`,
          description: `read the specified ${kind}`,
          params: [q('resourceVersion', 'Read at least this version.')],
          response: t.objectSchema,
        },
        {
          verb: 'put',
          action: 'put',
          operationId: `replace${id}${scopedKind}`,
          description: `replace the specified ${kind}`,
          params: WRITE_PARAMS,
          body: t.objectSchema,
          response: t.objectSchema,
        },
        {
          verb: 'patch',
          action: 'patch',
          operationId: `patch${id}${scopedKind}`,
          description: `partially update the specified ${kind}`,
          params: PATCH_PARAMS,
          body: 'Patch',
          response: t.objectSchema,
        },
        {
          verb: 'delete',
          action: 'delete',
          operationId: `delete${id}${scopedKind}`,
          description: `delete a ${kind}`,
          params: DELETE_PARAMS,
          response: 'Status',
        },
      ],
    },
  ];
  if (t.hasStatus) routes.push(statusRoute(t, item, id, scopedKind, scopeParams));
  if (t.namespaced) {
    routes.push({
      path: `${base}/${t.plural}`,
      pathParams: [PRETTY],
      operations: [
        {
          verb: 'get',
          action: 'list',
          operationId: `list${id}${kind}ForAllNamespaces`,
          description: `list objects of kind ${kind} in all namespaces`,
          params: LIST_PARAMS,
          response: t.listSchema,
        },
      ],
    });
  }
  return routes;
}

function statusRoute(t: RouteTarget, item: string, id: string, scopedKind: string, scopeParams: Param[]): Route {
  const kind = t.gvk.kind;
  return {
    path: `${item}/status`,
    pathParams: [NAME_PARAM(kind), ...scopeParams, PRETTY],
    operations: [
      {
        verb: 'get',
        action: 'get',
        operationId: `read${id}${scopedKind}Status`,
        description: `read status of the specified ${kind}`,
        params: [],
        response: t.objectSchema,
      },
      {
        verb: 'put',
        action: 'put',
        operationId: `replace${id}${scopedKind}Status`,
        description: `replace status of the specified ${kind}`,
        params: WRITE_PARAMS,
        body: t.objectSchema,
        response: t.objectSchema,
      },
      {
        verb: 'patch',
        action: 'patch',
        operationId: `patch${id}${scopedKind}Status`,
        description: `partially update status of the specified ${kind}`,
        params: PATCH_PARAMS,
        body: 'Patch',
        response: t.objectSchema,
      },
    ],
  };
}

/** `brigade.sh`, `v1alpha1` -> `BrigadeShV1alpha1`, as in the real operation ids. */
function operationIdPart(group: string, version: string): string {
  const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
  return `${group.split(/[.-]/).map(cap).join('')}${cap(version)}`;
}
