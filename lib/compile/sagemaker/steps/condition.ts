import { Branch, ConditionStep } from '../../../pipeline/steps/condition-step';
import { StepNode } from '../../../pipeline/graph';
import type { SageMakerCompilation } from '../compile';
import { conditionList } from '../conditions';
import { ConditionDefinition, ConditionStepDefinition } from '../definition';
import { SageMakerStepHandler } from './handler';

/** Condition steps: a Condition step whose IfSteps and ElseSteps are its branches' steps. */
export const CONDITION_STEP: SageMakerStepHandler = {
  steps(c: SageMakerCompilation, node: StepNode): ConditionStepDefinition[] {
    const step = node.step as ConditionStep;
    let conditions: ConditionDefinition[] = [];
    try {
      conditions = conditionList(step.when, (v) => c.value(step, v));
    } catch (e) {
      c.problem(step, (e as Error).message);
    }
    return [{
      Name: step.name,
      Type: 'Condition',
      ...c.common(step),
      Arguments: {
        Conditions: conditions,
        IfSteps: c.steps(c.branch(step, Branch.THEN)),
        ElseSteps: c.steps(c.branch(step, Branch.OTHERWISE)),
      },
    }];
  },
};
