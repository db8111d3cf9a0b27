import { show } from '../pipeline/errors';
/** Kubernetes label rules, for options that hold label keys and values. */

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(|[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;

/** A label key, taint key or extended resource name: an optional DNS-subdomain prefix and '/', then a name of up to 63 chars. */
export function isQualifiedName(key: string): boolean {
  if (typeof key !== 'string') {
    return false;
  }
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  return LABEL_NAME.test(name) && (prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix)));
}

export function isLabelValue(value: unknown): boolean {
  return typeof value === 'string' && LABEL_VALUE.test(value);
}

/** One problem per label that Kubernetes would reject, each starting with `what`. */
export function labelProblems(what: string, labels: { [key: string]: string } | undefined): string[] {
  return Object.entries(labels ?? {})
    .filter(([key, value]) => !isQualifiedName(key) || !isLabelValue(value))
    .map(([key, value]) => `${what} entry ${show(key)}: ${show(value)} is not a valid Kubernetes label (keys: [prefix/]name, values: up to 63 letters, digits, '-', '_' or '.')`);
}
