import { HandlerTable } from '../../../pipeline/handlers';
import { StepKind } from '../../../pipeline/step';
import { CONDITION_STEP } from './condition';
import { CONTAINER_STEP } from './container';
import { FAIL_STEP } from './fail';
import { KubeflowStepHandler } from './handler';
import { REGISTER_MODEL_STEP } from './register-model';
import { TUNE_STEP } from './tune';

export type { KubeflowStepHandler } from './handler';

/** What Kubeflow Pipelines compiles, by step kind; any other kind is the standard synth-time error. */
export const KUBEFLOW_STEPS: HandlerTable<KubeflowStepHandler> = {
  [StepKind.SCRIPT]: CONTAINER_STEP,
  [StepKind.TRAINING]: CONTAINER_STEP,
  [StepKind.CONDITION]: CONDITION_STEP,
  [StepKind.REGISTER_MODEL]: REGISTER_MODEL_STEP,
  [StepKind.FAIL]: FAIL_STEP,
  [StepKind.TUNE]: TUNE_STEP,
};
