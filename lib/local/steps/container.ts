import * as os from 'os';
import * as path from 'path';
import { isA } from '../../pipeline/brand';
import { scriptRuntime } from '../../pipeline/code';
import { ContainerStep } from '../../pipeline/steps/container-step';
import { MODEL_DIR_VAR, paramText } from '../../pipeline/contract';
import { StepNode } from '../../pipeline/graph';
import { Step } from '../../pipeline/step';
import { LiteralValue, ParameterRef, Scalar } from '../../pipeline/values';
import { outputVariable } from '../../runtime/launch';
import { CacheMode, NO_RETRY, PlannedStep } from '../planned';
import { localInvocation } from '../step-environment';
import { LaunchContext, LocalStepHandler, StepPlanContext, StepPlanDetails } from './handler';

/**
 * Script and training steps (and any ContainerStep a table maps here): a launcher subprocess per
 * attempt, once per forEach item, each item with its own outputs and model directory. The
 * launcher command line and the MLOPS_* variables come from the one launch contract.
 */
export const CONTAINER_STEP: LocalStepHandler = {
  runsAs: 'process',

  plan(node: StepNode, context: StepPlanContext): StepPlanDetails {
    const step = node.step;
    if (!isA(step, ContainerStep)) {
      context.problem(`is a '${step.kind}' step, which the local runner runs as a container step, but it does not extend ContainerStep; extend ContainerStep or use another kind`);
      return {};
    }
    resourceWarnings(step, node).forEach((w) => context.warn(w));
    const retry = node.retry;
    return {
      items: step.forEach && [...step.forEach],
      runtime: scriptRuntime(step.entry),
      script: path.join(step.code.directory, step.entry),
      params: Object.fromEntries(Object.entries(step.params).map(([name, value]) => [name, paramText(valueOf(value, context.parameters))])),
      retry: retry ? { maxRetries: retry.maxRetries, intervalSeconds: retry.intervalSeconds, backoffRate: retry.backoffRate } : NO_RETRY,
      cache: cachePlan(step, node, context),
      timeoutSeconds: step.timeoutSeconds,
    };
  },

  portPath(step: Step, port: string): string | undefined {
    const type = step.outputPorts()[port];
    if (type === undefined || !isA(step, ContainerStep)) {
      return undefined;
    }
    return outputVariable(step, port, type) === MODEL_DIR_VAR ? 'model' : `outputs/${port}`;
  },

  launch(step: PlannedStep, context: LaunchContext) {
    return localInvocation(step, step.step as ContainerStep, (port, type) => path.join(context.attemptDir, CONTAINER_STEP.portPath(step.step, port, type)!), context);
  },
};

function valueOf(value: unknown, parameters: { readonly [name: string]: Scalar }): Scalar {
  if (isA(value, LiteralValue)) {
    return value.value;
  }
  if (isA(value, ParameterRef)) {
    return parameters[value.name];
  }
  throw new Error(`internal: a step param is ${String(value)}, which validation should have rejected`);
}

function cachePlan(step: ContainerStep, node: StepNode, context: StepPlanContext): PlannedStep['cache'] {
  if (context.cacheMode === CacheMode.NONE) {
    return undefined;
  }
  const ownPolicy = step.cache ?? context.pipeline.defaultCache;
  if (context.cacheMode === CacheMode.ALL && ownPolicy === undefined) {
    return {};
  }
  return node.cache?.isEnabled ? { expireAfterHours: node.cache.expireAfterHours } : undefined;
}

export function resourceWarnings(step: ContainerStep, node: StepNode): string[] {
  const out: string[] = [];
  const at = `step '${step.name}'`;
  if (step.image !== undefined) {
    out.push(`${at}: image '${step.image}' is not used locally; the step runs with the project's interpreter`);
  }
  const r = node.resources ?? {};
  if (r.gpu) {
    out.push(`${at} asks for ${r.gpu} GPU(s); the local runner does not assign GPUs, so the step sees whatever this machine's environment exposes`);
  }
  const cpus = os.availableParallelism();
  if (r.cpu !== undefined && r.cpu > cpus) {
    out.push(`${at} asks for ${r.cpu} CPUs; this machine has ${cpus}, so it runs slower than on the cloud`);
  }
  const memoryGiB = os.totalmem() / 2 ** 30;
  if (r.memoryGiB !== undefined && r.memoryGiB > memoryGiB) {
    out.push(`${at} asks for ${r.memoryGiB} GiB of memory; this machine has ${memoryGiB.toFixed(1)} GiB`);
  }
  return out;
}
