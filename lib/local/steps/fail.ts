import { FailStep } from '../../pipeline/steps/fail-step';
import { PlannedStep } from '../planned';
import { InlineOutcome, LocalStepHandler } from './handler';
import { noPorts, planNothing } from './inline';

/** Fail steps: end the run as failed with their message; running steps finish, nothing new starts. */
export const FAIL_STEP: LocalStepHandler = {
  runsAs: 'inline',
  plan: planNothing,
  portPath: noPorts,

  decide(planned: PlannedStep): InlineOutcome {
    const step = planned.step as FailStep;
    return { succeeded: false, error: step.message, stopsRun: `fail step '${step.name}' stopped the run: ${step.message}` };
  },
};
