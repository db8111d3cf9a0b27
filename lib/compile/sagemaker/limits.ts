/**
 * SageMaker limits the compiler checks at synth time, from the SageMaker API model (botocore /
 * @aws-sdk/client-sagemaker shapes) and the pipeline service. Each one crossed is a synth-time
 * error naming the step, so nothing fails only at deploy or run time.
 */
export const LIMITS = {
  /** RetryPolicy MaxAttempts: 1..20. */
  maxRetryAttempts: 20,
  /** ProcessingInputs and ProcessingOutputConfig.Outputs: at most 10 each (one input carries the code). */
  processingInputs: 10,
  processingOutputs: 10,
  /** Training InputDataConfig: at most 20 channels (one carries the code). */
  trainingChannels: 20,
  /** AlgorithmSpecification.MetricDefinitions: at most 40. */
  trainingMetrics: 40,
  /** Environment maps: at most 100 entries; values up to 256 (processing) / 512 (training) chars. */
  environmentEntries: 100,
  processingEnvironmentValue: 256,
  trainingEnvironmentValue: 512,
  /** ContainerEntrypoint / ContainerArguments: at most 100 items of at most 256 chars. */
  containerArguments: 100,
  containerArgumentLength: 256,
  /** ProcessingClusterConfig.VolumeSizeInGB: 1..16384. */
  processingVolumeGiB: 16384,
  /** ProcessingStoppingCondition.MaxRuntimeInSeconds: 1..777600 (9 days). */
  processingRuntimeSeconds: 777600,
  /** CreateModelPackage ModelPackageDescription: at most 1024 chars. */
  modelPackageDescription: 1024,
  /** CreatePipeline PipelineDefinition: at most 1,048,576 characters, inline or read from S3. */
  definitionCharacters: 1048576,
} as const;

/** Defaults the compiler fills in where the model leaves a value open. */
export const DEFAULTS = {
  volumeGiB: 30,
  /** Training jobs need a stopping condition; SageMaker's default is one day. */
  trainingRuntimeSeconds: 86400,
} as const;
