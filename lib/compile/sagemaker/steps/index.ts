import { HandlerTable } from '../../../pipeline/handlers';
import { StepKind } from '../../../pipeline/step';
import { CONDITION_STEP } from './condition';
import { FAIL_STEP } from './fail';
import { SageMakerStepHandler } from './handler';
import { PROCESSING_STEP } from './processing';
import { REGISTER_MODEL_STEP } from './register-model';
import { TRAINING_STEP } from './training';
import { TUNE_STEP } from './tune';

export type { SageMakerStepHandler } from './handler';
export { metricRegex } from './training';

/** What SageMaker Pipelines runs, by step kind; any other kind is the standard synth-time error. */
export const SAGEMAKER_STEPS: HandlerTable<SageMakerStepHandler> = {
  [StepKind.SCRIPT]: PROCESSING_STEP,
  [StepKind.TRAINING]: TRAINING_STEP,
  [StepKind.CONDITION]: CONDITION_STEP,
  [StepKind.REGISTER_MODEL]: REGISTER_MODEL_STEP,
  [StepKind.FAIL]: FAIL_STEP,
  [StepKind.TUNE]: TUNE_STEP,
};
