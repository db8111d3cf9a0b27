import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { ArtifactType } from '../pipeline/artifacts';
import { ContainerStep } from '../pipeline/steps/container-step';
import * as contract from '../pipeline/contract';
import { METRICS_FILE_NAME } from '../pipeline/contract';
import { launchInvocation } from '../runtime/launch';
import { LAUNCHER_PATH } from '../runtime/paths';
import { PlannedStep } from './planned';
import { FEATURE_STORE_VAR, localFeatureStoreDir } from './sources/feature-snapshot';
import type { Launch, LaunchContext } from './steps/handler';

/**
 * The launcher process of one attempt of a container step. The arguments and MLOPS_* variables
 * are the launch contract's (lib/runtime/launch.ts); what is local is only the rest: the
 * inherited environment without MLOPS_* variables, unbuffered Python output, and the output
 * directories created before the script starts, as the cloud engines do.
 */
export function localInvocation(
  step: PlannedStep,
  container: ContainerStep,
  outputDir: (port: string, type: ArtifactType) => string,
  context: LaunchContext,
): Launch {
  const invocation = launchInvocation<never>(container, {
    engine: 'local',
    pipelineName: context.pipeline,
    runId: context.runId,
    inputPath: (name) => context.inputDirectory(name),
    outputPath: (port, type) => {
      const dir = outputDir(port, type);
      fs.mkdirSync(dir, { recursive: true });
      return dir;
    },
    metricsFile: path.join(context.attemptDir, METRICS_FILE_NAME),
    item: context.item,
    parameter: (_ref, name) => step.params[name],
    snapshotVersion: (input) => step.inputs.find((i) => i.name === input)!.read.snapshotVersion!,
    contractVariables: 'environment',
    codeDir: container.code.directory,
    dataInterval: context.dataInterval,
  });
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(context.base)) {
    if (!name.startsWith('MLOPS_')) {
      env[name] = value;
    }
  }
  for (const [name, value] of invocation.environment) {
    env[name] = value;
  }
  // Logs stream as they are printed, and no __pycache__ lands in the code (it would not change
  // the cache key, which excludes it, but users do not expect the runner to write there).
  env[FEATURE_STORE_VAR] = localFeatureStoreDir();
  env.PYTHONUNBUFFERED = '1';
  env.PYTHONDONTWRITEBYTECODE = '1';
  return { args: [LAUNCHER_PATH, ...invocation.arguments], env };
}

/**
 * Steps log MLflow runs to the given tracking URI; an MLFLOW_TRACKING_URI already in the
 * environment wins, as it would for any MLflow script.
 */
export function withTracking(env: NodeJS.ProcessEnv, trackingUri: string): NodeJS.ProcessEnv {
  return env[contract.TRACKING_URI_VAR] === undefined ? { ...env, [contract.TRACKING_URI_VAR]: trackingUri } : env;
}

/** The local file store beside the registry: `.mlops/mlruns` by default. */
export function defaultTrackingUri(registryDir: string): string {
  return pathToFileURL(path.join(path.dirname(registryDir), 'mlruns')).href;
}
