// The four CustomResourceDefinitions, built from the TypeBox schemas. crdManifests() is what
// gen-crds.ts writes to crds/ and what tests and dev mode register in the simulator.
import type { TSchema } from '@sinclair/typebox';
import { BuildSpecSchema, BuildStatusSchema } from './build-schema.ts';
import { API_VERSION, CATEGORY, GROUP, KINDS, VERSION } from './constants.ts';
import type { BrigadeKind } from './constants.ts';
import { EventSpecSchema, EventStatusSchema } from './event-schema.ts';
import { JobSpecSchema, JobStatusSchema } from './job-schema.ts';
import { ProjectSpecSchema, ProjectStatusSchema } from './project-schema.ts';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description: string;
  priority?: number;
}

/** A CustomResourceDefinition as plain JSON (apiextensions.k8s.io/v1). */
export interface CrdManifest {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    group: string;
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames: string[];
      categories: string[];
    };
    scope: 'Namespaced';
    versions: Array<{
      name: string;
      served: boolean;
      storage: boolean;
      subresources: { status: Record<string, never> };
      additionalPrinterColumns: PrinterColumn[];
      schema: { openAPIV3Schema: Record<string, unknown> };
    }>;
  };
}

interface KindDefinition {
  description: string;
  /** CEL rules on the whole object (the only place a schema can check metadata.name). */
  rootRules?: Array<{ rule: string; message: string }>;
  spec: TSchema;
  status: TSchema;
  columns: PrinterColumn[];
}

const AGE: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: 'Time since creation.',
};
const conditionStatus = (type: string): string => `.status.conditions[?(@.type=="${type}")].status`;

const DEFINITIONS: Record<BrigadeKind, KindDefinition> = {
  Project: {
    description:
      'A Brigade project: a brigade.js pipeline, the Secret behind project.secrets, job defaults, policy and gateways.',
    spec: ProjectSpecSchema,
    status: ProjectStatusSchema,
    rootRules: [
      {
        rule: 'size(self.metadata.name) <= 63',
        message: 'a project name is at most 63 characters: it is used as a label value',
      },
    ],
    columns: [
      {
        name: 'Ready',
        type: 'string',
        jsonPath: conditionStatus('Ready'),
        description: 'Whether the script loaded and parsed.',
      },
      {
        name: 'Handlers',
        type: 'string',
        jsonPath: '.status.handlersSummary',
        description: 'Event types the script handles.',
        priority: 1,
      },
      { name: 'Last Build', type: 'string', jsonPath: '.status.lastBuild', description: 'Most recent build.' },
      AGE,
    ],
  },
  Event: {
    description:
      'One occurrence for a project (a push, a webhook delivery, a manual run). Its spec is immutable; it yields one Build (and any reruns of that build).',
    spec: EventSpecSchema,
    status: EventStatusSchema,
    columns: [
      { name: 'Project', type: 'string', jsonPath: '.spec.project', description: 'Project the event is for.' },
      { name: 'Type', type: 'string', jsonPath: '.spec.type', description: 'Event type.' },
      { name: 'Provider', type: 'string', jsonPath: '.spec.provider', description: 'Who produced the event.' },
      { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Pending, Accepted or Rejected.' },
      { name: 'Build', type: 'string', jsonPath: '.status.build', description: 'The build the event created.' },
      AGE,
    ],
  },
  Build: {
    description: "One evaluation of a project's script for one Event.",
    spec: BuildSpecSchema,
    status: BuildStatusSchema,
    columns: [
      { name: 'Project', type: 'string', jsonPath: '.spec.project', description: 'Project of the build.' },
      { name: 'Type', type: 'string', jsonPath: '.spec.type', description: 'Event type.' },
      { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Build phase.' },
      {
        name: 'Jobs',
        type: 'string',
        jsonPath: '.status.jobsSummary',
        description: 'Jobs that succeeded / all jobs, and how many failed.',
      },
      { name: 'Duration', type: 'string', jsonPath: '.status.duration', description: 'Run time.' },
      AGE,
    ],
  },
  Job: {
    description: 'One brigadier job run of a build; it owns one batch/v1 Job.',
    spec: JobSpecSchema,
    status: JobStatusSchema,
    columns: [
      { name: 'Build', type: 'string', jsonPath: '.spec.build', description: 'Build the job belongs to.' },
      { name: 'Image', type: 'string', jsonPath: '.spec.image', description: 'Container image.' },
      { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Job phase.' },
      { name: 'Node', type: 'string', jsonPath: '.status.nodeName', description: 'Node the pod ran on.' },
      { name: 'Duration', type: 'string', jsonPath: '.status.duration', description: 'Run time.' },
      AGE,
    ],
  },
};

/** kubectl explain does not show `default`, so each description says it (once, at generation). */
function describeDefaults(node: Record<string, unknown>): void {
  if ('default' in node && typeof node.description === 'string' && !/\(default /i.test(node.description)) {
    const value = node.default;
    // Objects take the JSON branch; String() only ever sees the scalar defaults.
    // eslint-disable-next-line @typescript-eslint/no-base-to-string
    const shown = typeof value === 'object' ? JSON.stringify(value) : String(value);
    if (shown !== '{}') node.description = `${node.description} Default: ${shown}.`;
  }
  for (const child of Object.values((node.properties ?? {}) as Record<string, Record<string, unknown>>))
    describeDefaults(child);
  if (node.items && typeof node.items === 'object') describeDefaults(node.items as Record<string, unknown>);
}

/** Plain JSON: drops TypeBox's symbol-keyed metadata and undefined values. */
function plain(schema: TSchema): Record<string, unknown> {
  const json = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
  describeDefaults(json);
  return json;
}

/** The openAPIV3Schema of one kind: the envelope plus its spec and status schemas. */
export function openApiSchema(kind: BrigadeKind): Record<string, unknown> {
  const def = DEFINITIONS[kind];
  return {
    type: 'object',
    description: def.description,
    properties: {
      apiVersion: { type: 'string', description: `APIVersion of this object: ${API_VERSION}.` },
      kind: { type: 'string', description: `Kind of this object: ${kind}.` },
      metadata: { type: 'object' },
      spec: plain(def.spec),
      status: plain(def.status),
    },
    required: ['spec'],
    ...(def.rootRules ? { 'x-kubernetes-validations': def.rootRules } : {}),
  };
}

/** The CustomResourceDefinition of one kind. */
export function crdManifest(kind: BrigadeKind): CrdManifest {
  const names = KINDS[kind];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${names.plural}.${GROUP}`,
      labels: { 'app.kubernetes.io/name': 'brigade-operator', 'app.kubernetes.io/part-of': 'brigade' },
    },
    spec: {
      group: GROUP,
      names: {
        kind: names.kind,
        listKind: `${names.kind}List`,
        plural: names.plural,
        singular: names.singular,
        shortNames: [...names.shortNames],
        categories: [CATEGORY],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: DEFINITIONS[kind].columns,
          schema: { openAPIV3Schema: openApiSchema(kind) },
        },
      ],
    },
  };
}

/** All four CRDs, in a fixed order. */
export function crdManifests(): CrdManifest[] {
  return (Object.keys(KINDS) as BrigadeKind[]).map(crdManifest);
}
