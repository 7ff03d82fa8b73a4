// Kubernetes-aware ordering of API version names (v2 > v1 > v1beta2 > v1beta1 > v1alpha1 > others),
// which discovery uses to list a group's versions and pick the preferred one.

const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;
const STABILITY: Record<string, number> = { '': 3, beta: 2, alpha: 1 };

/** Negative when a has the higher priority (sorts first). */
export function compareVersionPriority(a: string, b: string): number {
  const ma = KUBE_VERSION.exec(a);
  const mb = KUBE_VERSION.exec(b);
  if (!ma || !mb) {
    if (ma) return -1;
    if (mb) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const stability = STABILITY[mb.at(2) ?? ''] - STABILITY[ma.at(2) ?? ''];
  if (stability !== 0) return stability;
  const major = Number(mb[1]) - Number(ma[1]);
  if (major !== 0) return major;
  return Number(mb.at(3) ?? 0) - Number(ma.at(3) ?? 0);
}

export function sortByPriority(versions: string[]): string[] {
  return [...versions].sort(compareVersionPriority);
}
