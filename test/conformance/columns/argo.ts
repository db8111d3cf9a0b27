import { Column, partly, supported } from '../features';

/** The Argo Workflows column of the support table. */
export const ARGO_COLUMN: Column = {
  'script-steps-and-artifacts': supported('container templates; outputs are output artifacts in the artifact repository, passed to inputs with from: {{tasks.<step>.outputs.artifacts.<name>}}'),
  'training-step-model': supported("the model directory is the output artifact 'model'"),
  'typed-parameters': supported('workflow arguments with text defaults and enum for allowedValues, passed as template input parameters and --env MLOPS_PARAM_<NAME>'),
  'condition-metric-threshold': supported('metrics are output parameters (valueFrom.path, one file per metric); branches are DAG tasks with complementary when expressions'),
  'condition-logic': supported('when as one expr tag {{=...}}: asFloat for numbers, quoted strings, &&, ||, !, isIn as a disjunction'),
  'nested-condition': supported('a branch task’s when is the conjunction of every enclosing branch'),
  'register-model': supported('a task that writes the model and metadata.json under models/<group>/<creation time>-<workflow>/ as key-only S3 artifacts'),
  'servable-model': supported('the code archive stored beside the version as code.zip; metadata.json names the entry and env'),
  'fail-step': supported('a container that prints the message and exits 1'),
  'depends-on': supported('dependencies; waiting for a condition waits for its inputs and all its branch tasks (skipped counts as done)'),
  'retry-backoff': supported('retryStrategy: limit = maxRetries, retryPolicy Always, backoff duration and factor (whole factors only)'),
  'cache': supported('memoize in a ConfigMap cache, keyed by a hash of definition and code plus the run-time parameter values'),
  'cache-expiry': supported('memoize maxAge'),
  'resources': supported('requests = limits for cpu, memory and ephemeral-storage'),
  'gpu': supported('nvidia.com/gpu (configurable) limits, node selector and tolerations'),
  'fan-out': supported('withItems; the item reaches the step as MLOPS_ITEM'),
  'collected-outputs': partly("each item writes the port unarchived under {{workflow.name}}/mlops-collected/<step>/outputs/<port>/<item> in the S3 artifact repository; the reader takes that prefix as one key-only input artifact, which Argo downloads as a directory per item (as upstream's map-reduce example). An item whose port directory is empty has no directory (S3 stores no empty directories), and collecting from a cached forEach step is a synth-time error (a cached item's outputs stay under the run that wrote them)"),
  'collected-metrics': supported('each item uploads its metrics.json to {{workflow.name}}/mlops-collected/<step>/metrics/<item>/metrics.json; the reader downloads the prefix as <item>/metrics.json'),
  'training-fan-out': supported('withItems on the training task, the item as MLOPS_ITEM; its models are collected by key prefix like any port'),
  'external-data': partly("s3:// URIs in the artifact repository's bucket (option artifactRepositoryBucket) are key-only input artifacts, read with the repository's credentials; URIs elsewhere are a synth-time error, since Argo has no credentials for them"),
  'timeout': supported('activeDeadlineSeconds on the template'),
  'env-and-arguments': supported('container env; script arguments after -- on the launcher command line'),
  'tuning': supported("a container creates a Katib Experiment (random, grid, bayesianoptimization; medianstop) whose trials are Jobs running the trial through the launcher; it serves the inputs to the trials and receives their models over HTTP, then outputs the best model, parameters.json and the objective metric as an output parameter (Katib >= v0.18 with its metrics-collector injection enabled in the namespace; see docs/tuning.md)"),
  'feature-snapshots': partly("the table's folder is a key-only input artifact, so the store must be in the artifact repository's bucket; the version is {{workflow.parameters.x}}, resolved by the launcher when the step starts; the commit step needs boto3 and S3 credentials in its image and pod; a cached reader of 'latest' or a parameter is a synth-time error"),
};
