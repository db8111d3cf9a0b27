import { isA } from '../../../pipeline/brand';
import { FailStep } from '../../../pipeline/steps/fail-step';
import { StepNode } from '../../../pipeline/graph';
import type { SageMakerCompilation } from '../compile';
import { FailStepDefinition } from '../definition';
import { SageMakerStepHandler } from './handler';

/** Fail steps: a Fail step with the message as ErrorMessage. */
export const FAIL_STEP: SageMakerStepHandler = {
  steps(c: SageMakerCompilation, node: StepNode): FailStepDefinition[] {
    const step = node.step;
    if (!isA(step, FailStep)) {
      c.problem(step, `its kind '${step.kind}' runs on SageMaker as a Fail step, but the step is not a FailStep; extend FailStep or give the step a kind of its own`);
      return [];
    }
    return [{ Name: step.name, Type: 'Fail', ...c.common(step), Arguments: { ErrorMessage: step.message } }];
  },
};
