import { show } from '../../../pipeline/errors';
import { FailStep } from '../../../pipeline/steps/fail-step';
import { StepNode } from '../../../pipeline/graph';
import { placeholderProblem } from '../checks';
import type { KubeflowCompilation } from '../compile';
import { failExecutor, kubernetesExecutorConfig } from '../executors';
import { Json } from '../json';
import { componentName } from '../names';
import { KubeflowStepHandler } from './handler';

/** A fail step: a container that prints the message and exits 1, ending the run as failed. */
export const FAIL_STEP: KubeflowStepHandler = {
  task(c: KubeflowCompilation, node: StepNode): Json {
    const step = node.step as FailStep;
    const task = c.taskOf(step);
    c.names.claimTemplate(componentName(task), step);
    if (step.message.includes('{{$')) {
      c.problems.push(placeholderProblem(step, `message ${show(step.message)}`));
    }
    const executor = failExecutor(step, c.utilityImage(step, 'fail steps print the message and exit with sh'));
    const component = c.addComponent(task, {}, executor, kubernetesExecutorConfig({ ...c.security(), runId: false }));
    return { taskInfo: { name: task }, componentRef: { name: component }, cachingOptions: {} };
  },
};
