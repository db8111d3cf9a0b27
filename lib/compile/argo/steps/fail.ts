import { FailStep } from '../../../pipeline/steps/fail-step';
import { StepNode } from '../../../pipeline/graph';
import { braceProblem } from '../checks';
import type { ArgoCompilation } from '../compilation';
import { stepTemplateName } from '../names';
import { STEP_PARAMETER, STEP_VALUE } from '../paths';
import { UTILITY_RESOURCES } from '../resources';
import { containerSecurityContext } from '../security';
import { STEP_LABEL } from '../step-templates';
import { ArgoStep, ArgoStepHandler } from './handler';

/** A fail step: a container that prints the message on stderr and exits 1; needs only sh. */
export const FAIL_STEP: ArgoStepHandler = {
  compile(c: ArgoCompilation, node: StepNode): ArgoStep {
    const step = node.step as FailStep;
    const image = c.utilityImage(step, 'sh');
    c.problems.push(...braceProblem(`step '${step.name}': message`, step.message));
    const name = stepTemplateName(step.name);
    return {
      templates: [{
        name,
        metadata: { labels: { [STEP_LABEL]: STEP_VALUE } },
        inputs: { parameters: [{ name: STEP_PARAMETER }] },
        container: {
          image,
          command: ['sh', '-c', 'echo "$MLOPS_FAIL_MESSAGE" >&2; exit 1'],
          env: [{ name: 'MLOPS_FAIL_MESSAGE', value: `[mlops] step '${STEP_VALUE}' failed the run: ${step.message}` }],
          resources: UTILITY_RESOURCES,
          securityContext: containerSecurityContext(),
        },
      }],
      task: { parameters: [{ name: STEP_PARAMETER, value: step.name }] },
    };
  },
};
