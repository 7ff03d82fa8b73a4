// Pure scheduling decisions: does a pod fit a node, and why not. The filters run in the order of
// the default scheduler profile (NodeUnschedulable, TaintToleration, NodeAffinity, NodeResourcesFit)
// and a node is rejected by the first filter that fails, so the unschedulable message counts nodes
// the way the real scheduler's FitError does.

import type {
  Container,
  NodeObject,
  NodeSelectorTerm,
  Pod,
  PodSpec,
  SelectorRequirement,
  Taint,
  Toleration,
} from './kube-types.ts';
import { cpuMillis, parseQuantity } from './quantity.ts';

export interface Resources {
  cpuMillis: number;
  memory: number;
  pods: number;
}

export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  const operator = toleration.operator ?? 'Equal';
  if (!toleration.key) return operator === 'Exists';
  if (toleration.key !== taint.key) return false;
  return operator === 'Exists' || (toleration.value ?? '') === (taint.value ?? '');
}

/** The first NoSchedule/NoExecute taint none of the tolerations accepts (PreferNoSchedule never filters). */
export function untoleratedTaint(taints: Taint[] = [], tolerations: Toleration[] = []): Taint | undefined {
  return taints.find(
    (taint) =>
      (taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') && !tolerations.some((t) => tolerates(t, taint)),
  );
}

/** Labels as a lookup: a key the object lacks reads as undefined. */
export function matchesRequirement(labels: Partial<Record<string, string>>, req: SelectorRequirement): boolean {
  const value = labels[req.key];
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && values.length === 1 && Number(value) > Number(values[0]);
    case 'Lt':
      return value !== undefined && values.length === 1 && Number(value) < Number(values[0]);
    default:
      return false;
  }
}

/** A node selector term: all its expressions hold (matchFields supports metadata.name only, as upstream). */
export function matchesTerm(node: NodeObject, term: NodeSelectorTerm): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  const fieldLabels = { 'metadata.name': node.metadata.name ?? '' };
  return exprs.every((r) => matchesRequirement(labels, r)) && fields.every((r) => matchesRequirement(fieldLabels, r));
}

export function matchesNodeAffinity(spec: PodSpec, node: NodeObject): boolean {
  const labels = node.metadata.labels ?? {};
  const selector = spec.nodeSelector ?? {};
  if (!Object.entries(selector).every(([key, value]) => labels[key] === value)) return false;
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  return terms === undefined || terms.some((term) => matchesTerm(node, term));
}

function containerRequests(container: Container): Resources {
  const requests = container.resources?.requests ?? {};
  const limits = container.resources?.limits ?? {};
  // The apiserver defaults a missing request to the limit.
  const cpu = requests.cpu ?? limits.cpu;
  const memory = requests.memory ?? limits.memory;
  return {
    cpuMillis: cpu === undefined ? 0 : cpuMillis(cpu),
    memory: memory === undefined ? 0 : parseQuantity(memory),
    pods: 0,
  };
}

/** Effective requests: the sum over containers, or the largest init container if that is more. */
export function podRequests(spec: PodSpec): Resources {
  const sum = { cpuMillis: 0, memory: 0, pods: 1 };
  for (const c of spec.containers ?? []) {
    const r = containerRequests(c);
    sum.cpuMillis += r.cpuMillis;
    sum.memory += r.memory;
  }
  for (const c of spec.initContainers ?? []) {
    const r = containerRequests(c);
    sum.cpuMillis = Math.max(sum.cpuMillis, r.cpuMillis);
    sum.memory = Math.max(sum.memory, r.memory);
  }
  return sum;
}

export function nodeAllocatable(node: NodeObject): Resources {
  const alloc = node.status.allocatable ?? {};
  return {
    cpuMillis: alloc.cpu === undefined ? 0 : cpuMillis(alloc.cpu),
    memory: alloc.memory === undefined ? 0 : parseQuantity(alloc.memory),
    pods: alloc.pods === undefined ? 0 : parseQuantity(alloc.pods),
  };
}

/** What the pods already bound to a node request (terminated pods hold nothing). */
export function requestedOnNode(podsOnNode: Pod[]): Resources {
  const total = { cpuMillis: 0, memory: 0, pods: 0 };
  for (const pod of podsOnNode) {
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
    const r = podRequests(pod.spec);
    total.cpuMillis += r.cpuMillis;
    total.memory += r.memory;
    total.pods += 1;
  }
  return total;
}

function insufficientResources(pod: Pod, node: NodeObject, podsOnNode: Pod[]): string[] {
  const want = podRequests(pod.spec);
  const alloc = nodeAllocatable(node);
  const used = requestedOnNode(podsOnNode);
  const reasons: string[] = [];
  if (used.pods + 1 > alloc.pods) reasons.push('Too many pods');
  if (want.cpuMillis > 0 && used.cpuMillis + want.cpuMillis > alloc.cpuMillis) reasons.push('Insufficient cpu');
  if (want.memory > 0 && used.memory + want.memory > alloc.memory) reasons.push('Insufficient memory');
  return reasons;
}

/** Why the pod cannot go to the node: empty when it fits. */
export function unfitReasons(pod: Pod, node: NodeObject, podsOnNode: Pod[]): string[] {
  if (
    node.spec.unschedulable &&
    !untoleratedTaintIsTolerated(pod, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })
  ) {
    return ['node(s) were unschedulable'];
  }
  const taint = untoleratedTaint(node.spec.taints, pod.spec.tolerations);
  if (taint) return [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`];
  if (!matchesNodeAffinity(pod.spec, node)) return ["node(s) didn't match Pod's node affinity/selector"];
  return insufficientResources(pod, node, podsOnNode);
}

function untoleratedTaintIsTolerated(pod: Pod, taint: Taint): boolean {
  return (pod.spec.tolerations ?? []).some((t) => tolerates(t, taint));
}

/** The FitError message: `0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {k: v}.` */
export function unschedulableMessage(nodeCount: number, reasonsByNode: string[][]): string {
  const counts = new Map<string, number>();
  for (const reasons of reasonsByNode) for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  const parts = [...counts.entries()].map(([reason, n]) => `${n} ${reason}`).sort();
  if (nodeCount === 0) return 'no nodes available to schedule pods';
  return `0/${nodeCount} nodes are available: ${parts.join(', ')}.`;
}

/**
 * Ranks a feasible node: preferred node affinity weight first (so "burst" placement keeps pods on
 * regular nodes while they fit), then fewer untolerated PreferNoSchedule taints, then the least
 * allocated node, as the default scoring plugins weigh it.
 */
export function nodeScore(pod: Pod, node: NodeObject, podsOnNode: Pod[]): number {
  const preferred = pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  const affinity = preferred.filter((p) => matchesTerm(node, p.preference)).reduce((sum, p) => sum + p.weight, 0);
  const softTaints = (node.spec.taints ?? []).filter(
    (t) => t.effect === 'PreferNoSchedule' && !(pod.spec.tolerations ?? []).some((tol) => tolerates(tol, t)),
  ).length;
  const alloc = nodeAllocatable(node);
  const used = requestedOnNode(podsOnNode);
  const want = podRequests(pod.spec);
  const free = (total: number, taken: number): number => (total > 0 ? Math.max(0, total - taken) / total : 0);
  const leastAllocated =
    (free(alloc.cpuMillis, used.cpuMillis + want.cpuMillis) + free(alloc.memory, used.memory + want.memory)) / 2;
  return affinity * 1000 - softTaints * 100 + leastAllocated;
}

export interface PlacementDecision {
  node?: string;
  message?: string;
}

/** Picks the best feasible node, or explains why there is none. podsByNode maps node name to its bound pods. */
export function choosePlacement(pod: Pod, nodes: NodeObject[], podsByNode: Map<string, Pod[]>): PlacementDecision {
  const failures: string[][] = [];
  let best: { name: string; score: number } | undefined;
  for (const node of nodes) {
    const name = node.metadata.name ?? '';
    const onNode = podsByNode.get(name) ?? [];
    const reasons = unfitReasons(pod, node, onNode);
    if (reasons.length > 0) {
      failures.push(reasons);
      continue;
    }
    const score = nodeScore(pod, node, onNode);
    if (!best || score > best.score) best = { name, score };
  }
  if (best) return { node: best.name };
  return { message: unschedulableMessage(nodes.length, failures) };
}
