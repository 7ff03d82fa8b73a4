// Reads the Kubernetes protobuf encoding (`application/vnd.kubernetes.protobuf`) for the few built-in
// kinds kubectl's typed commands send that way (`kubectl create configmap|secret|namespace|
// serviceaccount|job`, `kubectl run`). The field numbers are those of the upstream generated.proto
// files. A field this table does not know makes the request fail rather than be silently dropped.

import { badRequest } from '../errors.ts';

type Scalar = 'string' | 'bytes' | 'bool' | 'int' | 'time' | 'quantity';
type FieldType = Scalar | { message: string } | { map: Scalar | { message: string } };

interface Field {
  name: string;
  type: FieldType;
  repeated?: boolean;
  /** Go value fields (not pointers) are always encoded; their zero value is omitted in JSON. */
  omitZero?: boolean;
}

const S = 'string';
const f = (name: string, type: FieldType, opts: Omit<Field, 'name' | 'type'> = {}): Field => ({ name, type, ...opts });
const str = (name: string): Field => f(name, S, { omitZero: true });
const msg = (message: string): FieldType => ({ message });

const SCHEMAS: Record<string, Partial<Record<number, Field>>> = {
  ObjectMeta: {
    1: str('name'),
    2: str('generateName'),
    3: str('namespace'),
    4: str('selfLink'),
    5: str('uid'),
    6: str('resourceVersion'),
    7: f('generation', 'int', { omitZero: true }),
    8: f('creationTimestamp', 'time', { omitZero: true }),
    9: f('deletionTimestamp', 'time'),
    10: f('deletionGracePeriodSeconds', 'int'),
    11: f('labels', { map: S }),
    12: f('annotations', { map: S }),
    13: f('ownerReferences', msg('OwnerReference'), { repeated: true }),
    14: f('finalizers', S, { repeated: true }),
  },
  OwnerReference: {
    5: str('apiVersion'),
    1: str('kind'),
    3: str('name'),
    4: str('uid'),
    6: f('controller', 'bool'),
    7: f('blockOwnerDeletion', 'bool'),
  },
  ConfigMap: {
    1: f('metadata', msg('ObjectMeta')),
    4: f('immutable', 'bool'),
    2: f('data', { map: S }),
    3: f('binaryData', { map: 'bytes' }),
  },
  Secret: {
    1: f('metadata', msg('ObjectMeta')),
    5: f('immutable', 'bool'),
    2: f('data', { map: 'bytes' }),
    4: f('stringData', { map: S }),
    3: str('type'),
  },
  Namespace: { 1: f('metadata', msg('ObjectMeta')), 2: f('spec', msg('NamespaceSpec')), 3: f('status', msg('Empty')) },
  NamespaceSpec: { 1: f('finalizers', S, { repeated: true }) },
  ServiceAccount: {
    1: f('metadata', msg('ObjectMeta')),
    2: f('secrets', msg('ObjectReference'), { repeated: true }),
    3: f('imagePullSecrets', msg('LocalObjectReference'), { repeated: true }),
    4: f('automountServiceAccountToken', 'bool'),
  },
  LocalObjectReference: { 1: str('name') },
  ObjectReference: {
    1: str('kind'),
    2: str('namespace'),
    3: str('name'),
    4: str('uid'),
    5: str('apiVersion'),
    6: str('resourceVersion'),
    7: str('fieldPath'),
  },
  Pod: { 1: f('metadata', msg('ObjectMeta')), 2: f('spec', msg('PodSpec')), 3: f('status', msg('Empty')) },
  PodTemplateSpec: { 1: f('metadata', msg('ObjectMeta')), 2: f('spec', msg('PodSpec')) },
  PodSpec: {
    2: f('containers', msg('Container'), { repeated: true }),
    20: f('initContainers', msg('Container'), { repeated: true }),
    3: str('restartPolicy'),
    4: f('terminationGracePeriodSeconds', 'int'),
    5: f('activeDeadlineSeconds', 'int'),
    6: str('dnsPolicy'),
    7: f('nodeSelector', { map: S }),
    8: str('serviceAccountName'),
    9: str('serviceAccount'),
    10: str('nodeName'),
    11: f('hostNetwork', 'bool', { omitZero: true }),
    12: f('hostPID', 'bool', { omitZero: true }),
    13: f('hostIPC', 'bool', { omitZero: true }),
    14: f('securityContext', msg('Empty')),
    15: f('imagePullSecrets', msg('LocalObjectReference'), { repeated: true }),
    16: str('hostname'),
    17: str('subdomain'),
    19: str('schedulerName'),
    24: str('priorityClassName'),
    22: f('tolerations', msg('Toleration'), { repeated: true }),
    21: f('automountServiceAccountToken', 'bool'),
    30: f('enableServiceLinks', 'bool'),
  },
  Container: {
    1: str('name'),
    2: str('image'),
    3: f('command', S, { repeated: true }),
    4: f('args', S, { repeated: true }),
    5: str('workingDir'),
    6: f('ports', msg('ContainerPort'), { repeated: true }),
    7: f('env', msg('EnvVar'), { repeated: true }),
    8: f('resources', msg('ResourceRequirements')),
    13: str('terminationMessagePath'),
    20: str('terminationMessagePolicy'),
    14: str('imagePullPolicy'),
    16: f('stdin', 'bool', { omitZero: true }),
    17: f('stdinOnce', 'bool', { omitZero: true }),
    18: f('tty', 'bool', { omitZero: true }),
  },
  ContainerPort: {
    1: str('name'),
    2: f('hostPort', 'int', { omitZero: true }),
    3: f('containerPort', 'int'),
    4: str('protocol'),
    5: str('hostIP'),
  },
  Toleration: {
    1: str('key'),
    2: str('operator'),
    3: str('value'),
    4: str('effect'),
    5: f('tolerationSeconds', 'int'),
  },
  EnvVar: { 1: str('name'), 2: str('value') },
  ResourceRequirements: { 1: f('limits', { map: 'quantity' }), 2: f('requests', { map: 'quantity' }) },
  Job: { 1: f('metadata', msg('ObjectMeta')), 2: f('spec', msg('JobSpec')), 3: f('status', msg('Empty')) },
  JobSpec: {
    1: f('parallelism', 'int'),
    2: f('completions', 'int'),
    3: f('activeDeadlineSeconds', 'int'),
    7: f('backoffLimit', 'int'),
    4: f('selector', msg('LabelSelector')),
    5: f('manualSelector', 'bool'),
    6: f('template', msg('PodTemplateSpec')),
    8: f('ttlSecondsAfterFinished', 'int'),
    9: str('completionMode'),
    10: f('suspend', 'bool'),
    14: str('podReplacementPolicy'),
    15: str('managedBy'),
  },
  LabelSelector: { 1: f('matchLabels', { map: S }) },
  /** A message whose content the simulator ignores (status, security context sent empty by kubectl). */
  Empty: {},
};

const ROOT_KINDS: Record<string, string> = {
  'v1/ConfigMap': 'ConfigMap',
  'v1/Secret': 'Secret',
  'v1/Namespace': 'Namespace',
  'v1/ServiceAccount': 'ServiceAccount',
  'v1/Pod': 'Pod',
  'batch/v1/Job': 'Job',
};

class Reader {
  pos = 0;
  readonly buf: Uint8Array;
  readonly end: number;

  constructor(buf: Uint8Array, end = buf.length) {
    this.buf = buf;
    this.end = end;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw badRequest('protobuf: truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  }

  bytes(): Uint8Array {
    const len = Number(this.varint());
    if (this.pos + len > this.end) throw badRequest('protobuf: truncated field');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.pos += 4;
    else throw badRequest(`protobuf: unsupported wire type ${wireType}`);
  }

  *fields(): Generator<{ num: number; wireType: number }> {
    while (this.pos < this.end) {
      const tag = Number(this.varint());
      yield { num: tag >>> 3, wireType: tag & 7 };
    }
  }
}

function toSigned64(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

function decodeScalar(type: Scalar, r: Reader): unknown {
  switch (type) {
    case 'string':
      return new TextDecoder().decode(r.bytes());
    case 'bytes':
      return Buffer.from(r.bytes()).toString('base64');
    case 'bool':
      return r.varint() !== 0n;
    case 'int':
      return toSigned64(r.varint());
    case 'time': {
      const t = decodeMessage('Time', r.bytes()) as { seconds?: number };
      return t.seconds ? new Date(t.seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined;
    }
    case 'quantity':
      return (decodeMessage('Quantity', r.bytes()) as { string?: string }).string ?? '';
  }
}

SCHEMAS['Time'] = { 1: f('seconds', 'int'), 2: f('nanos', 'int') };
SCHEMAS['Quantity'] = { 1: f('string', S) };

function decodeValue(type: FieldType, r: Reader): unknown {
  if (typeof type === 'string') return decodeScalar(type, r);
  if ('message' in type) return decodeMessage(type.message, r.bytes());
  const length = Number(r.varint());
  const entry = new Reader(r.buf, r.pos + length);
  entry.pos = r.pos;
  let key = '';
  let value: unknown = typeof type.map === 'string' && type.map !== 'bytes' ? '' : undefined;
  for (const { num, wireType } of entry.fields()) {
    if (num === 1) key = decodeScalar('string', entry) as string;
    else if (num === 2) value = decodeValue(type.map, entry);
    else entry.skip(wireType);
  }
  r.pos = entry.end;
  return [key, value ?? ''];
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false || v === undefined;
}

function decodeMessage(name: string, bytes: Uint8Array): Record<string, unknown> {
  const schema = SCHEMAS[name];
  const out: Record<string, unknown> = {};
  const r = new Reader(bytes);
  for (const { num, wireType } of r.fields()) {
    const field = schema[num];
    if (!field) {
      if (name === 'Empty' || name === 'Time') {
        r.skip(wireType);
        continue;
      }
      throw badRequest(`the simulator cannot read field ${num} of ${name} in a protobuf body; send JSON instead`);
    }
    const value = decodeValue(field.type, r);
    if (typeof field.type === 'object' && 'map' in field.type) {
      const [k, v] = value as [string, unknown];
      out[field.name] = { ...(out[field.name] as object | undefined), [k]: v };
    } else if (field.repeated) {
      out[field.name] = [...((out[field.name] as unknown[] | undefined) ?? []), value];
    } else if (!(field.omitZero && isZero(value)) && value !== undefined) {
      out[field.name] = value;
    }
  }
  return out;
}

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

/** Decodes a protobuf request body (the `k8s\0` envelope around runtime.Unknown) into a JSON object. */
export function decodeProtobufObject(body: Uint8Array): Record<string, unknown> {
  if (body.length < 4 || MAGIC.some((b, i) => body[i] !== b)) throw badRequest('protobuf: missing the k8s envelope');
  const envelope = new Reader(body.subarray(4));
  let apiVersion = '';
  let kind = '';
  let raw: Uint8Array | undefined;
  for (const { num, wireType } of envelope.fields()) {
    if (num === 1) {
      const tm = new Reader(envelope.bytes());
      for (const t of tm.fields()) {
        if (t.num === 1) apiVersion = decodeScalar('string', tm) as string;
        else if (t.num === 2) kind = decodeScalar('string', tm) as string;
        else tm.skip(t.wireType);
      }
    } else if (num === 2) raw = envelope.bytes();
    else envelope.skip(wireType);
  }
  const root = ROOT_KINDS[`${apiVersion}/${kind}`];
  if (!root) throw badRequest(`the simulator cannot read ${kind} (${apiVersion}) as protobuf; send JSON instead`);
  return { apiVersion, kind, ...decodeMessage(root, raw ?? new Uint8Array()) };
}
