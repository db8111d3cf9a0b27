import { Column, supported } from '../features';

/** The SageMaker Pipelines column of the support table. */
export const SAGEMAKER_COLUMN: Column = {
  'script-steps-and-artifacts': supported('Processing steps; outputs are ProcessingOutputs under the execution id, inputs read them with Get ProcessingOutputConfig.Outputs[...]'),
  'training-step-model': supported('Training steps (launcher as ContainerEntrypoint, code in a channel); later steps read ModelArtifacts.S3ModelArtifacts, unpacked by the launcher'),
  'typed-parameters': supported('pipeline Parameters (String, Integer, Float, Boolean, EnumValues); passed to steps as Environment text via Std:Join'),
  'condition-metric-threshold': supported('Condition step; processing metrics read with Std:JsonGet from a metrics PropertyFile, training metrics from FinalMetricDataList'),
  'condition-logic': supported('Equals, GreaterThan..., In, Not, Or; and is the Conditions list, and under or/not via De Morgan; != is Not(Equals)'),
  'nested-condition': supported('a Condition step inside IfSteps/ElseSteps'),
  'register-model': supported('RegisterModel step (CreateModelPackage) into a model package group the construct creates'),
  'servable-model': supported('the model package container gets SAGEMAKER_PROGRAM and SAGEMAKER_SUBMIT_DIRECTORY (a sourcedir.tar.gz asset), as the SageMaker SDK sets them'),
  'fail-step': supported('Fail step with ErrorMessage'),
  'depends-on': supported('DependsOn'),
  'retry-backoff': supported('RetryPolicies for SageMaker service/job faults plus launcher --retries/--interval/--backoff for script failures (max 20)'),
  'cache': supported('CacheConfig Enabled without ExpireAfter; cached steps get no MLOPS_RUN_ID'),
  'cache-expiry': supported('CacheConfig ExpireAfter as an ISO 8601 duration (hours, or minutes for fractions)'),
  'resources': supported('the smallest instance type in the documented table that fits cpu and memory, or resources.sageMakerInstanceType'),
  'gpu': supported('the smallest GPU instance type that fits (g4dn, g5, p3)'),
  'fan-out': supported('unrolled at synth time into one step per item named <step>-<item>, MLOPS_ITEM set; dependsOn waits for every copy'),
  'collected-outputs': supported("one ProcessingInput per item, each reading that item's step (<step>-<item>) output S3Uri into <input dir>/<item>; training readers get a channel per item, which the launcher links into one directory (--collect-item); at most 9 inputs or 19 channels in all"),
  'collected-metrics': supported("one input per item reading its metrics: a processing item's mlops-metrics output (<item>/metrics.json), a training item's output.tar.gz (TrainingJobName), unpacked per item by the launcher (--unpack-items)"),
  'training-fan-out': supported('unrolled into one Training step per item (<step>-<item>, MLOPS_ITEM, S3OutputPath per item); collect(\'model\') reads each item\'s ModelArtifacts, unpacked inside each item directory (--unpack-items)'),
  'external-data': supported('an s3:// URI is the S3Uri of a ProcessingInput (or training channel) as given, S3Prefix; the construct grants read access to it; other schemes are a synth-time error ("SageMaker reads only s3:// URIs")'),
  'timeout': supported('StoppingCondition.MaxRuntimeInSeconds (processing: at most 9 days)'),
  'env-and-arguments': supported('Environment entries and ContainerArguments after the launcher\'s "--"'),
  'tuning': supported('a Tuning step (CreateHyperParameterTuningJob: Random/Grid/Bayesian, MaxNumberOfTrainingJobs, MaxParallelTrainingJobs); each trial is a training job whose training toolkit runs the launcher from a code tarball (sagemaker_program), which exports the hyperparameters as MLOPS_PARAM_<NAME>; later steps read BestTrainingJob: its model.tar.gz, its output.tar.gz (parameters.json) and FinalHyperParameterTuningJobObjectiveMetric; maxFailedTrials is a synth-time error'),
  'feature-snapshots': supported("the table's folder (<store>/<table>/, s3:// only) is an S3Prefix input of the reader, which the construct grants read access to; the launcher resolves the version (Get: Parameters.x) when the step starts and lays out only that version's files; the commit step (boto3) writes the next version to the store; a cached reader of 'latest' or a parameter is a synth-time error"),
};
