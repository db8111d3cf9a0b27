import type { TrainingInstanceType } from '@aws-sdk/client-sagemaker';
import { ArtifactType, DataSourceKind, ExternalData } from '../../../pipeline/artifacts';
import { isA } from '../../../pipeline/brand';
import { show } from '../../../pipeline/errors';
import { StepNode } from '../../../pipeline/graph';
import { mergeResources } from '../../../pipeline/resources';
import { Step } from '../../../pipeline/step';
import { BEST_MODEL_PORT, BEST_PARAMETERS_FILE, BEST_PARAMETERS_PORT, TuneStep } from '../../../pipeline/steps/tune-step';
import { AlgorithmName, ObjectiveGoal, Range, RangeKind } from '../../../pipeline/tuning';
import { ValueType } from '../../../pipeline/values';
import { launchInvocation } from '../../../runtime/launch';
import { LAUNCHER_FILE_NAME } from '../../../runtime/paths';
import type { Copy, SageMakerCompilation } from '../compile';
import { ENGINE, ENGINE_NAME, EXECUTION_ID, TRAINING_COLLECTED_ROOT, TRAINING_INPUT_ROOT, TRAINING_METRICS_FILE, TRAINING_MODEL_DIR } from '../constants';
import { ExpressionOrScalar, PipelineExpression, StringValue, TuningStepDefinition } from '../definition';
import { JobKind } from '../instance-types';
import { instanceType, kmsKey, retryPolicies, volumeGiB, volumeKey } from '../jobs';
import { DEFAULTS, LIMITS, SAGEMAKER_RULES } from '../limits';
import type { MutableRequirements } from '../requirements';
import { SourcePart } from '../sources/resolver';
import { SageMakerStepHandler } from './handler';
import { channel, collectedChannels, metricRegex } from './training';

type Arguments = TuningStepDefinition['Arguments'];
type Channel = NonNullable<NonNullable<Arguments['TrainingJobDefinition']>['InputDataConfig']>[number];
type Ranges = NonNullable<NonNullable<Arguments['HyperParameterTuningJobConfig']>['ParameterRanges']>;

/** Where SageMaker writes a trial's hyperparameters; the launcher reads its own arguments there too. */
const HYPERPARAMETERS_FILE = '/opt/ml/input/config/hyperparameters.json';
const HYPERPARAMETERS_VAR = 'MLOPS_LAUNCHER_HYPERPARAMETERS';
const LAUNCHER_ARGUMENTS_KEY = 'mlops_launcher_arguments';
/** The trial's output data (/opt/ml/output/data), uploaded as output.tar.gz beside its model. */
const PARAMETERS_FILE = `/opt/ml/output/data/${BEST_PARAMETERS_FILE}`;

const STRATEGIES: { [a in AlgorithmName]: 'Random' | 'Grid' | 'Bayesian' } = {
  [AlgorithmName.RANDOM]: 'Random',
  [AlgorithmName.GRID]: 'Grid',
  [AlgorithmName.BAYESIAN]: 'Bayesian',
};

const TUNED_TYPES: { [t in ValueType]?: string } = { [ValueType.NUMBER]: 'number', [ValueType.INTEGER]: 'integer', [ValueType.STRING]: 'string' };

/**
 * Tuning steps: a Tuning step (CreateHyperParameterTuningJob) whose trials are training jobs of
 * the trial step. A tuning job cannot set a container entrypoint, so each trial starts the way the
 * SageMaker SDK starts framework code: the image's training toolkit downloads the trial tarball
 * (code + launcher, sagemaker_submit_directory) and runs the launcher (sagemaker_program), which
 * takes its arguments from the static hyperparameter mlops_launcher_arguments, exports the tuned
 * values as MLOPS_PARAM_<NAME>, echoes the objective metric for MetricDefinitions and writes
 * parameters.json into the trial's output data. Later steps read the best training job's files.
 */
export const TUNE_STEP: SageMakerStepHandler = {
  steps(c: SageMakerCompilation, node: StepNode): TuningStepDefinition[] {
    const step = node.step as TuneStep;
    const trial = step.trial;
    const pipeline = c.pipeline;
    const trialNode: StepNode = {
      ...node,
      step: trial,
      resources: mergeResources(pipeline.defaultResources, trial.resources),
      retry: trial.retry ?? pipeline.defaultRetry,
      cache: undefined,
    };
    searchProblems(c, step);

    const channels: Channel[] = [];
    const links: string[] = [];
    const unpack: string[] = [];
    const collected = new Set<string>();
    let channelCount = 0;
    for (const [name, source] of Object.entries(step.inputs())) {
      const resolved = c.resolve(step, name, source);
      if (resolved === undefined) {
        continue;
      }
      channelCount += resolved.parts.length;
      if (!resolved.collected) {
        channels.push(channel(name, resolved.parts[0].uri));
        if (resolved.parts[0].tarball) {
          unpack.push(name);
        }
        continue;
      }
      collected.add(name);
      collectedChannels(c, step, name, resolved, channels, links);
      if (resolved.parts.some((p) => p.tarball)) {
        links.push('--unpack-items', name);
      }
    }
    if (channelCount > LIMITS.trainingChannels) {
      c.problem(step, `has ${channelCount} inputs (channels, one per item of a collected input), but a SageMaker training job takes at most ${LIMITS.trainingChannels}; merge inputs into fewer directories`);
    }

    const tuned = Object.entries(step.space).flatMap(([name, range]) => ['--tuned', `${name}=${TUNED_TYPES[range.valueType]}`]);
    const invocation = launchInvocation<PipelineExpression>(trial, {
      engine: ENGINE,
      pipelineName: pipeline.name,
      inputPath: (name) => (collected.has(name) ? `${TRAINING_COLLECTED_ROOT}/${name}` : `${TRAINING_INPUT_ROOT}/${name}`),
      outputPath: () => TRAINING_MODEL_DIR,
      metricsFile: TRAINING_METRICS_FILE,
      runId: EXECUTION_ID,
      parameter: (ref) => c.parameterText(ref.name),
      snapshotVersion: (_input, ref) => c.parameterText(ref.name),
      retryInLauncher: trialNode.retry,
      echoMetrics: true,
      unpack: (name) => unpack.includes(name),
      extraArguments: [...links, ...tuned, '--parameters-file', PARAMETERS_FILE],
      trackingUri: c.target.trackingUri,
    });
    const launcherArguments = JSON.stringify(invocation.arguments);
    if (launcherArguments.length > LIMITS.tuningStaticHyperParameterValue) {
      c.problem(step, `needs ${launcherArguments.length} characters of launcher arguments (the static hyperparameter ${LAUNCHER_ARGUMENTS_KEY}), but SageMaker takes at most ${LIMITS.tuningStaticHyperParameterValue} per hyperparameter value; give the trial fewer or shorter arguments and metrics`);
    }
    const environment = trialEnvironment(c, step, invocation.environment);

    const code = trial.code;
    const submitDirectory = c.target.trialCodeUri?.(code);
    if (submitDirectory === undefined) {
      c.problem(step, "is a tuning step, but this SageMaker target has no place for the trial's code tarball (trialCodeUri); compile through aws.MlPipeline, which uploads it as an asset");
    }
    const timeout = trial.timeoutSeconds ?? DEFAULTS.trainingRuntimeSeconds;
    const runtime = SAGEMAKER_RULES.trainingRuntimeSeconds;
    if (timeout > runtime.max) {
      c.problem(step, `trial '${trial.name}' timeoutSeconds ${timeout} is more than a ${ENGINE_NAME} training job may run (${runtime.field} ${runtime.min} to ${runtime.max} s, 28 days); lower it`);
    }
    const image = c.image(step, trial.image ?? c.target.defaultImage);
    if (!c.isUnresolved(image) && image.length > SAGEMAKER_RULES.imageUri.max) {
      c.problem(step, `trial image has ${image.length} characters, but ${ENGINE_NAME} takes image URIs of at most ${SAGEMAKER_RULES.imageUri.max}; use a shorter repository name or tag`);
    }
    const instance = instanceType(c, trial, trialNode, JobKind.TRAINING);
    const volume = volumeGiB(c, trial, trialNode, undefined);
    const metrics = Object.entries(trial.metricTypes()).filter(([, type]) => type === ValueType.NUMBER).map(([name]) => name);
    if (metrics.length > LIMITS.trainingMetrics) {
      c.problem(step, `trial '${trial.name}' declares ${metrics.length} metrics, but a SageMaker training job reports at most ${LIMITS.trainingMetrics}; keep the objective and the ones you look at`);
    }

    return [{
      Name: step.name,
      Type: 'Tuning',
      ...c.common(step),
      Arguments: {
        HyperParameterTuningJobConfig: {
          Strategy: STRATEGIES[step.algorithm.name],
          HyperParameterTuningJobObjective: {
            Type: step.objective.goal === ObjectiveGoal.MAXIMIZE ? 'Maximize' : 'Minimize',
            MetricName: step.objective.metric,
          },
          ResourceLimits: { MaxNumberOfTrainingJobs: step.maxTrials, MaxParallelTrainingJobs: step.parallelTrials },
          ParameterRanges: parameterRanges(step),
          TrainingJobEarlyStoppingType: step.earlyStopping ? 'Auto' : 'Off',
          ...(step.seed !== undefined ? { RandomSeed: step.seed } : {}),
        },
        TrainingJobDefinition: {
          StaticHyperParameters: {
            sagemaker_program: LAUNCHER_FILE_NAME,
            sagemaker_submit_directory: submitDirectory ?? '',
            [LAUNCHER_ARGUMENTS_KEY]: launcherArguments,
          },
          AlgorithmSpecification: {
            TrainingImage: image,
            TrainingInputMode: 'File',
            MetricDefinitions: metrics.map((m) => ({ Name: m, Regex: metricRegex(m) })),
          },
          RoleArn: c.target.roleArn,
          ...(channels.length > 0 ? { InputDataConfig: channels } : {}),
          OutputDataConfig: { S3OutputPath: outputPath(c, step), ...kmsKey(c) },
          ResourceConfig: { InstanceType: instance.name as TrainingInstanceType, InstanceCount: 1, VolumeSizeInGB: volume, ...volumeKey(c, instance) },
          StoppingCondition: { MaxRuntimeInSeconds: timeout },
          Environment: environment,
        },
      },
      ...retryPolicies(c, step, trialNode.retry),
    }];
  },

  output(c: SageMakerCompilation, producer: Step, copy: Copy, port: string, type: ArtifactType): Omit<SourcePart, 'item'> | undefined {
    const file = port === BEST_MODEL_PORT && type === ArtifactType.MODEL ? 'model.tar.gz'
      : port === BEST_PARAMETERS_PORT && type === ArtifactType.DATASET ? 'output.tar.gz' : undefined;
    if (file === undefined || !isA(producer, TuneStep)) {
      return undefined;
    }
    // SageMaker stores each trial's files under <S3OutputPath>/<training job name>/output/, as the
    // SageMaker SDK's TuningStep.get_top_model_s3_uri reads them.
    return {
      uri: { 'Std:Join': { On: '/', Values: [outputPath(c, producer), { Get: `Steps.${copy.name}.BestTrainingJob.TrainingJobName` }, 'output', file] } },
      tarball: true,
    };
  },

  metric(_c: SageMakerCompilation, producer: Step, name: string): ExpressionOrScalar | undefined {
    if (!isA(producer, TuneStep) || name !== producer.objective.metric) {
      return undefined;
    }
    return { Get: `Steps.${producer.name}.BestTrainingJob.FinalHyperParameterTuningJobObjectiveMetric.Value` };
  },

  requirements(step: Step, into: MutableRequirements): void {
    if (!isA(step, TuneStep)) {
      return;
    }
    const trial = step.trial;
    // The trials are training jobs; their code ships as the trial tarball, not the code archive.
    into.trainingJobs = true;
    into.tuningJobs = true;
    into.trialCodes.add(trial.code);
    if (trial.image === undefined) {
      into.usesDefaultImage = true;
    } else {
      into.images.add(trial.image);
    }
    for (const source of Object.values(trial.inputs())) {
      if (source.sourceKind === DataSourceKind.URI && isA(source, ExternalData) && source.scheme === 's3') {
        into.externalS3Uris.add(source.uri);
      }
    }
  },
};

/** What SageMaker's tuning cannot run as the model means it. */
function searchProblems(c: SageMakerCompilation, step: TuneStep): void {
  if (step.maxFailedTrials !== undefined) {
    c.problem(step, `maxFailedTrials ${step.maxFailedTrials} has no ${ENGINE_NAME} equivalent (a SageMaker tuning job always runs up to MaxNumberOfTrainingJobs, failed trials included); remove maxFailedTrials, or run the pipeline on Katib or locally`);
  }
  const objective = step.trial.metricTypes()[step.objective.metric];
  if (objective !== undefined && objective !== ValueType.NUMBER) {
    c.problem(step, `objective metric '${step.objective.metric}' is a string metric, but ${ENGINE_NAME} tunes on a number it reads from the log; optimise a numeric metric`);
  }
  const grid = step.algorithm.name === AlgorithmName.GRID;
  const counts = { [RangeKind.INTEGER]: 0, [RangeKind.UNIFORM]: 0, [RangeKind.LOG_UNIFORM]: 0, [RangeKind.CATEGORICAL]: 0 };
  for (const [name, range] of Object.entries(step.space)) {
    counts[range.kind] += 1;
    const categories = categoriesOf(step, range);
    if (categories !== undefined && range.gridSize > LIMITS.tuningCategories) {
      const why = range.kind === RangeKind.INTEGER ? `a grid search on ${ENGINE_NAME} lists an integer range's values as categories (SageMaker's Grid strategy takes only categorical ranges), and ${range} has ${range.gridSize}` : `it has ${range.gridSize}`;
      c.problem(step, `space '${name}': ${ENGINE_NAME} takes at most ${LIMITS.tuningCategories} values per categorical range (${SAGEMAKER_RULES.tuningCategories.field}), but ${why}; try fewer values${grid ? ', or use Algorithm.random()' : ''}`);
    }
    const long = categories?.find((v) => v.length > LIMITS.tuningCategoryLength);
    if (long !== undefined) {
      c.problem(step, `space '${name}': category ${show(long.slice(0, 40) + '...')} has ${long.length} characters, but ${ENGINE_NAME} takes at most ${LIMITS.tuningCategoryLength} (${SAGEMAKER_RULES.tuningCategoryLength.field}); shorten it`);
    }
  }
  const kinds: [string, number][] = grid
    ? [['categorical (a grid search lists integer ranges as categories)', counts[RangeKind.CATEGORICAL] + counts[RangeKind.INTEGER]]]
    : [['integer', counts[RangeKind.INTEGER]], ['continuous (uniform and logUniform)', counts[RangeKind.UNIFORM] + counts[RangeKind.LOG_UNIFORM]], ['categorical', counts[RangeKind.CATEGORICAL]]];
  for (const [kind, count] of kinds) {
    if (count > LIMITS.tuningRangesPerType) {
      c.problem(step, `space has ${count} ${kind} ranges, but ${ENGINE_NAME} takes at most ${LIMITS.tuningRangesPerType} of each kind (${SAGEMAKER_RULES.tuningRangesPerType.field}); tune fewer hyperparameters and fix the rest as params`);
    }
  }
}

/**
 * A range's values when SageMaker gets it as a categorical range: its categories, or an integer
 * range's values in a grid search (SageMaker's Grid strategy takes only categorical ranges; the
 * trial sees the same text either way). Too many to list (a problem already) gives none.
 */
function categoriesOf(step: TuneStep, range: Range): string[] | undefined {
  if (range.kind === RangeKind.CATEGORICAL) {
    return range.values ?? [];
  }
  if (range.kind !== RangeKind.INTEGER || step.algorithm.name !== AlgorithmName.GRID) {
    return undefined;
  }
  return range.gridSize > LIMITS.tuningCategories ? [] : Array.from({ length: range.gridSize }, (_, i) => String(range.min! + i));
}

function parameterRanges(step: TuneStep): Ranges {
  const integer: NonNullable<Ranges['IntegerParameterRanges']> = [];
  const continuous: NonNullable<Ranges['ContinuousParameterRanges']> = [];
  const categorical: NonNullable<Ranges['CategoricalParameterRanges']> = [];
  for (const [name, range] of Object.entries(step.space)) {
    const categories = categoriesOf(step, range);
    if (categories !== undefined) {
      categorical.push({ Name: name, Values: categories });
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

/** The trial's Environment: the launch contract's variables and the user's env, sorted, within the tuning limits. */
function trialEnvironment(c: SageMakerCompilation, step: TuneStep, entries: [string, StringValue][]): { [name: string]: StringValue } {
  const all: [string, StringValue][] = [...entries, [HYPERPARAMETERS_VAR, HYPERPARAMETERS_FILE]];
  all.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (all.length > LIMITS.tuningEnvironmentEntries) {
    c.problem(step, `needs ${all.length} environment variables (the step contract's plus the trial's ${Object.keys(step.trial.params).length} params and ${Object.keys(step.trial.env).length} env entries), but a SageMaker tuning job's trials take at most ${LIMITS.tuningEnvironmentEntries} (${SAGEMAKER_RULES.tuningEnvironmentEntries.field}); pass fewer params or env entries`);
  }
  const environment: { [name: string]: StringValue } = {};
  for (const [name, value] of all) {
    if (typeof value === 'string' && value.length > LIMITS.tuningEnvironmentValue && !c.isUnresolved(value)) {
      c.problem(step, `environment variable ${name} is ${value.length} characters long, but a SageMaker tuning job's trials take at most ${LIMITS.tuningEnvironmentValue}; shorten the value or pass it in a file`);
    }
    if (name.length > SAGEMAKER_RULES.trainingEnvironmentKey.max) {
      c.problem(step, `env name '${name.slice(0, 40)}...' has ${name.length} characters, but ${ENGINE_NAME} takes at most ${SAGEMAKER_RULES.trainingEnvironmentKey.max}; shorten it`);
    }
    environment[name] = value;
  }
  return environment;
}

function outputPath(c: SageMakerCompilation, step: Step): string {
  return `s3://${c.target.bucketName}/${c.target.prefix}/${step.name}`;
}
