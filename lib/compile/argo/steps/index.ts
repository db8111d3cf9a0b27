import { HandlerTable } from '../../../pipeline/handlers';
import { StepKind } from '../../../pipeline/step';
import { CONDITION_STEP } from './condition';
import { FAIL_STEP } from './fail';
import { ArgoStepHandler } from './handler';
import { REGISTER_MODEL_STEP } from './register-model';
import { SCRIPT_STEP } from './script';
import { TRAINING_STEP } from './training';
import { TUNE_STEP } from './tune';

export type { ArgoStep, ArgoStepHandler, ArgoTaskNeeds } from './handler';
export { MODEL_VERSION } from './register-model';

/** What Argo Workflows compiles, by step kind; any other kind is the standard synth-time error. */
export const ARGO_STEPS: HandlerTable<ArgoStepHandler> = {
  [StepKind.SCRIPT]: SCRIPT_STEP,
  [StepKind.TRAINING]: TRAINING_STEP,
  [StepKind.CONDITION]: CONDITION_STEP,
  [StepKind.REGISTER_MODEL]: REGISTER_MODEL_STEP,
  [StepKind.FAIL]: FAIL_STEP,
  [StepKind.TUNE]: TUNE_STEP,
};
