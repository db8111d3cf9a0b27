/**
 * The step I/O contract: how a step script finds its inputs, outputs, model, metrics file and
 * parameters. Every engine and the local runner set the same variables, so one script runs
 * unchanged everywhere. README.md ("The step contract") documents it for script authors.
 */

/** Which engine runs the step: 'sagemaker', 'kubeflow', 'argo', 'airflow' or 'local'. */
export const ENGINE_VAR = 'MLOPS_ENGINE';
export const PIPELINE_VAR = 'MLOPS_PIPELINE';
export const STEP_VAR = 'MLOPS_STEP';
/** The engine's id for this run (SageMaker execution id, Argo workflow name, local run id). */
export const RUN_ID_VAR = 'MLOPS_RUN_ID';
/** Training steps: the directory the model is written to. */
export const MODEL_DIR_VAR = 'MLOPS_MODEL_DIR';
/** The JSON file a step writes its metrics to: `{"accuracy": 0.97}`. */
export const METRICS_FILE_VAR = 'MLOPS_METRICS_FILE';
/** forEach steps: the item this run handles. */
export const ITEM_VAR = 'MLOPS_ITEM';
/** Where MLflow clients in the step log runs: set when the pipeline has a tracking server (and locally). */
export const TRACKING_URI_VAR = 'MLFLOW_TRACKING_URI';
/** The run's data interval, where the engine schedules runs by interval (Airflow): one partition per run. */
export const DATA_INTERVAL_START_VAR = 'MLOPS_DATA_INTERVAL_START';
export const DATA_INTERVAL_END_VAR = 'MLOPS_DATA_INTERVAL_END';

/** The directory holding input `name` (an upstream output or model directory). */
export function inputVar(name: string): string {
  return `MLOPS_INPUT_${name.toUpperCase()}`;
}

/** The directory the step writes output `name` to. */
export function outputVar(name: string): string {
  return `MLOPS_OUTPUT_${name.toUpperCase()}`;
}

/** Parameter or literal `name` from the step's params, as text. */
export function paramVar(name: string): string {
  return `MLOPS_PARAM_${name.toUpperCase()}`;
}

/** File name of the metrics file inside an engine's metrics location. */
export const METRICS_FILE_NAME = 'metrics.json';

/** How a param value is written to its variable: strings as is, numbers and booleans as JSON. */
export function paramText(value: string | number | boolean): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
