import { Column, partly, supported, unsupported } from '../features';

/** The Airflow column of the support table: the DAG file for the 'python' executor (steps on the workers). */
export const AIRFLOW_COLUMN: Column = {
  'script-steps-and-artifacts': supported('one task per step running the launcher on the worker; outputs in a folder per DAG run under the data root'),
  'training-step-model': supported('MLOPS_MODEL_DIR in the run folder; later tasks read it as an input directory'),
  'typed-parameters': supported('DAG params (Param with type, default and description), read through {{ params.x }}'),
  'condition-metric-threshold': supported('a @task.branch reads the producer\'s metrics from XCom and picks the branch'),
  'condition-logic': supported('and/or/not/in evaluated in the branch task on the metrics and params'),
  'nested-condition': supported('inner branch tasks hang off their enclosing branch, so a skipped branch skips them whole'),
  'register-model': supported('a task that copies the model into <registry>/<group>/<run>/ with metadata.json'),
  'servable-model': supported('the code folder copied beside the version as code/, named in metadata.json'),
  'fail-step': supported('a task that raises AirflowFailException with the message'),
  'depends-on': supported('task dependencies (>>)'),
  'retry-backoff': supported('retries and retry_delay; backoff 2 as retry_exponential_backoff (Airflow adds a jitter), other rates refused'),
  'cache': unsupported(
    'Airflow has no step cache: a cache policy is refused unless the DAG is compiled with cache: \'run-always\' (then the step runs every time, and the file says so)',
    /step 'cached': has a cache policy, but Airflow has no step cache and would run it every time/,
  ),
  'cache-expiry': unsupported(
    'as for cache: Airflow has no step cache',
    /step 'cached': has a cache policy, but Airflow has no step cache/,
  ),
  'resources': partly('not enforced on the python executor: steps share the worker (the kubernetes executor sets requests and limits)'),
  'gpu': unsupported(
    'the python executor cannot request GPUs (the kubernetes executor can)',
    /step 'fit': asks for 1 GPU\(s\), but the 'python' executor runs steps as subprocesses on the Airflow worker, which cannot request GPUs/,
  ),
  'fan-out': supported('dynamic task mapping (.partial().expand()) over the items, MLOPS_ITEM per mapped task'),
  'collected-outputs': supported("the reader's input directory holds a directory per item"),
  'collected-metrics': supported("the reader's input directory holds <item>/metrics.json for every item"),
  'training-fan-out': supported('one mapped training task per item; collect(\'model\') gives <item>/ with each model'),
  'external-data': unsupported(
    'steps on the python executor read paths on the workers, and the launcher does not download s3:// data',
    /step 'read': input 'raw' reads s3:\/\/example-data\/iris\/ \(scheme 's3'\), but steps on Airflow's 'python' executor read paths on the workers/,
  ),
  'timeout': supported('execution_timeout'),
  'env-and-arguments': supported('env and arguments reach the launcher and the script'),
  'tuning': unsupported(
    'the python executor has no hyperparameter search to run trials with (nor the kubernetes one); the sagemaker executor starts a SageMaker tuning job (SageMakerTuningOperator) and later tasks read its BestTrainingJob from XCom',
    /step 'hpo': is a tuning step \(hyperparameter tuning\), but Airflow's 'python' executor has no hyperparameter search to run the trials with/,
  ),
  'feature-snapshots': unsupported(
    "the python executor reads paths on the workers (a store at an absolute path works there); the sagemaker executor reads an s3:// store, the version from {{ params.x }}",
    /step 'read': input 'features' reads s3:\/\/example-data\/feature-snapshots\/customers\/ \(scheme 's3'\), but steps on Airflow's 'python' executor read paths on the workers/,
  ),
};
