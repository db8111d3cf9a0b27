import { imageOptionProblems, trackingUriProblem } from '../../kubernetes';
import { GpuScheduling, gpuSchedulingProblems, labelProblems } from '../../kubernetes';
import { EndpointHandOff } from '../../kubernetes/endpoint-hand-off';
import { Code } from '../../pipeline/code';
import { show } from '../../pipeline/errors';

export interface KubeflowCompileOptions {
  /** Image for container steps that set none; without it such steps are a synth-time error. */
  readonly defaultImage?: string;
  /**
   * Name of the ConfigMap that holds `code.zip` = packageCode(code) (lib/runtime) for each Code;
   * the construct creates them. KFP uses it as a pod volume name, so it must be a DNS-1123 label.
   * It is also part of each step's cache key: give changed code a new name (e.g. a content hash).
   */
  readonly codeConfigMapName: (code: Code) => string;
  /** MLFLOW_TRACKING_URI of every step, e.g. an in-cluster MLflow server. @default none */
  readonly trackingUri?: string;
  /**
   * GPU scheduling for steps with resources.gpu: the extended resource name (default
   * 'nvidia.com/gpu'), node selector, tolerations, and whether node selection is required (then a
   * GPU step without a node selector is an error).
   */
  readonly gpu?: GpuScheduling;
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
  /** Endpoints that register steps hand their new versions to (k8s.ServedModel.fromPipeline). @default none */
  readonly endpointHandOffs?: EndpointHandOff[];
}

export const DEFAULT_RUN_AS_ID = 1000;

/** The schemes KFP's launcher maps to local paths (LocalPathForURI). */
const PIPELINE_ROOT = /^(s3|gs|minio):\/\/[a-z0-9][-a-z0-9.]*[a-z0-9](\/\S*)?$/;


/** Problems with the options themselves (not with a step), each naming the option. */
export function optionProblems(options: KubeflowCompileOptions): string[] {
  const problems: string[] = [];
  if (typeof options.codeConfigMapName !== 'function') {
    problems.push('Kubeflow option codeConfigMapName is not a function; pass (code) => a ConfigMap name');
  }
  problems.push(...imageOptionProblems('Kubeflow option', { defaultImage: options.defaultImage, utilityImage: options.utilityImage }));
  const tracking = trackingUriProblem('Kubeflow option', options.trackingUri);
  if (tracking) {
    problems.push(tracking);
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
  problems.push(...labelProblems('Kubeflow option podLabels', options.podLabels));
  problems.push(...gpuSchedulingProblems('Kubeflow option gpu', options.gpu));
  return problems;
}
