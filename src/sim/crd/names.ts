// Name rules of k8s.io/apimachinery/pkg/util/validation, for the server's metadata.name checks.

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}

export function isDns1123Subdomain(value: string): boolean {
  return value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/**
 * The messages the real apiserver gives for a bad object name (path segment rules plus DNS-1123
 * subdomain), without the `metadata.name: Invalid value: "x": ` prefix; empty when valid.
 */
export function validateObjectName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  for (const bad of ['/', '%']) {
    if (name.includes(bad)) return [`may not contain '${bad}'`];
  }
  const msgs: string[] = [];
  if (name.length > 253) msgs.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN.test(name)) {
    msgs.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', " +
        "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is " +
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  }
  return msgs;
}
