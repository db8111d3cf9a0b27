/**
 * What the 'sagemaker' executor shares between its step handlers, source resolvers and the DAG
 * file: S3 layout, job names, instance types, and the checks of its options.
 */
import { show } from '../../pipeline/errors';
import type { StepNode } from '../../pipeline/graph';
import { AirflowOptions, AirflowSageMakerOptions } from './options';
import { PyExpr } from './python';

export const SAGEMAKER_DEFAULT_INSTANCE_TYPE = 'ml.m5.large';
export const SAGEMAKER_DEFAULT_VOLUME_GIB = 30;
/** CreateTrainingJob needs a stopping condition; a day when the step sets no timeout. */
export const SAGEMAKER_DEFAULT_TRAINING_SECONDS = 86400;
/** ProcessingStoppingCondition.MaxRuntimeInSeconds allows at most 9 days. */
export const SAGEMAKER_MAX_PROCESSING_SECONDS = 777600;
export const SAGEMAKER_DEFAULT_CONN_ID = 'aws_default';

/** Names the executor adds next to the user's inputs and outputs (none is a legal port name). */
export const CODE_INPUT = 'mlops-code';
export const METRICS_OUTPUT = 'mlops-metrics';

export const PROCESSING_ROOT = '/opt/ml/processing';
export const PROCESSING_CODE_DIR = `${PROCESSING_ROOT}/mlops/code`;
export const PROCESSING_METRICS_DIR = `${PROCESSING_ROOT}/mlops/metrics`;
export const TRAINING_INPUT_ROOT = '/opt/ml/input/data';
export const TRAINING_MODEL_DIR = '/opt/ml/model';
/** SageMaker uploads /opt/ml/output/data as `<S3OutputPath>/<job name>/output/output.tar.gz`. */
export const TRAINING_METRICS_FILE = '/opt/ml/output/data/metrics.json';

/**
 * A job name is `<readable prefix>-<12 hex digits>`, at most 49 characters: SageMaker allows 63,
 * and the amazon provider appends `-<timestamp>` (14 characters in the 8.x line) when a retry
 * finds the name taken.
 */
const JOB_PREFIX_MAX = 36;

/** The readable part of a job name: DAG id and step (and item), in SageMaker's alphabet. */
export function jobNamePrefix(dagId: string, step: string, item?: string): string {
  const text = [dagId, step, ...(item === undefined ? [] : [item])].join('-');
  const cleaned = text.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+/, '').slice(0, JOB_PREFIX_MAX).replace(/-+$/, '');
  return cleaned || 'mlops';
}

/**
 * The job name as a Jinja expression: the DAG file's `sagemaker_job_name` macro hashes the DAG id,
 * the step (and item) and the run id, so each run's jobs have names of their own.
 */
export function jobNameTemplate(dagId: string, step: string, item?: string): string {
  const key = item === undefined ? step : `${step}/${item}`;
  return `{{ sagemaker_job_name(${jinjaString(jobNamePrefix(dagId, step, item))}, ${jinjaString(key)}, run_id) }}`;
}

/** A string literal inside a Jinja expression. Step names and items are [A-Za-z0-9_.-]. */
export function jinjaString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A value the training task returned (its DescribeTrainingJob), read in a later task's template. */
export function trainingXcom(task: string, ...path: string[]): string {
  return `{{ ti.xcom_pull(task_ids=${jinjaString(task)})['Training']${path.map((p) => `[${jinjaString(p)}]`).join('')} }}`;
}

/** A value the tuning task returned (its DescribeHyperParameterTuningJob), read in a later task's template. */
export function tuningXcom(task: string, ...path: string[]): string {
  return `{{ ti.xcom_pull(task_ids=${jinjaString(task)})['Tuning']${path.map((p) => `[${jinjaString(p)}]`).join('')} }}`;
}

/** Where the best trial of tuning task `task` wrote `file` (model.tar.gz, or output.tar.gz with parameters.json). */
export function bestTrialUri(task: string, file: string): string {
  return `${tuningXcom(task, 'TrainingJobDefinition', 'OutputDataConfig', 'S3OutputPath')}/${tuningXcom(task, 'BestTrainingJob', 'TrainingJobName')}/output/${file}`;
}

/** `RUN_DIR + "/<parts>"`: a URI under this run's folder, s3://<bucket>/<prefix>/runs/{{ run_id }}. */
export function s3RunUri(...parts: string[]): PyExpr {
  return new PyExpr(`RUN_DIR + ${JSON.stringify(`/${parts.join('/')}/`)}`);
}

/** The key prefix of all runs in the bucket. */
export function runsKey(s: AirflowSageMakerOptions): string {
  const prefix = s.prefix.replace(/^\/+|\/+$/g, '');
  return prefix ? `${prefix}/runs` : 'runs';
}

/** The instance type a step runs on. */
export function instanceTypeOf(node: StepNode, s: AirflowSageMakerOptions | undefined): string {
  return node.resources?.sageMakerInstanceType ?? s?.defaultInstanceType ?? SAGEMAKER_DEFAULT_INSTANCE_TYPE;
}

/** SageMaker's GPU families: ml.g4dn, ml.g5, ml.g6, ml.g6e, ml.p3, ml.p4d, ml.p5, ... */
export function hasGpu(instanceType: string): boolean {
  return /^ml\.(g|p)\d/.test(instanceType);
}

/**
 * Types with local NVMe instance storage encrypt it in hardware and reject a volume KMS key
 * (VolumeKmsKeyId): the 'd' families (m5d, c5d, g4dn, p4d, ...) and g5, g6, g6e, p5.
 */
export function hasInstanceStorage(instanceType: string): boolean {
  return /^ml\.([a-z]+\d+[a-z]*d[a-z]*|g5|g6|g6e|p5|p5e|p5en)\./.test(instanceType);
}

/** The archive's file name: the last segment of its URI, which SageMaker downloads it under. */
export function archiveName(uri: string): string | undefined {
  const name = uri.split('/').pop() ?? '';
  return /^[A-Za-z0-9._-]+\.zip$/.test(name) ? name : undefined;
}

/** Problems with options.sagemaker, each naming the option. */
export function sageMakerOptionProblems(options: AirflowOptions): string[] {
  const s = options.sagemaker;
  if (s === undefined) {
    return ["executor 'sagemaker' needs the sagemaker options (roleArn, bucketName, prefix, defaultImage, codeUri); give options.sagemaker, or compile through aws.MlPipeline, which fills them in"];
  }
  const problems: string[] = [];
  for (const key of ['roleArn', 'bucketName', 'defaultImage'] as const) {
    const value = s[key];
    if (typeof value !== 'string' || value.length === 0) {
      problems.push(`sagemaker.${key} ${show(value)} is invalid (allowed: a non-empty string)`);
    }
  }
  if (typeof s.prefix !== 'string') {
    problems.push(`sagemaker.prefix ${show(s.prefix)} is invalid (allowed: a key prefix such as 'pipelines/iris', or '')`);
  }
  if (typeof s.codeUri !== 'function') {
    problems.push(`sagemaker.codeUri ${show(s.codeUri)} is invalid (allowed: a function from a Code to the S3 URI of its archive)`);
  }
  const texts: [string, string | undefined][] = [
    ['roleArn', s.roleArn], ['bucketName', s.bucketName], ['prefix', s.prefix], ['region', s.region], ['kmsKeyArn', s.kmsKeyArn],
    ['defaultImage', s.defaultImage], ['defaultInferenceImage', s.defaultInferenceImage], ['defaultInstanceType', s.defaultInstanceType], ['awsConnId', s.awsConnId],
  ];
  for (const [key, value] of texts) {
    if (typeof value === 'string' && /\{\{|\{%|\{#/.test(value)) {
      problems.push(`sagemaker.${key} ${show(value)} contains '{{', '{%' or '{#', which Airflow renders as a Jinja template; remove the braces`);
    }
  }
  if (s.defaultInstanceType !== undefined && !/^ml\.[a-z0-9-]+\.[a-z0-9]+$/.test(s.defaultInstanceType)) {
    problems.push(`sagemaker.defaultInstanceType ${show(s.defaultInstanceType)} is not a SageMaker instance type name; give e.g. 'ml.m5.large'`);
  }
  if (options.dataRoot !== undefined || options.registryRoot !== undefined) {
    problems.push("dataRoot and registryRoot apply to the 'python' and 'kubernetes' executors; the 'sagemaker' executor keeps data under s3://<sagemaker.bucketName>/<sagemaker.prefix>/runs and registers models in the SageMaker Model Registry; leave them out");
  }
  return problems;
}

/** A GPU step must run on an instance type with GPUs. */
export function sageMakerGpuProblem(node: StepNode, options: AirflowOptions): string | undefined {
  const gpus = node.resources?.gpu ?? 0;
  const type = instanceTypeOf(node, options.sagemaker);
  if (gpus <= 0 || hasGpu(type)) {
    return undefined;
  }
  const where = node.resources?.sageMakerInstanceType !== undefined ? 'resources.sageMakerInstanceType' : options.sagemaker?.defaultInstanceType !== undefined ? 'sagemaker.defaultInstanceType' : `the default, ${SAGEMAKER_DEFAULT_INSTANCE_TYPE}`;
  return `step '${node.step.name}': asks for ${gpus} GPU(s), but runs on ${type} (${where}), which has no GPU; set the step's resources.sageMakerInstanceType to a GPU instance type, e.g. 'ml.g5.xlarge', or remove resources.gpu`;
}
