import { ContainerStep } from '../../../pipeline/steps/container-step';
import { StepNode } from '../../../pipeline/graph';
import type { KubeflowCompilation, Level } from '../compile';
import { Json } from '../json';
import { containerTask } from './container-task';
import { KubeflowStepHandler } from './handler';
import { loopTask } from './loop';

/**
 * Script and training steps (and any ContainerStep kind mapped here): a container task running
 * the step launcher, or, with forEach, a ParallelFor over the items whose body is that task.
 */
export const CONTAINER_STEP: KubeflowStepHandler = {
  task(c: KubeflowCompilation, node: StepNode, level: Level): Json | undefined {
    const step = node.step as ContainerStep;
    return step.forEach !== undefined ? loopTask(c, node, step, level) : containerTask(c, node, level, false);
  },
};

