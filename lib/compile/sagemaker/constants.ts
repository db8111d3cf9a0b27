/** Names and container paths the SageMaker compiler uses in every step. */

/** The engine's value of MLOPS_ENGINE. */
export const ENGINE = 'sagemaker';
/** The engine's name in messages. */
export const ENGINE_NAME = 'SageMaker';

/** Fixed names the compiler adds next to the user's inputs and outputs (none is a legal model identifier). */
export const CODE_INPUT = 'mlops-code';
export const METRICS_OUTPUT = 'mlops-metrics';
export const METRICS_PROPERTY_FILE = 'metrics';

export const PROCESSING_ROOT = '/opt/ml/processing';
export const TRAINING_INPUT_ROOT = '/opt/ml/input/data';
export const TRAINING_MODEL_DIR = '/opt/ml/model';
/** SageMaker uploads /opt/ml/output/data as `<S3OutputPath>/<job name>/output/output.tar.gz`. */
export const TRAINING_METRICS_FILE = '/opt/ml/output/data/metrics.json';
/**
 * Training channels cannot nest, so a collected input arrives as one channel per item and the
 * launcher links them into this directory (a writable place outside the channels).
 */
export const TRAINING_COLLECTED_ROOT = '/tmp/mlops/inputs';

/** The run's execution id; one frozen object shared by every step that uses it. */
export const EXECUTION_ID = Object.freeze({ Get: 'Execution.PipelineExecutionId' });
