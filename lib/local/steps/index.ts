import { HandlerTable } from '../../pipeline/handlers';
import { StepKind } from '../../pipeline/step';
import { CONDITION_STEP } from './condition';
import { CONTAINER_STEP } from './container';
import { FAIL_STEP } from './fail';
import { LocalStepHandler } from './handler';
import { REGISTER_MODEL_STEP } from './register-model';
import { TUNE_STEP } from './tune';

export type { InlineContext, InlineOutcome, Launch, LaunchContext, LocalStepHandler, StepPlanContext, StepPlanDetails } from './handler';

/** What the local runner runs, by step kind; any other kind is the standard synth-time error. */
export const LOCAL_STEPS: HandlerTable<LocalStepHandler> = {
  [StepKind.SCRIPT]: CONTAINER_STEP,
  [StepKind.TRAINING]: CONTAINER_STEP,
  [StepKind.CONDITION]: CONDITION_STEP,
  [StepKind.REGISTER_MODEL]: REGISTER_MODEL_STEP,
  [StepKind.FAIL]: FAIL_STEP,
  [StepKind.TUNE]: TUNE_STEP,
};
