import { createHash } from 'crypto';
import * as contract from '../../pipeline/contract';

/** Where things are inside a step container. Only /tmp and /mlops/work are writable. */
export const CODE_DIR = '/mlops/code';
/** The ConfigMap key (and file name under CODE_DIR) of a step's code archive. */
export const CODE_ARCHIVE = 'code.zip';
export const CODE_ARCHIVE_PATH = `${CODE_DIR}/${CODE_ARCHIVE}`;
/** Argo places each input artifact at its own path here. */
export const INPUTS_DIR = '/mlops/inputs';
/** An emptyDir the step writes outputs, the model and metrics into. */
export const WORK_DIR = '/mlops/work';
export const OUTPUTS_DIR = `${WORK_DIR}/outputs`;
export const MODEL_DIR = `${WORK_DIR}/model`;
export const METRICS_FILE = `${WORK_DIR}/metrics/${contract.METRICS_FILE_NAME}`;
/** One file per metric, written by the launcher (`--metric-file`), read by Argo as an output parameter. */
export const METRIC_VALUES_DIR = `${WORK_DIR}/metric-values`;
/** The launcher extracts the code archive into a temp dir: /tmp is an emptyDir. */
export const TMP_DIR = '/tmp';

/** Template input parameter carrying a fan-out item ('-' keeps it apart from identifier names). */
export const ITEM_PARAMETER = 'mlops-item';
/** Template input parameters of a template that steps of one shape share: the step's name, its memoize key stem. */
export const STEP_PARAMETER = 'mlops-step';
export const MEMO_PARAMETER = 'mlops-memo';
/** The step's name inside a template that steps of one shape share. */
export const STEP_VALUE = `{{inputs.parameters.${STEP_PARAMETER}}}`;

/** Volume names in the workflow spec. */
export const WORK_VOLUME = 'mlops-work';
export const TMP_VOLUME = 'mlops-tmp';

/** The volume a code ConfigMap is mounted from: named by a hash of the ConfigMap name, so it is stable. */
export function codeVolumeName(configMapName: string): string {
  return `mlops-code-${createHash('sha256').update(configMapName).digest('hex').slice(0, 10)}`;
}

export function inputPath(name: string): string {
  return `${INPUTS_DIR}/${name}`;
}

export function outputPath(name: string): string {
  return `${OUTPUTS_DIR}/${name}`;
}

export function metricValuePath(name: string): string {
  return `${METRIC_VALUES_DIR}/${name}`;
}
