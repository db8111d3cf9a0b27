import { ErrorObject } from 'ajv';
import { customResourceValidators, kubernetesDefinition, kubernetesDefinitionFor } from './schemas';

/**
 * Validates Kubernetes manifests the way `kubectl apply --validate=strict` against a cluster with
 * the CRDs would, offline: built-in kinds against the Kubernetes 1.30 OpenAPI, custom resources
 * against every CRD version (and, for Argo, JSON Schema version) we hold for them, unknown fields
 * rejected. A kind the harness does not know is a failure, never a pass.
 */
export type Manifest = { [key: string]: any };

export function describe(object: Manifest): string {
  return `${object?.kind ?? '<no kind>'} '${object?.metadata?.name ?? '<no name>'}'`;
}

export interface ValidationOptions {
  /**
   * Validate Argo kinds against this Argo version only. By default every version we hold is
   * checked; objects that must differ between versions (ArgoVersion) name theirs.
   */
  readonly argo?: 'v3.7.18' | 'v4.1.2';
}

/** Every problem of one manifest, each prefixed with the object; empty when it is valid. */
export function validateManifest(object: Manifest, options: ValidationOptions = {}): string[] {
  const at = describe(object);
  if (!object || typeof object !== 'object' || typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
    return [`${at}: not a Kubernetes object (apiVersion and kind are required)`];
  }
  const problems = metadataProblems(object).map((p) => `${at}: ${p}`);
  const builtIn = kubernetesDefinitionFor(object.apiVersion, object.kind);
  if (builtIn) {
    const validate = kubernetesDefinition(builtIn);
    if (!validate(object)) {
      problems.push(...format(validate.errors).map((e) => `${at}: ${builtIn}: ${e}`));
    }
    return problems;
  }
  const validators = customResourceValidators(object.apiVersion, object.kind)
    .filter((v) => !options.argo || !v.label.startsWith('Argo Workflows') || v.label.includes(options.argo));
  if (validators.length === 0) {
    return [...problems, `${at}: no schema for apiVersion '${object.apiVersion}' kind '${object.kind}'; an unknown kind fails validation`];
  }
  for (const { label, validate } of validators) {
    if (!validate(object)) {
      problems.push(...format(validate.errors).map((e) => `${at}: ${label}: ${e}`));
    }
  }
  // CRD schemas leave metadata as a bare object: check it against ObjectMeta.
  const meta = kubernetesDefinition('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  if (object.metadata !== undefined && !meta(object.metadata)) {
    problems.push(...format(meta.errors).map((e) => `${at}: ObjectMeta: ${e}`));
  }
  return problems;
}

export function validateManifests(objects: Manifest[], options: ValidationOptions = {}): string[] {
  return objects.flatMap((o) => validateManifest(o, options));
}

/** Built-in cluster-scoped kinds: a namespace on them is a mistake. */
const CLUSTER_SCOPED = ['Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'PriorityClass', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'APIService', 'RuntimeClass', 'IngressClass', 'CSIDriver', 'VolumeAttachment'];

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** What the API server checks about names and labels, which no schema describes. */
export function metadataProblems(object: Manifest): string[] {
  const problems: string[] = [];
  const meta = object.metadata ?? {};
  const name = meta.name;
  if (typeof name !== 'string' || name.length === 0) {
    if (!meta.generateName) {
      problems.push('metadata.name is missing');
    }
  } else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    problems.push(`metadata.name '${name}' is not a DNS-1123 subdomain`);
  }
  if (meta.namespace !== undefined && (typeof meta.namespace !== 'string' || meta.namespace.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(meta.namespace))) {
    problems.push(`metadata.namespace '${meta.namespace}' is not a DNS-1123 label`);
  }
  if (CLUSTER_SCOPED.includes(object.kind) && meta.namespace !== undefined) {
    problems.push(`metadata.namespace '${meta.namespace}' is set on a cluster-scoped ${object.kind}`);
  }
  problems.push(...labelProblems(meta.labels, 'metadata.labels'));
  return problems;
}

export function labelProblems(labels: { [key: string]: unknown } | undefined, where: string): string[] {
  const problems: string[] = [];
  for (const [labelKey, value] of Object.entries(labels ?? {})) {
    const slash = labelKey.lastIndexOf('/');
    const prefix = slash >= 0 ? labelKey.slice(0, slash) : undefined;
    const labelName = slash >= 0 ? labelKey.slice(slash + 1) : labelKey;
    if (labelName.length > 63 || !LABEL_NAME.test(labelName) || (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))) {
      problems.push(`${where}: key '${labelKey}' is not a qualified name`);
    }
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      problems.push(`${where}: value ${JSON.stringify(value)} of '${labelKey}' is not a valid label value`);
    }
  }
  return problems;
}

function format(errors: ErrorObject[] | null | undefined): string[] {
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    const extra = e.keyword === 'additionalProperties' ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'` : '';
    seen.add(`${e.instancePath || '/'} ${e.message}${extra}`);
  }
  return [...seen];
}
