import * as path from 'path';
import { isA } from '../../pipeline/brand';
import { scriptRuntime } from '../../pipeline/code';
import { paramText } from '../../pipeline/contract';
import { StepNode } from '../../pipeline/graph';
import { mergeResources } from '../../pipeline/resources';
import { Step } from '../../pipeline/step';
import { BEST_MODEL_PORT, BEST_PARAMETERS_PORT, TuneStep } from '../../pipeline/steps/tune-step';
import { LiteralValue, ParameterRef, Scalar } from '../../pipeline/values';
import { CacheMode, NO_RETRY, PlannedStep } from '../planned';
import type { ProcessTaskContext } from '../process-task';
import type { Task } from '../run-progress';
import { LOCAL_ALGORITHMS } from '../tuning-search';
import { runSearch } from '../tuning-run';
import { resourceWarnings } from './container';
import { LocalStepHandler, StepPlanContext, StepPlanDetails } from './handler';

/**
 * Tuning steps: a random or grid search that runs the trial step's script once per trial, as a
 * launcher subprocess with the trial's values as MLOPS_PARAM_<NAME>, up to min(parallelTrials,
 * --max-parallel) at once (the step holds that many of the runner's slots while it runs). Its
 * result is the best trial's model, parameters.json and the objective as its metric. Never
 * cached: the trials run on every run (docs/tuning.md, "Local runner").
 */
export const TUNE_STEP: LocalStepHandler = {
  runsAs: 'process',

  plan(node: StepNode, context: StepPlanContext): StepPlanDetails {
    const step = node.step;
    if (!isA(step, TuneStep)) {
      context.problem(`is a '${step.kind}' step, which the local runner runs as a tuning step, but it is not a TuneStep; create it with Step.tune`);
      return {};
    }
    const algorithm = step.algorithm.name;
    if (!LOCAL_ALGORITHMS.includes(algorithm)) {
      context.problem(`uses Algorithm.${algorithm}(), which the local runner does not have (the local runner has random and grid); use Algorithm.random() locally or run on Katib/SageMaker`);
    }
    const at = `step '${step.name}'`;
    if (step.earlyStopping) {
      context.warn(`${at} asks for earlyStopping; the local runner runs every trial to the end, which finds the same best trial in more time`);
    }
    const pipeline = context.pipeline;
    if (context.cacheMode === CacheMode.ALL || (context.cacheMode === CacheMode.POLICY && pipeline.defaultCache?.isEnabled)) {
      context.warn(`${at} is a tuning step, which the local runner never caches: its ${step.maxTrials} trials run on every run`);
    }
    const trial = step.trial;
    const resources = mergeResources(pipeline.defaultResources, trial.resources);
    resourceWarnings(trial, { resources } as StepNode).forEach((w) => context.warn(`${at}: its trial ${w}`));
    const retry = trial.retry ?? pipeline.defaultRetry;
    return {
      runtime: scriptRuntime(trial.entry),
      script: path.join(trial.code.directory, trial.entry),
      code: trial.code,
      params: Object.fromEntries(Object.entries(trial.params).map(([name, value]) => [name, paramText(valueOf(value, context.parameters))])),
      retry: retry ? { maxRetries: retry.maxRetries, intervalSeconds: retry.intervalSeconds, backoffRate: retry.backoffRate } : NO_RETRY,
      timeoutSeconds: trial.timeoutSeconds,
    };
  },

  portPath(_step: Step, port: string): string | undefined {
    if (port === BEST_MODEL_PORT) {
      return 'model';
    }
    return port === BEST_PARAMETERS_PORT ? `outputs/${port}` : undefined;
  },

  slots(step: PlannedStep, maxParallel: number): number {
    return Math.max(1, Math.min((step.step as TuneStep).parallelTrials, maxParallel));
  },

  runTask(task: Task, context: ProcessTaskContext): Promise<void> {
    return runSearch(task, context, TUNE_STEP.slots!(task.step, context.maxParallel ?? 1));
  },
};

function valueOf(value: unknown, parameters: { readonly [name: string]: Scalar }): Scalar {
  if (isA(value, LiteralValue)) {
    return value.value;
  }
  if (isA(value, ParameterRef)) {
    return parameters[value.name];
  }
  throw new Error(`internal: a trial param is ${String(value)}, which validation should have rejected`);
}
