import { isA } from '../../../pipeline/brand';
import type { StepNode } from '../../../pipeline/graph';
import { mergeResources } from '../../../pipeline/resources';
import { BEST_PARAMETERS_FILE, TuneStep } from '../../../pipeline/steps/tune-step';
import { AlgorithmName, ObjectiveGoal, Range, RangeKind } from '../../../pipeline/tuning';
import { LiteralValue, ValueType } from '../../../pipeline/values';
import { launchInvocation, LaunchTarget } from '../../../runtime/launch';
import { LAUNCHER_FILE_NAME } from '../../../runtime/paths';
import type { AirflowCompilation } from '../compilation';
import { call, hasJinja, PyExpr, PyValue } from '../python';
import {
  hasInstanceStorage, instanceTypeOf, jinjaString, jobNamePrefix, SAGEMAKER_DEFAULT_TRAINING_SECONDS, SAGEMAKER_DEFAULT_VOLUME_GIB,
  TRAINING_INPUT_ROOT, TRAINING_METRICS_FILE, TRAINING_MODEL_DIR,
} from '../sagemaker';
import { isTarballSource } from '../sources/sagemaker';
import { DATA_INTERVAL, parameterTemplate } from './container';
import { AirflowTask, TaskArguments } from './handler';
import { channel, metricRegex } from './sagemaker-job';

type Config = { [key: string]: PyValue };

/** CreateHyperParameterTuningJob's limits (botocore's sagemaker model; the SageMaker Pipelines compiler checks the same). */
const MAX_CATEGORIES = 30;
const MAX_CATEGORY_LENGTH = 256;
const MAX_RANGES_PER_KIND = 30;
const MAX_ENVIRONMENT = 48;
const MAX_ENVIRONMENT_VALUE = 512;
const MAX_HYPERPARAMETER_VALUE = 2500;
const MAX_TRAINING_SECONDS = 2419200;
/** Tuning job names have at most 32 characters: the readable prefix, '-', 12 hex digits, '-' and the try number (up to 99). */
const TUNING_PREFIX_MAX = 16;

const HYPERPARAMETERS_FILE = '/opt/ml/input/config/hyperparameters.json';
const STRATEGIES: { [a in AlgorithmName]: string } = { [AlgorithmName.RANDOM]: 'Random', [AlgorithmName.GRID]: 'Grid', [AlgorithmName.BAYESIAN]: 'Bayesian' };
const TUNED_TYPES: { [t in ValueType]?: string } = { [ValueType.NUMBER]: 'number', [ValueType.INTEGER]: 'integer', [ValueType.STRING]: 'string' };

/**
 * A tuning step on the 'sagemaker' executor: SageMakerTuningOperator with the
 * CreateHyperParameterTuningJob request the SageMaker Pipelines compiler gives its Tuning step.
 * Each trial's training toolkit runs the launcher from the trial tarball (sagemaker.trialCodeUri),
 * which takes its arguments from the static hyperparameter mlops_launcher_arguments. The task
 * returns the DescribeHyperParameterTuningJob result, which later tasks read from XCom.
 */
export function sageMakerTuning(c: AirflowCompilation, node: StepNode, variable: string, common: TaskArguments): AirflowTask | undefined {
  const step = node.step as TuneStep;
  const trial = step.trial;
  const s = c.options.sagemaker!;
  const at = `step '${step.name}'`;
  const defaults = c.graph.defaults;
  const trialNode: StepNode = { ...node, step: trial, resources: mergeResources(defaults.resources, trial.resources), retry: trial.retry ?? defaults.retry };
  const problems = searchProblems(step).map((p) => `${at}: ${p}`);
  const templated = [
    ...trial.arguments.map((a, i) => [`trial argument ${i + 1}`, a]),
    ...Object.entries(trial.env).map(([k, v]) => [`trial env ${k}`, v]),
    ...Object.entries(trial.params).filter(([, v]) => isA(v, LiteralValue) && typeof (v as LiteralValue).value === 'string').map(([k, v]) => [`trial param '${k}'`, (v as LiteralValue).value as string]),
    ...Object.values(step.space).flatMap((r) => (r.values ?? []).map((v) => [`category ${JSON.stringify(v)}`, v])),
  ];
  for (const [what, text] of templated) {
    if (hasJinja(text)) {
      problems.push(`${at}: ${what} contains '{{', '{%' or '{#', which Airflow renders as a Jinja template; remove the braces, or pass the value in a file`);
    }
  }
  const submitDirectory = s.trialCodeUri?.(trial.code);
  if (submitDirectory === undefined) {
    problems.push(`${at}: is a tuning step, but the sagemaker options give no place for the trial's code tarball (sagemaker.trialCodeUri, the S3 URI of packageTrialTarball(code)); give sagemaker.trialCodeUri`);
  }
  const timeout = trial.timeoutSeconds ?? SAGEMAKER_DEFAULT_TRAINING_SECONDS;
  if (timeout > MAX_TRAINING_SECONDS) {
    problems.push(`${at}: trial '${trial.name}' timeoutSeconds ${timeout} is more than a SageMaker training job may run (${MAX_TRAINING_SECONDS} s, 28 days); lower it`);
  }

  const inputs = c.inputPaths(step);
  const tarballs = new Set(Object.entries(step.inputs()).filter(([, source]) => isTarballSource(source)).map(([name]) => name));
  const target: LaunchTarget<PyExpr> = {
    engine: 'airflow',
    pipelineName: c.pipelineName,
    inputPath: (name) => `${TRAINING_INPUT_ROOT}/${name}`,
    outputPath: () => TRAINING_MODEL_DIR,
    metricsFile: TRAINING_METRICS_FILE,
    runId: '{{ run_id }}',
    parameter: (ref) => parameterTemplate(ref),
    snapshotVersion: (_input, ref) => parameterTemplate(ref),
    trackingUri: c.options.trackingUri,
    dataInterval: DATA_INTERVAL,
    // A failed trial is retried inside its job: an Airflow retry would start the whole search again.
    retryInLauncher: trialNode.retry,
    echoMetrics: true,
    unpack: (name) => tarballs.has(name),
    extraArguments: [
      ...Object.entries(step.space).flatMap(([name, range]) => ['--tuned', `${name}=${TUNED_TYPES[range.valueType]}`]),
      '--parameters-file', `/opt/ml/output/data/${BEST_PARAMETERS_FILE}`,
    ],
  };
  const launch = launchInvocation(trial, target);
  const launcherArguments = JSON.stringify(launch.arguments);
  if (launcherArguments.length > MAX_HYPERPARAMETER_VALUE) {
    problems.push(`${at}: needs ${launcherArguments.length} characters of launcher arguments (the static hyperparameter mlops_launcher_arguments), but SageMaker takes at most ${MAX_HYPERPARAMETER_VALUE} per hyperparameter value; give the trial fewer or shorter arguments and metrics`);
  }
  const environment: [string, PyValue][] = [...launch.environment, ['MLOPS_LAUNCHER_HYPERPARAMETERS', HYPERPARAMETERS_FILE]];
  environment.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (environment.length > MAX_ENVIRONMENT) {
    problems.push(`${at}: needs ${environment.length} environment variables (the step contract's plus the trial's ${Object.keys(trial.params).length} params and ${Object.keys(trial.env).length} env entries), but a SageMaker tuning job's trials take at most ${MAX_ENVIRONMENT}; pass fewer params or env entries`);
  }
  for (const [name, value] of environment) {
    if (typeof value === 'string' && value.length > MAX_ENVIRONMENT_VALUE && !hasJinja(value)) {
      problems.push(`${at}: environment variable ${name} is ${value.length} characters long, but a SageMaker tuning job's trials take at most ${MAX_ENVIRONMENT_VALUE}; shorten it or pass it in a file`);
    }
  }
  c.problems.push(...problems);
  if (problems.length > 0) {
    return undefined;
  }

  const image = trial.image ?? s.defaultImage;
  c.useSageMaker({ job: 'tuning', image });
  const instanceType = instanceTypeOf(trialNode, s);
  const numeric = Object.entries(trial.metricTypes()).filter(([, type]) => type === ValueType.NUMBER).map(([name]) => name);
  const prefix = jobNamePrefix(c.dagId, step.name).slice(0, TUNING_PREFIX_MAX).replace(/-+$/, '') || 'mlops';
  const config: Config = {
    // The operator cannot rename a job whose name is taken, so each try of the task names its own.
    HyperParameterTuningJobName: `{{ sagemaker_job_name(${jinjaString(prefix)}, ${jinjaString(step.name)}, run_id) }}-{{ ti.try_number }}`,
    HyperParameterTuningJobConfig: {
      Strategy: STRATEGIES[step.algorithm.name],
      HyperParameterTuningJobObjective: { Type: step.objective.goal === ObjectiveGoal.MAXIMIZE ? 'Maximize' : 'Minimize', MetricName: step.objective.metric },
      ResourceLimits: { MaxNumberOfTrainingJobs: step.maxTrials, MaxParallelTrainingJobs: step.parallelTrials },
      ParameterRanges: parameterRanges(step),
      TrainingJobEarlyStoppingType: step.earlyStopping ? 'Auto' : 'Off',
      ...(step.seed !== undefined ? { RandomSeed: step.seed } : {}),
    },
    TrainingJobDefinition: {
      StaticHyperParameters: {
        sagemaker_program: LAUNCHER_FILE_NAME,
        sagemaker_submit_directory: submitDirectory!,
        mlops_launcher_arguments: launcherArguments,
      },
      AlgorithmSpecification: {
        TrainingImage: image,
        TrainingInputMode: 'File',
        MetricDefinitions: numeric.map((m) => ({ Name: m, Regex: metricRegex(m) })),
      },
      RoleArn: s.roleArn,
      ...(inputs.size > 0 ? { InputDataConfig: [...inputs].map(([input, uri]) => channel(input, uri)) } : {}),
      // SageMaker writes <S3OutputPath>/<trial's training job>/output/model.tar.gz (and output.tar.gz).
      OutputDataConfig: { S3OutputPath: new PyExpr(`RUN_DIR + ${JSON.stringify(`/${step.name}/trials`)}`), ...(s.kmsKeyArn !== undefined ? { KmsKeyId: s.kmsKeyArn } : {}) },
      ResourceConfig: {
        InstanceType: instanceType, InstanceCount: 1, VolumeSizeInGB: trialNode.resources?.diskGiB === undefined ? SAGEMAKER_DEFAULT_VOLUME_GIB : Math.ceil(trialNode.resources.diskGiB),
        ...(s.kmsKeyArn !== undefined && !hasInstanceStorage(instanceType) ? { VolumeKmsKeyId: s.kmsKeyArn } : {}),
      },
      StoppingCondition: { MaxRuntimeInSeconds: timeout },
      Environment: Object.fromEntries(environment),
    },
  };
  const kwargs: TaskArguments = [...common, ['aws_conn_id', new PyExpr('AWS_CONN_ID')], ['wait_for_completion', true], ['config', config]];
  return { code: `    ${variable} = ${call('SageMakerTuningOperator', kwargs, '    ')}`, helpers: ['sagemaker_tuning', 'sagemaker_job_name'] };
}

/** What SageMaker's tuning cannot run as the model means it (the same rules as the SageMaker Pipelines compiler's). */
function searchProblems(step: TuneStep): string[] {
  const problems: string[] = [];
  if (step.maxFailedTrials !== undefined) {
    problems.push(`maxFailedTrials ${step.maxFailedTrials} has no SageMaker equivalent (a SageMaker tuning job always runs up to MaxNumberOfTrainingJobs, failed trials included); remove maxFailedTrials, or run the pipeline on Katib or locally`);
  }
  const grid = step.algorithm.name === AlgorithmName.GRID;
  let integer = 0;
  let continuous = 0;
  let categorical = 0;
  for (const [name, range] of Object.entries(step.space)) {
    const listed = asCategories(step, range);
    integer += range.kind === RangeKind.INTEGER && !listed ? 1 : 0;
    continuous += range.kind === RangeKind.UNIFORM || range.kind === RangeKind.LOG_UNIFORM ? 1 : 0;
    categorical += listed ? 1 : 0;
    if (listed && range.gridSize > MAX_CATEGORIES) {
      const why = range.kind === RangeKind.INTEGER ? `a grid search on SageMaker lists an integer range's values as categories (SageMaker's Grid strategy takes only categorical ranges), and ${range} has ${range.gridSize}` : `it has ${range.gridSize}`;
      problems.push(`space '${name}': SageMaker takes at most ${MAX_CATEGORIES} values per categorical range (CategoricalParameterRange.Values), but ${why}; try fewer values${grid ? ', or use Algorithm.random()' : ''}`);
    }
    const long = (range.values ?? []).find((v) => v.length > MAX_CATEGORY_LENGTH);
    if (long !== undefined) {
      problems.push(`space '${name}': category '${long.slice(0, 40)}...' has ${long.length} characters, but SageMaker takes at most ${MAX_CATEGORY_LENGTH} (CategoricalParameterRange.Values item); shorten it`);
    }
  }
  for (const [kind, count] of [['integer', integer], ['continuous (uniform and logUniform)', continuous], ['categorical', categorical]] as [string, number][]) {
    if (count > MAX_RANGES_PER_KIND) {
      problems.push(`space has ${count} ${kind} ranges, but SageMaker takes at most ${MAX_RANGES_PER_KIND} of each kind; tune fewer hyperparameters and fix the rest as params`);
    }
  }
  return problems;
}

/** Categorical ranges, and integer ranges of a grid search (SageMaker's Grid takes only categorical ranges). */
function asCategories(step: TuneStep, range: Range): boolean {
  return range.kind === RangeKind.CATEGORICAL || (range.kind === RangeKind.INTEGER && step.algorithm.name === AlgorithmName.GRID);
}

function parameterRanges(step: TuneStep): Config {
  const integer: Config[] = [];
  const continuous: Config[] = [];
  const categorical: Config[] = [];
  for (const [name, range] of Object.entries(step.space)) {
    if (range.kind === RangeKind.CATEGORICAL) {
      categorical.push({ Name: name, Values: [...(range.values ?? [])] });
    } else if (asCategories(step, range)) {
      categorical.push({ Name: name, Values: Array.from({ length: range.gridSize }, (_, i) => String(range.min! + i)) });
    } else if (range.kind === RangeKind.INTEGER) {
      integer.push({ Name: name, MinValue: String(range.min), MaxValue: String(range.max), ScalingType: 'Linear' });
    } else {
      continuous.push({ Name: name, MinValue: String(range.min), MaxValue: String(range.max), ScalingType: range.kind === RangeKind.LOG_UNIFORM ? 'Logarithmic' : 'Linear' });
    }
  }
  return {
    ...(integer.length > 0 ? { IntegerParameterRanges: integer } : {}),
    ...(continuous.length > 0 ? { ContinuousParameterRanges: continuous } : {}),
    ...(categorical.length > 0 ? { CategoricalParameterRanges: categorical } : {}),
  };
}
