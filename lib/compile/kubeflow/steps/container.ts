import { ContainerStep } from '../../../pipeline/steps/container-step';
import { StepNode } from '../../../pipeline/graph';
import type { KubeflowCompilation, Level } from '../compile';
import { Json } from '../json';
import { ENGINE_NAME } from '../policies';
import { containerTask } from './container-task';
import { KubeflowStepHandler } from './handler';
import { loopTask } from './loop';

/**
 * Script and training steps (and any ContainerStep kind mapped here): a container task running
 * the step launcher, or, with forEach, a ParallelFor over the items whose body is that task.
 */
export const CONTAINER_STEP: KubeflowStepHandler = {
  task(c: KubeflowCompilation, node: StepNode, level: Level): Json | undefined {
    const step = node.step;
    if (!ContainerStep.isContainerStep(step)) {
      c.problems.push(`step '${step.name}': its kind '${step.kind}' is compiled on ${ENGINE_NAME} as a container step, but the step is not a ContainerStep; extend ContainerStep or use a kind of its own`);
      return undefined;
    }
    return step.forEach !== undefined ? loopTask(c, node, step, level) : containerTask(c, node, level, false);
  },
};

