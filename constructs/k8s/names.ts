import { createHash } from 'crypto';

/**
 * Names of the objects the Kubernetes constructs create, decided once (renaming them in a release
 * would orphan objects in users' clusters):
 *
 * - the pipeline's base name is its name lowercased (or `MlPipelineProps.name`); each engine checks
 *   it against its own limits;
 * - code ConfigMaps are `<base, cut to 47 chars>-code-<10 hex of the archive's sha256>`: content
 *   addressed, so changed code gets a new ConfigMap and running pods keep theirs, and at most 63
 *   chars, because Kubeflow uses the name as a pod volume name (a DNS-1123 label);
 * - everything else is `<base>-<role>`.
 */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const CODE_PREFIX_MAX = 63 - '-code-'.length - 10;

export function codeConfigMapName(base: string, archive: Buffer): string {
  const hash = createHash('sha256').update(archive).digest('hex').slice(0, 10);
  return `${base.slice(0, CODE_PREFIX_MAX).replace(/-+$/, '')}-code-${hash}`;
}

/** The short content hash used in names that must change when their content does. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
}

/** A problem with a namespace name, or undefined. */
export function namespaceProblem(namespace: string | undefined): string | undefined {
  if (namespace !== undefined && (!DNS_LABEL.test(namespace) || namespace.length > 63)) {
    return `namespace '${namespace}' is invalid (allowed: a DNS-1123 label: lowercase letters, digits and '-', at most 63 chars)`;
  }
  return undefined;
}

/** A problem with the name of an object we create, or undefined. */
export function objectNameProblem(name: string, what: string, max = 253): string | undefined {
  if (!DNS_SUBDOMAIN.test(name) || name.length > max) {
    return `${what} name '${name}' is invalid for Kubernetes (allowed: lowercase letters, digits, '-' and '.', starting and ending alphanumeric, at most ${max} chars)`;
  }
  return undefined;
}
