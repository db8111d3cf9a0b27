import * as fs from 'fs';
import * as path from 'path';
import { ContainerStep } from '../pipeline/container-step';
import * as contract from '../pipeline/contract';
import { ScriptStep } from '../pipeline/script-step';
import { StepKind } from '../pipeline/step';
import { StepArtifact } from '../pipeline/values';
import { PlannedStep } from './plan';

export interface StepEnvironmentContext {
  readonly pipeline: string;
  readonly runId: string;
  /** The environment the step inherits; MLOPS_* variables in it are dropped. */
  readonly base: NodeJS.ProcessEnv;
  /** The private directory of this attempt: outputs/, model/ and metrics.json go there. */
  readonly attemptDir: string;
  /** Where an upstream artifact (an output or a model) lives in this run. */
  readonly artifactDir: (source: StepArtifact) => string;
  readonly item?: string;
}

/**
 * The step I/O contract (lib/pipeline/contract.ts) for one attempt of a container step, over the
 * inherited environment and the step's own env. Creates the output and model directories, as the
 * cloud engines do, so a script may write into them at once.
 */
export function stepEnvironment(step: PlannedStep, container: ContainerStep, context: StepEnvironmentContext): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(context.base)) {
    if (!name.startsWith('MLOPS_')) {
      env[name] = value;
    }
  }
  Object.assign(env, container.env, {
    // Logs stream as they are printed, and no __pycache__ lands in the code (it would not change
    // the cache key, which excludes it, but users do not expect the runner to write there).
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    [contract.ENGINE_VAR]: 'local',
    [contract.PIPELINE_VAR]: context.pipeline,
    [contract.STEP_VAR]: step.name,
    [contract.RUN_ID_VAR]: context.runId,
    [contract.METRICS_FILE_VAR]: path.join(context.attemptDir, contract.METRICS_FILE_NAME),
  });
  for (const [name, source] of Object.entries(container.inputs())) {
    env[contract.inputVar(name)] = context.artifactDir(source as StepArtifact);
  }
  if (container instanceof ScriptStep) {
    for (const output of container.outputNames) {
      const dir = path.join(context.attemptDir, 'outputs', output);
      fs.mkdirSync(dir, { recursive: true });
      env[contract.outputVar(output)] = dir;
    }
  }
  if (step.kind === StepKind.TRAINING) {
    const dir = path.join(context.attemptDir, 'model');
    fs.mkdirSync(dir, { recursive: true });
    env[contract.MODEL_DIR_VAR] = dir;
  }
  for (const [name, text] of Object.entries(step.params)) {
    env[contract.paramVar(name)] = text;
  }
  if (context.item !== undefined) {
    env[contract.ITEM_VAR] = context.item;
  }
  return env;
}
