/**
 * SageMaker limits the compiler checks at synth time, one named rule each, from the SageMaker API
 * model (botocore / @aws-sdk/client-sagemaker shapes) and the SageMaker Pipelines docs. Each one
 * crossed is a synth-time error naming the step, so nothing fails only at deploy or run time.
 * test/compile/sagemaker/limits.test.ts compares the API-model numbers with botocore's.
 */
import { isA } from '../../pipeline/brand';
import { PipelineGraph } from '../../pipeline/graph';
import { Pipeline } from '../../pipeline/pipeline';
import { ContainerStep } from '../../pipeline/steps/container-step';
import { TrainingStep } from '../../pipeline/steps/training-step';
import { isUnresolvedToken } from '../../pipeline/rules';
import { ENGINE_NAME } from './constants';

export interface SageMakerLimit {
  /** The SageMaker field, as the API names it. */
  readonly field: string;
  readonly min?: number;
  readonly max: number;
  /** botocore shape name (sagemaker service-2.json) or documentation page the number is from. */
  readonly source: string;
}

const API = 'botocore sagemaker service-2.json shape';
const RETRY_DOC = 'docs.aws.amazon.com/sagemaker/latest/dg/pipelines-retry-policy.html (JSON schema for the retry policy)';

export const SAGEMAKER_RULES = {
  maxRetryAttempts: { field: 'RetryPolicy MaxAttempts', min: 1, max: 20, source: RETRY_DOC },
  retryIntervalSeconds: { field: 'RetryPolicy IntervalSeconds', min: 0, max: 43200, source: RETRY_DOC },
  processingInputs: { field: 'ProcessingInputs', max: 10, source: `${API} ProcessingInputs` },
  processingOutputs: { field: 'ProcessingOutputConfig.Outputs', max: 10, source: `${API} ProcessingOutputs` },
  trainingChannels: { field: 'InputDataConfig', max: 20, source: `${API} InputDataConfig` },
  trainingMetrics: { field: 'AlgorithmSpecification.MetricDefinitions', max: 40, source: `${API} MetricDefinitionList` },
  environmentEntries: { field: 'Environment', max: 100, source: `${API} ProcessingEnvironmentMap, TrainingEnvironmentMap` },
  processingEnvironmentKey: { field: 'Environment key (processing)', max: 256, source: `${API} ProcessingEnvironmentKey` },
  processingEnvironmentValue: { field: 'Environment value (processing)', max: 256, source: `${API} ProcessingEnvironmentValue` },
  trainingEnvironmentKey: { field: 'Environment key (training)', max: 512, source: `${API} TrainingEnvironmentKey` },
  trainingEnvironmentValue: { field: 'Environment value (training)', max: 512, source: `${API} TrainingEnvironmentValue` },
  containerArguments: { field: 'ContainerArguments', min: 1, max: 100, source: `${API} ContainerArguments` },
  containerArgumentLength: { field: 'ContainerArguments item', max: 256, source: `${API} ContainerArgument` },
  imageUri: { field: 'AppSpecification.ImageUri / AlgorithmSpecification.TrainingImage', max: 255, source: `${API} ImageUri, AlgorithmImage` },
  processingVolumeGiB: { field: 'ProcessingClusterConfig.VolumeSizeInGB', min: 1, max: 16384, source: `${API} ProcessingVolumeSizeInGB` },
  processingInstanceCount: { field: 'ProcessingClusterConfig.InstanceCount', min: 1, max: 100, source: `${API} ProcessingInstanceCount` },
  processingRuntimeSeconds: { field: 'ProcessingStoppingCondition.MaxRuntimeInSeconds', min: 1, max: 777600, source: `${API} ProcessingMaxRuntimeInSeconds` },
  trainingRuntimeSeconds: {
    field: 'StoppingCondition.MaxRuntimeInSeconds', min: 1, max: 2419200,
    source: `${API} MaxRuntimeInSeconds (min 1; its documentation: "The maximum value is 28 days")`,
  },
  modelPackageDescription: { field: 'ModelPackageDescription', max: 1024, source: `${API} EntityDescription` },
  tuningRangesPerType: {
    field: 'ParameterRanges.IntegerParameterRanges / ContinuousParameterRanges / CategoricalParameterRanges', max: 30,
    source: `${API} IntegerParameterRanges, ContinuousParameterRanges, CategoricalParameterRanges`,
  },
  tuningCategories: { field: 'CategoricalParameterRange.Values', min: 1, max: 30, source: `${API} ParameterValues` },
  tuningCategoryLength: { field: 'CategoricalParameterRange.Values item', max: 256, source: `${API} ParameterValue` },
  tuningEnvironmentEntries: { field: 'TrainingJobDefinition.Environment', max: 48, source: `${API} HyperParameterTrainingJobEnvironmentMap` },
  tuningEnvironmentValue: { field: 'TrainingJobDefinition.Environment value', max: 512, source: `${API} HyperParameterTrainingJobEnvironmentValue` },
  tuningStaticHyperParameterValue: { field: 'TrainingJobDefinition.StaticHyperParameters value', max: 2500, source: `${API} HyperParameterValue` },
  definitionCharacters: { field: 'PipelineDefinition', min: 1, max: 1048576, source: `${API} PipelineDefinition` },
} satisfies { [name: string]: SageMakerLimit };

/** The maxima by rule name, as the step handlers read them. */
export const LIMITS = {
  maxRetryAttempts: SAGEMAKER_RULES.maxRetryAttempts.max,
  processingInputs: SAGEMAKER_RULES.processingInputs.max,
  processingOutputs: SAGEMAKER_RULES.processingOutputs.max,
  trainingChannels: SAGEMAKER_RULES.trainingChannels.max,
  trainingMetrics: SAGEMAKER_RULES.trainingMetrics.max,
  environmentEntries: SAGEMAKER_RULES.environmentEntries.max,
  processingEnvironmentValue: SAGEMAKER_RULES.processingEnvironmentValue.max,
  trainingEnvironmentValue: SAGEMAKER_RULES.trainingEnvironmentValue.max,
  containerArguments: SAGEMAKER_RULES.containerArguments.max,
  containerArgumentLength: SAGEMAKER_RULES.containerArgumentLength.max,
  processingVolumeGiB: SAGEMAKER_RULES.processingVolumeGiB.max,
  processingRuntimeSeconds: SAGEMAKER_RULES.processingRuntimeSeconds.max,
  modelPackageDescription: SAGEMAKER_RULES.modelPackageDescription.max,
  tuningRangesPerType: SAGEMAKER_RULES.tuningRangesPerType.max,
  tuningCategories: SAGEMAKER_RULES.tuningCategories.max,
  tuningCategoryLength: SAGEMAKER_RULES.tuningCategoryLength.max,
  tuningEnvironmentEntries: SAGEMAKER_RULES.tuningEnvironmentEntries.max,
  tuningEnvironmentValue: SAGEMAKER_RULES.tuningEnvironmentValue.max,
  tuningStaticHyperParameterValue: SAGEMAKER_RULES.tuningStaticHyperParameterValue.max,
  definitionCharacters: SAGEMAKER_RULES.definitionCharacters.max,
} as const;

/** Defaults the compiler fills in where the model leaves a value open. */
export const DEFAULTS = {
  volumeGiB: 30,
  /** Training jobs need a stopping condition; SageMaker's default is one day. */
  trainingRuntimeSeconds: 86400,
} as const;

/**
 * The SageMaker rules that the step handlers do not check themselves: the training job's maximum
 * runtime, the retry interval's maximum, image URI and Environment key lengths. A value that
 * comes from a pipeline default is reported once, as the default's.
 */
export function sageMakerRuleProblems(pipeline: Pipeline, graph: PipelineGraph): string[] {
  const problems = new Set<string>();
  const interval = SAGEMAKER_RULES.retryIntervalSeconds;
  const retryFix = `SageMaker waits at most ${interval.max} s (12 hours) before a retry (${interval.field} ${interval.min} to ${interval.max}); lower intervalSeconds`;
  const defaultRetry = pipeline.defaultRetry;
  if (defaultRetry && defaultRetry.maxRetries > 0 && Math.ceil(defaultRetry.intervalSeconds) > interval.max) {
    problems.add(`pipeline default defaultRetry: retry intervalSeconds ${defaultRetry.intervalSeconds} is more than ${ENGINE_NAME} allows; ${retryFix}`);
  }
  for (const node of graph.nodes) {
    const step = node.step;
    if (!isA(step, ContainerStep)) {
      continue;
    }
    const at = `step '${step.name}':`;
    const retry = node.retry;
    if (step.retry !== undefined && retry && retry.maxRetries > 0 && Math.ceil(retry.intervalSeconds) > interval.max) {
      problems.add(`${at} retry intervalSeconds ${retry.intervalSeconds} is more than ${ENGINE_NAME} allows; ${retryFix}`);
    }
    const training = isA(step, TrainingStep);
    const runtime = SAGEMAKER_RULES.trainingRuntimeSeconds;
    if (training && step.timeoutSeconds !== undefined && step.timeoutSeconds > runtime.max) {
      problems.add(`${at} timeoutSeconds ${step.timeoutSeconds} is more than a ${ENGINE_NAME} training job may run (${runtime.field} ${runtime.min} to ${runtime.max} s, 28 days); lower it, or split the training and resume from a checkpoint`);
    }
    const image = SAGEMAKER_RULES.imageUri;
    if (typeof step.image === 'string' && !isUnresolvedToken(step.image) && step.image.length > image.max) {
      problems.add(`${at} image '${step.image.slice(0, 40)}...' has ${step.image.length} characters, but ${ENGINE_NAME} takes image URIs of at most ${image.max} (${image.field}); use a shorter repository name or tag`);
    }
    const key = training ? SAGEMAKER_RULES.trainingEnvironmentKey : SAGEMAKER_RULES.processingEnvironmentKey;
    for (const name of Object.keys(step.env)) {
      if (name.length > key.max) {
        problems.add(`${at} env name '${name.slice(0, 40)}...' has ${name.length} characters, but ${ENGINE_NAME} takes at most ${key.max} for a ${training ? 'training' : 'processing'} job's ${key.field.split(' (')[0]}; shorten it`);
      }
    }
  }
  return [...problems];
}
