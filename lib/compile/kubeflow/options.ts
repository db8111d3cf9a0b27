import { Code } from '../../pipeline/code';
import { show } from '../../pipeline/errors';

/** A Kubernetes toleration for GPU steps (see the Pod spec's `tolerations`). */
export interface KubeflowToleration {
  readonly key?: string;
  /** 'Exists' or 'Equal'. @default 'Equal' when a value is given, else 'Exists' */
  readonly operator?: string;
  readonly value?: string;
  /** 'NoSchedule', 'PreferNoSchedule' or 'NoExecute'; empty matches every effect. */
  readonly effect?: string;
  readonly tolerationSeconds?: number;
}

/** How steps with `resources.gpu` are scheduled on Kubeflow Pipelines. */
export interface KubeflowGpuOptions {
  /** The extended resource the GPUs are requested as. @default 'nvidia.com/gpu' */
  readonly resourceName?: string;
  /** Node labels a GPU step's pod must match, e.g. { 'nvidia.com/gpu.present': 'true' }. */
  readonly nodeSelector?: { [label: string]: string };
  /**
   * Tolerations for the taints of GPU nodes.
   * @default one toleration of the resource name with operator Exists and effect NoSchedule
   */
  readonly tolerations?: KubeflowToleration[];
  /** When true, a GPU step without `nodeSelector` is a synth-time error. @default false */
  readonly requireNodeSelection?: boolean;
}

export interface KubeflowCompileOptions {
  /** Image for container steps that set none; without it such steps are a synth-time error. */
  readonly defaultImage?: string;
  /**
   * Name of the ConfigMap that holds `code.zip` = packageCode(code) (lib/runtime) for each Code;
   * the construct creates them. KFP uses it as a pod volume name, so it must be a DNS-1123 label.
   * It is also part of each step's cache key: give changed code a new name (e.g. a content hash).
   */
  readonly codeConfigMapName: (code: Code) => string;
  /**
   * GPU scheduling for steps with resources.gpu: the extended resource name (default
   * 'nvidia.com/gpu'), node selector, tolerations, and whether node selection is required (then a
   * GPU step without a node selector is an error).
   */
  readonly gpu?: KubeflowGpuOptions;
  /** Image (with `sh` and `cp`) that fail and register-model steps run in. @default defaultImage */
  readonly utilityImage?: string;
  /** The KFP pipeline name, `pipelineInfo.name`. @default the pipeline's name in lower case */
  readonly pipelineName?: string;
  /**
   * Where runs store their artifacts (`defaultPipelineRoot`), e.g. 's3://ml-artifacts/pipelines'.
   * @default KFP's configured pipeline root
   */
  readonly pipelineRoot?: string;
  /** UID the step containers run as (they always run as non-root). @default 1000 */
  readonly runAsUser?: number;
  /** GID the step containers run as. @default 1000 */
  readonly runAsGroup?: number;
  /** Labels on every step pod, e.g. for the NetworkPolicies that select them. */
  readonly podLabels?: { [label: string]: string };
}

export const DEFAULT_GPU_RESOURCE = 'nvidia.com/gpu';
export const DEFAULT_RUN_AS_ID = 1000;

/** Kubernetes label keys: an optional DNS-subdomain prefix and '/', then a name of up to 63 chars. */
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(|[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
/** The schemes KFP's launcher maps to local paths (LocalPathForURI). */
const PIPELINE_ROOT = /^(s3|gs|minio):\/\/[a-z0-9][-a-z0-9.]*[a-z0-9](\/\S*)?$/;
const TOLERATION_OPERATORS = ['Exists', 'Equal'];
const TOLERATION_EFFECTS = ['', 'NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function isQualifiedName(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  return LABEL_NAME.test(name) && (prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix)));
}

/** Problems with the options themselves (not with a step), each naming the option. */
export function optionProblems(options: KubeflowCompileOptions): string[] {
  const problems: string[] = [];
  if (typeof options.codeConfigMapName !== 'function') {
    problems.push('Kubeflow option codeConfigMapName is not a function; pass (code) => a ConfigMap name');
  }
  for (const [field, image] of [['defaultImage', options.defaultImage], ['utilityImage', options.utilityImage]] as const) {
    if (image !== undefined && (typeof image !== 'string' || image.trim() === '' || /\s/.test(image))) {
      problems.push(`Kubeflow option ${field} ${show(image)} is not an image reference; give e.g. 'python:3.11-slim' or omit it`);
    }
  }
  const root = options.pipelineRoot;
  if (root !== undefined && (typeof root !== 'string' || !PIPELINE_ROOT.test(root))) {
    problems.push(`Kubeflow option pipelineRoot ${show(root)} is not an object-store URI KFP can write to (allowed: s3://, gs:// or minio:// and a bucket, e.g. 's3://ml-artifacts/pipelines')`);
  }
  for (const [field, id] of [['runAsUser', options.runAsUser], ['runAsGroup', options.runAsGroup]] as const) {
    if (id !== undefined && (!Number.isSafeInteger(id) || id < 1)) {
      problems.push(`Kubeflow option ${field} ${show(id)} is invalid (allowed: a whole number >= 1; step containers never run as root)`);
    }
  }
  const gpu = options.gpu;
  for (const [label, value] of Object.entries(options.podLabels ?? {})) {
    if (!isQualifiedName(label) || typeof value !== 'string' || !LABEL_VALUE.test(value)) {
      problems.push(`Kubeflow option podLabels entry ${show(label)}: ${show(value)} is not a valid Kubernetes label (keys: [prefix/]name, values: up to 63 letters, digits, '-', '_' or '.')`);
    }
  }
  if (gpu) {
    const resource = gpu.resourceName;
    if (resource !== undefined && (typeof resource !== 'string' || !resource.includes('/') || !isQualifiedName(resource))) {
      problems.push(`Kubeflow option gpu.resourceName ${show(resource)} is not an extended resource name (allowed: <domain>/<name>, e.g. 'nvidia.com/gpu' or 'amd.com/gpu')`);
    }
    for (const [label, value] of Object.entries(gpu.nodeSelector ?? {})) {
      if (!isQualifiedName(label) || typeof value !== 'string' || !LABEL_VALUE.test(value)) {
        problems.push(`Kubeflow option gpu.nodeSelector entry ${show(label)}: ${show(value)} is not a valid Kubernetes label selector (keys: [prefix/]name, values: up to 63 letters, digits, '-', '_' or '.')`);
      }
    }
    (gpu.tolerations ?? []).forEach((t, i) => {
      const at = `Kubeflow option gpu.tolerations[${i}]`;
      if (t.operator !== undefined && !TOLERATION_OPERATORS.includes(t.operator)) {
        problems.push(`${at}.operator ${show(t.operator)} is invalid (allowed: ${TOLERATION_OPERATORS.join(', ')})`);
      }
      if (t.effect !== undefined && !TOLERATION_EFFECTS.includes(t.effect)) {
        problems.push(`${at}.effect ${show(t.effect)} is invalid (allowed: NoSchedule, PreferNoSchedule, NoExecute, or empty for all)`);
      }
      if (t.operator === 'Exists' && t.value) {
        problems.push(`${at} has operator Exists and a value; Exists matches any value, so remove the value or use Equal`);
      }
      if (t.key !== undefined && t.key !== '' && !isQualifiedName(t.key)) {
        problems.push(`${at}.key ${show(t.key)} is not a valid taint key`);
      }
      if (t.tolerationSeconds !== undefined && !Number.isSafeInteger(t.tolerationSeconds)) {
        problems.push(`${at}.tolerationSeconds ${show(t.tolerationSeconds)} is not a whole number`);
      }
    });
  }
  return problems;
}
