import { dropEmpty } from '../../json';
import { cpuQuantity, gibQuantity, Toleration } from '../../kubernetes';
import { ContainerStep } from '../../pipeline/steps/container-step';
import * as contract from '../../pipeline/contract';
import { FailStep } from '../../pipeline/steps/fail-step';
import { RegisterModelStep } from '../../pipeline/steps/register-model-step';
import { Resources } from '../../pipeline/resources';
import { ValueType } from '../../pipeline/values';
import { launchInvocation } from '../../runtime/launch';

/** Where a step's code ConfigMap is mounted; its key `code.zip` is packageCode(code) with the launcher. */
export const CODE_MOUNT_PATH = '/mlops/code';
/** The ConfigMap key (a `binaryData` key) that holds packageCode(code). */
export const CODE_CONFIG_MAP_KEY = 'code.zip';
export const CODE_ARCHIVE = `${CODE_MOUNT_PATH}/${CODE_CONFIG_MAP_KEY}`;
/** Writable scratch for the launcher (it extracts code.zip into a temp dir) and the metrics file. */
export const SCRATCH_PATH = '/tmp';
export const SCRATCH_VOLUME = 'mlops-tmp';
export const METRICS_FILE = `${SCRATCH_PATH}/mlops/${contract.METRICS_FILE_NAME}`;
/**
 * KFP labels every pod of a run with its run id. Read through the downward API it is not part of
 * the task's inputs, so it does not break KFP's cache key the way a `{{$.pipeline_job_uuid}}`
 * input parameter would.
 */
export const RUN_ID_FIELD_PATH = "metadata.labels['pipeline/runid']";

/** Reserved component input names; user names are identifiers, which never contain '-'. */
export const CODE_INPUT = 'mlops-code';
/** Where the launcher lays out a collected input: one entry per item, linked to its artifact. */
export const COLLECTED_PATH = `${SCRATCH_PATH}/mlops/collected`;
export const ITEM_INPUT = 'mlops-item';
/** The step's name (MLOPS_STEP): a task input, so steps of one shape share a component and executor. */
export const STEP_INPUT = 'mlops-step';
/** The component input that carries the version of feature snapshot input `input` when a pipeline parameter gives it. */
export const snapshotVersionInput = (input: string): string => `mlops-snapshot-${input}`;
export const MODEL_OUTPUT = 'model';
export const VERSION_OUTPUT = 'version';
export const ENGINE = 'kubeflow';

export const SYSTEM_ARTIFACT = 'system.Artifact';
export const SYSTEM_METRICS = 'system.Metrics';
/** The output artifact whose metadata carries a step's numeric metrics, for KFP's metrics views. */
export const METRICS_ARTIFACT = 'mlops-metrics';
export const SYSTEM_MODEL = 'system.Model';

export const inputPath = (name: string): string => `{{$.inputs.artifacts['${name}'].path}}`;
export const outputPath = (name: string): string => `{{$.outputs.artifacts['${name}'].path}}`;
export const inputParameter = (name: string): string => `{{$.inputs.parameters['${name}']}}`;
export const outputParameterFile = (name: string): string => `{{$.outputs.parameters['${name}'].output_file}}`;

/** How the launcher finds one input of a container step. */
export interface LaunchedInput {
  /** MLOPS_INPUT_<NAME>. */
  readonly path: string;
  readonly launcherArguments: string[];
  readonly needsExecutorInput: boolean;
}

export interface ContainerExecutorProps {
  readonly pipelineName: string;
  readonly step: ContainerStep;
  readonly image: string;
  readonly resources?: Resources;
  readonly gpuResource: string;
  /** Every input the step reads, by name. */
  readonly inputs: { readonly [name: string]: LaunchedInput };
  readonly trackingUri?: string;
}

/**
 * A container step: `python3 /mlops/code/code.zip --entry <entry> ...`, the launcher from
 * lib/runtime, started through the one launch contract. KFP substitutes placeholders only in
 * command and args, so every contract variable goes through the launcher's --env; user env goes
 * there too, because KFP's cache key covers the args but not the container's env.
 */
export function containerExecutor(props: ContainerExecutorProps): { [key: string]: any } {
  const { step } = props;
  const invocation = launchInvocation(step, {
    engine: ENGINE,
    pipelineName: props.pipelineName,
    stepName: inputParameter(STEP_INPUT),
    inputPath: (name) => props.inputs[name]?.path ?? inputPath(name), // unresolved inputs are problems already
    outputPath: (port) => outputPath(port),
    metricsFile: METRICS_FILE,
    item: step.forEach !== undefined ? inputParameter(ITEM_INPUT) : undefined,
    parameter: (_ref, name) => inputParameter(name),
    snapshotVersion: (input) => inputParameter(snapshotVersionInput(input)),
    contractVariables: 'arguments',
    userEnvInArguments: true,
    metricFile: (metric) => outputParameterFile(metric),
    extraArguments: kfpArguments(props),
    trackingUri: props.trackingUri,
  });
  return {
    container: dropEmpty({
      image: props.image,
      command: ['python3', CODE_ARCHIVE],
      args: invocation.arguments,
      resources: resourceSpec(props.resources, props.gpuResource),
    }),
  };
}

/**
 * The launcher flags only KFP needs: the executor input when the launcher must read it; the
 * system.Metrics artifact that gets the numeric metrics; for forEach steps, each output artifact
 * tagged with its item (the name a collecting step sees it under) and the metrics written into
 * the metrics artifact (what collectMetrics() reads); and the collected inputs to lay out.
 */
function kfpArguments(props: ContainerExecutorProps): string[] {
  const { step } = props;
  const inputs = Object.keys(props.inputs).map((name) => props.inputs[name]);
  const metrics = hasMetricsArtifact(step);
  const outputs = outputArtifactNames(step);
  const forEach = step.forEach !== undefined;
  const args: string[] = [];
  if (metrics || (forEach && outputs.length > 0) || inputs.some((i) => i.needsExecutorInput)) {
    args.push('--kfp-executor-input', '{{$}}');
  }
  if (metrics) {
    args.push('--kfp-metrics-artifact', METRICS_ARTIFACT);
  }
  if (metrics && forEach) {
    args.push('--kfp-metrics-dir', outputPath(METRICS_ARTIFACT));
  }
  if (forEach) {
    outputs.forEach((name) => args.push('--kfp-item-artifact', name));
  }
  inputs.forEach((input) => args.push(...input.launcherArguments));
  return args;
}

/** The output artifacts of a container step's component: its ports, then its metrics artifact. */
export function outputArtifactNames(step: ContainerStep): string[] {
  return [...Object.keys(step.outputPorts()), ...(hasMetricsArtifact(step) ? [METRICS_ARTIFACT] : [])];
}

/**
 * Steps with numeric metrics report them as a system.Metrics artifact, for KFP's metrics views;
 * forEach steps with any metrics have one too, holding metrics.json, for collectMetrics().
 */
export function hasMetricsArtifact(step: ContainerStep): boolean {
  const types = Object.values(step.metricTypes());
  return types.includes(ValueType.NUMBER) || (step.forEach !== undefined && types.length > 0);
}

/** Ends the run as failed: the task exits 1 after printing the message. */
export function failExecutor(step: FailStep, image: string): { [key: string]: any } {
  return {
    container: {
      image,
      command: ['sh', '-c', 'printf \'%s\\n\' "$1" >&2; exit 1'],
      args: ['mlops-fail', step.message],
    },
  };
}

/**
 * Registers a model on KFP: copies the model into a new system.Model artifact (its metadata names
 * the group, approval and serving details) and writes the run id as the version.
 */
/** Where a registered model keeps its serving code's archive (launcher and code), inside the model artifact. */
export const REGISTERED_INFERENCE_ARCHIVE = 'serving/code.zip';

export function registerExecutor(step: RegisterModelStep, image: string): { [key: string]: any } {
  const script = [
    'set -eu',
    'mkdir -p "$2"',
    'cp -R "$1/." "$2/"',
    ...(step.inference ? [`mkdir -p "$2/serving" && cp "${CODE_ARCHIVE}" "$2/${REGISTERED_INFERENCE_ARCHIVE}"`] : []),
    'printf \'%s\' "${MLOPS_RUN_ID:-}" > "$3"',
    'echo "[mlops] registered version ${MLOPS_RUN_ID:-} of model group $4 ($5)"',
  ].join('\n');
  return {
    container: {
      image,
      command: ['sh', '-c', script],
      args: ['mlops-register', inputPath(MODEL_OUTPUT), outputPath(MODEL_OUTPUT), outputParameterFile(VERSION_OUTPUT), step.group, step.approval],
    },
  };
}

/** The static metadata of a registered model version, recorded in KFP's metadata store. */
export function registeredModelMetadata(pipelineName: string, step: RegisterModelStep): { [key: string]: any } {
  return dropEmpty({
    display_name: step.group,
    group: step.group,
    approval: step.approval,
    contentTypes: step.contentTypes,
    responseTypes: step.responseTypes,
    inferenceImage: step.image,
    inference: step.inference && { entry: step.inference.entry, env: step.inference.env ?? {}, archive: REGISTERED_INFERENCE_ARCHIVE },
    pipeline: pipelineName,
    step: step.name,
    registeredBy: 'cdk-mlops',
  });
}

function resourceSpec(resources: Resources | undefined, gpuResource: string): { [key: string]: any } | undefined {
  if (!resources) {
    return undefined;
  }
  const spec: { [key: string]: any } = {};
  if (resources.cpu !== undefined) {
    spec.resourceCpuRequest = spec.resourceCpuLimit = cpuQuantity(resources.cpu);
  }
  if (resources.memoryGiB !== undefined) {
    spec.resourceMemoryRequest = spec.resourceMemoryLimit = gibQuantity(resources.memoryGiB);
  }
  if (resources.gpu) {
    spec.accelerator = { resourceType: gpuResource, resourceCount: String(resources.gpu) };
  }
  return Object.keys(spec).length > 0 ? spec : undefined;
}

export interface ExecutorConfigProps {
  /** The step's code ConfigMap, for container steps. */
  readonly codeConfigMap?: string;
  readonly scratchGiB?: number;
  /** Sets MLOPS_RUN_ID from the pod's run-id label. */
  readonly runId: boolean;
  readonly timeoutSeconds?: number;
  readonly nodeSelector?: { [label: string]: string };
  readonly tolerations?: Toleration[];
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly podLabels?: { [label: string]: string };
}

/** The kfp_kubernetes.KubernetesExecutorConfig of one executor, in canonical proto3 JSON. */
export function kubernetesExecutorConfig(props: ExecutorConfigProps): { [key: string]: any } {
  const cm = props.codeConfigMap;
  return dropEmpty({
    configMapAsVolume: cm === undefined ? undefined : [{
      configMapName: cm,
      configMapNameParameter: { runtimeValue: { constant: cm } },
      mountPath: CODE_MOUNT_PATH,
    }],
    emptyDirMounts: [dropEmpty({
      volumeName: SCRATCH_VOLUME,
      mountPath: SCRATCH_PATH,
      sizeLimit: props.scratchGiB === undefined ? undefined : gibQuantity(props.scratchGiB),
    })],
    fieldPathAsEnv: props.runId ? [{ name: contract.RUN_ID_VAR, fieldPath: RUN_ID_FIELD_PATH }] : undefined,
    activeDeadlineSeconds: props.timeoutSeconds === undefined ? undefined : String(props.timeoutSeconds),
    nodeSelector: props.nodeSelector && Object.keys(props.nodeSelector).length > 0 ? { labels: props.nodeSelector } : undefined,
    tolerations: props.tolerations?.map((t) => dropEmpty({
      key: t.key,
      operator: t.operator ?? (t.value ? 'Equal' : 'Exists'),
      value: t.value,
      effect: t.effect,
      tolerationSeconds: t.tolerationSeconds === undefined ? undefined : String(t.tolerationSeconds),
    })),
    podMetadata: props.podLabels && Object.keys(props.podLabels).length > 0 ? { labels: sortedRecord(props.podLabels) } : undefined,
    securityContext: {
      runAsUser: String(props.runAsUser),
      runAsGroup: String(props.runAsGroup),
      runAsNonRoot: true,
    },
  });
}

function sortedRecord(record: { [key: string]: string }): { [key: string]: string } {
  return Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k]]));
}

