import type { StepNode } from '../../../pipeline/graph';
import { FailStep } from '../../../pipeline/steps/fail-step';
import type { AirflowCompilation } from '../compilation';
import { call, py } from '../python';
import { AirflowStepHandler, AirflowTask, TaskArguments } from './handler';

/** A fail step: a task that raises AirflowFailException with the step's message (no retries). */
export const FAIL_STEP: AirflowStepHandler = {
  compile(_c: AirflowCompilation, node: StepNode, variable: string, common: TaskArguments): AirflowTask {
    const step = node.step as FailStep;
    return {
      code: [
        `    @${call('task', common, '    ')}`,
        `    def ${variable}_fail():`,
        `        raise AirflowFailException(${py(step.message)})`,
        '',
        `    ${variable} = ${variable}_fail()`,
      ].join('\n'),
    };
  },
};
