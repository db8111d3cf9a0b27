import { FailStep } from '../../../pipeline/steps/fail-step';
import { StepNode } from '../../../pipeline/graph';
import type { SageMakerCompilation } from '../compile';
import { FailStepDefinition } from '../definition';
import { SageMakerStepHandler } from './handler';

/** Fail steps: a Fail step with the message as ErrorMessage. */
export const FAIL_STEP: SageMakerStepHandler = {
  steps(c: SageMakerCompilation, node: StepNode): FailStepDefinition[] {
    const step = node.step as FailStep;
    return [{ Name: step.name, Type: 'Fail', ...c.common(step), Arguments: { ErrorMessage: step.message } }];
  },
};
