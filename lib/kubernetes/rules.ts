import { show } from '../pipeline/errors';
import { isA } from '../pipeline/brand';
import { Pipeline } from '../pipeline/pipeline';
import { Resources } from '../pipeline/resources';
import { ContainerStep } from '../pipeline/steps/container-step';
import { isUnresolvedToken, ValueRule } from '../pipeline/rules';

/**
 * The Kubernetes-wide rules the Kubernetes engines and constructs check values against, each a
 * named entry with its source, so they can be read as a list. Label keys and values are in
 * labels.ts, image references in lib/pipeline/images.ts (they are engine-neutral).
 */
export interface KubernetesNameRule extends ValueRule {
  readonly pattern: RegExp;
  readonly maxLength: number;
}

export const KUBERNETES_NAME_RULES = {
  /** Namespaces, Services, container and volume names. */
  dnsLabel: {
    what: 'DNS-1123 label',
    allowed: "a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 chars",
    source: 'k8s.io/apimachinery validation.IsDNS1123Label',
    pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    maxLength: 63,
  },
  /** ServiceAccounts, ConfigMaps, Secrets, Roles and most other object names. */
  dnsSubdomain: {
    what: 'DNS-1123 subdomain',
    allowed: "a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', each '.'-separated part starting and ending with a letter or digit, at most 253 chars",
    source: 'k8s.io/apimachinery validation.IsDNS1123Subdomain',
    pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    maxLength: 253,
  },
} satisfies { [name: string]: KubernetesNameRule };

/** The problem of a Kubernetes object name, or undefined; `what` names the option or prop. */
export function kubernetesNameProblem(what: string, name: unknown, rule: KubernetesNameRule): string | undefined {
  if (name === undefined || (typeof name === 'string' && isUnresolvedToken(name))) {
    return undefined;
  }
  if (typeof name === 'string' && rule.pattern.test(name) && name.length <= rule.maxLength) {
    return undefined;
  }
  const suggestion = typeof name === 'string' ? suggestKubernetesName(name, rule) : undefined;
  return `${what} ${show(name)} is invalid (allowed: ${rule.allowed}); rename it${suggestion ? `, e.g. '${suggestion}'` : ''}`;
}

function suggestKubernetesName(name: string, rule: KubernetesNameRule): string | undefined {
  const keep = rule === KUBERNETES_NAME_RULES.dnsSubdomain ? /[^a-z0-9.-]+/g : /[^a-z0-9-]+/g;
  const s = name.toLowerCase().replace(keep, '-').replace(/^[-.]+/, '').slice(0, rule.maxLength).replace(/[-.]+$/, '');
  return s === '' ? undefined : s;
}

export interface QuantityRule extends ValueRule {
  /** The smallest value (in the model's unit: vCPUs or GiB) whose quantity is not zero. */
  readonly min: number;
}

/**
 * cpuQuantity and gibQuantity round up to the smallest unit they emit (1m CPU, 1Ki), so a
 * tiny request never becomes '0'; a value below that unit is refused rather than raised, since
 * a request of 0.0001 CPU or a few bytes of memory is a unit mistake, not a wish.
 */
export const QUANTITY_RULES = {
  cpu: {
    what: 'resources.cpu',
    allowed: "at least 0.001 (Kubernetes' smallest CPU unit, 1m)",
    source: 'kubernetes.io/docs/concepts/configuration/manage-resources-containers: "precision finer than 1m" is not allowed',
    min: 0.001,
  },
  memoryGiB: {
    what: 'resources.memoryGiB',
    allowed: 'at least 1 KiB (1/1048576 GiB), the smallest memory quantity emitted',
    source: 'lib/kubernetes/quantities.ts emits whole Ki; a smaller value would be 0',
    min: 1 / (1024 * 1024),
  },
  diskGiB: {
    what: 'resources.diskGiB',
    allowed: 'at least 1 KiB (1/1048576 GiB), the smallest storage quantity emitted',
    source: 'lib/kubernetes/quantities.ts emits whole Ki; a smaller value would be 0',
    min: 1 / (1024 * 1024),
  },
} satisfies { [name: string]: QuantityRule };

/**
 * Problems of resources a Kubernetes engine turns into quantities, for values the model allows
 * (> 0) but that are below Kubernetes' smallest unit. `prefix` starts each message, e.g.
 * "step 'train':" or "Argo option defaultResources:".
 */
export function quantityProblems(prefix: string, resources: Resources | undefined): string[] {
  if (!resources) {
    return [];
  }
  const problems: string[] = [];
  for (const [field, rule] of Object.entries(QUANTITY_RULES) as [keyof typeof QUANTITY_RULES, QuantityRule][]) {
    const value = resources[field];
    if (typeof value === 'number' && Number.isFinite(value) && value > 0 && value < rule.min) {
      problems.push(`${prefix} ${rule.what} ${value} is too small for a Kubernetes quantity (allowed: ${rule.allowed}); it would be emitted as zero, so give the amount in the model's unit (${field === 'cpu' ? 'vCPUs' : 'GiB'})`);
    }
  }
  return problems;
}

/** Quantity problems of a pipeline's default resources and of each container step's own. */
export function pipelineQuantityProblems(pipeline: Pipeline): string[] {
  return [
    ...quantityProblems('pipeline default defaultResources:', pipeline.defaultResources),
    ...pipeline.allSteps().flatMap((step) => (isA(step, ContainerStep) ? quantityProblems(`step '${step.name}':`, step.resources) : [])),
  ];
}

/** An MLflow tracking server a pod reaches over HTTP: http(s)://host[:port][/path]. */
const TRACKING_URL = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[^\s{}]*)?$/;

/** The problem with a Kubernetes engine's trackingUri option, or undefined. */
export function trackingUriProblem(prefix: string, uri: unknown): string | undefined {
  if (uri === undefined || (typeof uri === 'string' && TRACKING_URL.test(uri))) {
    return undefined;
  }
  return `${prefix} trackingUri ${JSON.stringify(uri)} is not an MLflow server URL (allowed: http(s)://host[:port][/path], no spaces or braces); give e.g. the trackingUri of a k8s.MlflowServer, 'http://mlflow.ml.svc:5000'`;
}
