import { Column, partly, supported, unsupported } from '../features';

/** The Kubeflow Pipelines column of the support table. */
export const KUBEFLOW_COLUMN: Column = {
  'script-steps-and-artifacts': supported('container tasks; outputs are system.Artifact outputs passed by taskOutputArtifact, paths handed to the launcher as {{$.inputs/outputs.artifacts[...].path}}'),
  'training-step-model': supported('the model is a system.Model output artifact at MLOPS_MODEL_DIR'),
  'typed-parameters': supported('root inputDefinitions with parameterType, defaultValue and literals (allowedValues); step params by componentInputParameter; literal params as text in the launcher arguments'),
  'condition-metric-threshold': supported('a DAG task holding T-then / T-otherwise sub-DAGs with complementary CEL triggerPolicy conditions; metrics enter as DAG input parameters'),
  'condition-logic': supported('CEL &&, ||, !, == / != and isIn as a disjunction; numbers compared as double'),
  'nested-condition': supported('condition DAGs inside condition DAGs, values passed down as pipeline channels'),
  'register-model': supported('a task that copies the model into a new system.Model artifact with the group, approval and serving metadata; the run id is its version'),
  'servable-model': supported('the code archive inside the registered system.Model as serving/code.zip; its metadata names the entry and env'),
  'fail-step': supported('a container that prints the message and exits 1'),
  'depends-on': supported('dependentTasks; dependencies of nested steps lift to the enclosing DAG task'),
  'retry-backoff': supported('retryPolicy with maxRetryCount, backoffDuration and backoffFactor (whole seconds and factors only)'),
  'cache': supported('cachingOptions.enableCache; the code ConfigMap name is a task input, so changed code misses the cache'),
  'cache-expiry': unsupported('KFP v2 cachingOptions have no expiry', /step 'cached': cache expiry \(expireAfterHours: 24\) cannot be expressed on Kubeflow Pipelines/),
  'resources': supported('resourceCpu/MemoryRequest and -Limit, equal'),
  'gpu': supported('accelerator resourceType/resourceCount plus node selector and tolerations in the platform spec'),
  'fan-out': supported('a ParallelFor task (parameterIterator over the raw items) whose body gets the item as MLOPS_ITEM'),
  'collected-outputs': supported('dsl.Collected: the ParallelFor DAG outputs every item\'s artifact as a list (isArtifactList, artifactSelectors); each item\'s artifact is tagged with its item in the executor output, and the launcher links the list into one directory, an entry per item'),
  'collected-metrics': supported('forEach steps write metrics.json into their system.Metrics artifact, collected as a list like any port: <item>/metrics.json'),
  'training-fan-out': supported('a ParallelFor over the items whose body is the training task; its models are collected as a system.Model list'),
  'external-data': supported('a dsl.importer task beside the reader records the s3:// (gs://, minio://) URI as an artifact, which KFP downloads to the input path; the step pod needs read access to the bucket'),
  'timeout': supported('activeDeadlineSeconds in the Kubernetes executor config'),
  'env-and-arguments': supported('launcher --env NAME=VALUE (part of the cache key) and script arguments after --'),
  'tuning': supported("a container task creates a Katib Experiment (random, grid, bayesianoptimization; medianstop) whose trials are Jobs running the trial through the launcher; it serves the inputs to the trials and receives their models over HTTP, then outputs the best model (system.Model), parameters.json and the objective metric as an output parameter (Katib >= v0.18 with its metrics-collector injection enabled in the namespace; see docs/tuning.md)"),
  'feature-snapshots': partly("the table's folder of the s3:// store is imported like DataSource.fromUri (dsl.importer) and downloaded by KFP's launcher; a version from a pipeline parameter is a component input the task binds, resolved by our launcher when the step starts; the commit step needs boto3 and S3 credentials in its image and pod; a cached reader of 'latest' or a parameter is a synth-time error"),
};
