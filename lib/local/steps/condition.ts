import { ConditionStep } from '../../pipeline/steps/condition-step';
import { ConditionError, evaluateCondition } from '../conditions';
import { PlannedStep } from '../planned';
import { InlineContext, InlineOutcome, LocalStepHandler } from './handler';
import { noPorts, planNothing } from './inline';

/** Condition steps: decided in the runner on the parameter values and the metrics files steps wrote. */
export const CONDITION_STEP: LocalStepHandler = {
  runsAs: 'inline',
  plan: planNothing,
  portPath: noPorts,

  decide(planned: PlannedStep, context: InlineContext): InlineOutcome {
    const step = planned.step as ConditionStep;
    let holds: boolean;
    try {
      holds = evaluateCondition(step.when, { parameters: context.parameters, metricsOf: (name) => context.metricsOf(name) });
    } catch (e) {
      if (e instanceof ConditionError) {
        throw new Error(`condition ${step.name}: ${e.message}`, { cause: e });
      }
      throw e;
    }
    const outcome = holds ? 'then' : 'otherwise';
    return { succeeded: true, outcome, detail: `${step.when} is ${holds} -> ${outcome}` };
  },
};
