// What the dashboard may change (cancel a build, rerun one), and who decides that it may: always the
// Kubernetes RBAC of the person at the browser, never a user list of the dashboard's own.
//  - `brigade-operator dashboard` acts with the user's own credentials: the API server authorises
//    each request as it authorises kubectl.
//  - The operator-served dashboard acts for the identity a trusted authenticating proxy puts in a
//    header: it asks the API server (SubjectAccessReview) whether that user and those groups may make
//    the change, and only then makes it with its own credentials (see docs/adr/0008-dashboard.md).
import { AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { BrigadeObjects } from '../kube/custom-objects.ts';
import { resourceOf } from '../kube/custom-objects.ts';
import { makeResilientApiClient } from '../kube/transport.ts';

/** The person at the browser, as the authenticating proxy named them; undefined in the CLI mode. */
export interface Viewer {
  user: string;
  groups: string[];
}

export interface BuildAction {
  namespace: string;
  build: string;
}

/** A change refused: by RBAC (403), or because the build is not in a state that allows it (409). */
export class ActionRefused extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'ActionRefused';
    this.status = status;
  }
}

/** A rerun request: what the history code exports (a new Build of the same Event); returns its name. */
export type RequestRerun = (o: BuildAction & { all: boolean }) => Promise<string>;

export interface DashboardActions {
  cancel(viewer: Viewer | undefined, a: BuildAction): Promise<void>;
  /** Absent when this operator cannot rerun builds. */
  rerun?: (viewer: Viewer | undefined, a: BuildAction & { all: boolean }) => Promise<string>;
}

/** Acts with the credentials `objects` was made with (the CLI mode: the user's own). */
export function ownCredentialActions(o: { objects: BrigadeObjects; rerun?: RequestRerun }): DashboardActions {
  const rerun = o.rerun;
  return {
    cancel: async (_viewer, a) => {
      await o.objects.patch('Build', a.namespace, a.build, { spec: { cancel: true } });
    },
    ...(rerun ? { rerun: (_viewer: Viewer | undefined, a: BuildAction & { all: boolean }) => rerun(a) } : {}),
  };
}

export interface AccessReview {
  /** Whether `viewer` may `verb` the `resource` (of brigade.sh) named `name` in `namespace`. */
  allowed(
    viewer: Viewer,
    attributes: { verb: string; resource: string; namespace: string; name?: string },
  ): Promise<boolean>;
}

export function subjectAccessReview(kubeConfig: KubeConfig): AccessReview {
  const api = makeResilientApiClient(kubeConfig, AuthorizationV1Api, {});
  return {
    allowed: async (viewer, attrs) => {
      const review = await api.createSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: {
            user: viewer.user,
            groups: viewer.groups,
            resourceAttributes: { group: resourceOf('Build').group, ...attrs },
          },
        },
      });
      return review.status?.allowed === true;
    },
  };
}

/**
 * Acts for the proxy-named viewer once the API server says that viewer may: cancel needs `patch` on
 * the build, rerun `create` on builds, exactly what kubectl would need for the same change.
 */
export function reviewedActions(o: {
  objects: BrigadeObjects;
  review: AccessReview;
  rerun?: RequestRerun;
}): DashboardActions {
  const own = ownCredentialActions(o);
  const check = async (viewer: Viewer | undefined, verb: string, a: BuildAction, name?: string): Promise<void> => {
    if (!viewer)
      throw new ActionRefused(
        403,
        'no user identity came with the request (is the dashboard behind its authenticating proxy?)',
      );
    const allowed = await o.review.allowed(viewer, { verb, resource: 'builds', namespace: a.namespace, name });
    if (!allowed)
      throw new ActionRefused(403, `user "${viewer.user}" may not ${verb} builds in namespace ${a.namespace}`);
  };
  const rerun = own.rerun;
  return {
    cancel: async (viewer, a) => {
      await check(viewer, 'patch', a, a.build);
      await own.cancel(viewer, a);
    },
    ...(rerun
      ? {
          rerun: async (viewer: Viewer | undefined, a: BuildAction & { all: boolean }) => {
            await check(viewer, 'create', a);
            return rerun(viewer, a);
          },
        }
      : {}),
  };
}
