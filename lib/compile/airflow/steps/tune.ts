import type { StepNode } from '../../../pipeline/graph';
import { ENGINE } from '../checks';
import type { AirflowCompilation } from '../compilation';
import { AirflowStepHandler, AirflowTask, TaskArguments } from './handler';
import { sageMakerTuning } from './tune-sagemaker';

/**
 * Tuning steps: on the 'sagemaker' executor a SageMaker tuning job (tune-sagemaker.ts); the
 * python and kubernetes executors have no search to run the trials with, which is a synth-time
 * error naming the step, the feature, the executor and the fix.
 */
export const TUNE_STEP: AirflowStepHandler = {
  compile(c: AirflowCompilation, node: StepNode, variable: string, common: TaskArguments): AirflowTask | undefined {
    if (c.executor === 'sagemaker') {
      return sageMakerTuning(c, node, variable, common);
    }
    c.problems.push(`step '${node.step.name}': is a tuning step (hyperparameter tuning), but ${ENGINE}'s '${c.executor}' executor has no hyperparameter search to run the trials with; compile with executor 'sagemaker' (a SageMaker tuning job), or run the pipeline on SageMaker Pipelines, Kubeflow or Argo (Katib), or locally (mlops run --local)`);
    return undefined;
  },
};
