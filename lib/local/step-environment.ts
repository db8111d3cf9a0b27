import * as fs from 'fs';
import * as path from 'path';
import { ArtifactType } from '../pipeline/artifacts';
import { ContainerStep } from '../pipeline/steps/container-step';
import { METRICS_FILE_NAME } from '../pipeline/contract';
import { launchInvocation } from '../runtime/launch';
import { LAUNCHER_PATH } from '../runtime/paths';
import { PlannedStep } from './planned';
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
    contractVariables: 'environment',
    codeDir: container.code.directory,
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
  env.PYTHONUNBUFFERED = '1';
  env.PYTHONDONTWRITEBYTECODE = '1';
  return { args: [LAUNCHER_PATH, ...invocation.arguments], env };
}
