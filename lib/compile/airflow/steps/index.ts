import { HandlerTable } from '../../../pipeline/handlers';
import { StepKind } from '../../../pipeline/step';
import { ConditionStep } from '../../../pipeline/steps/condition-step';
import { conditionHandler } from './condition';
import { CONTAINER_STEP } from './container';
import { FAIL_STEP } from './fail';
import { AirflowStepHandler } from './handler';
import { REGISTER_MODEL_STEP } from './register-model';
import { TUNE_STEP } from './tune';

export type { AirflowStepHandler, AirflowTask, TaskArguments } from './handler';

/**
 * What Airflow compiles, by step kind; any other kind is the standard synth-time error. The
 * condition handler needs the tasks outside a condition that wait for it (compile.ts knows them).
 */
export function airflowSteps(outside: (condition: ConditionStep) => string[]): HandlerTable<AirflowStepHandler> {
  return {
    [StepKind.SCRIPT]: CONTAINER_STEP,
    [StepKind.TRAINING]: CONTAINER_STEP,
    [StepKind.CONDITION]: conditionHandler(outside),
    [StepKind.REGISTER_MODEL]: REGISTER_MODEL_STEP,
    [StepKind.FAIL]: FAIL_STEP,
    [StepKind.TUNE]: TUNE_STEP,
  };
}
