import { cpuQuantity, gibQuantity, gpuPlacement, gpuSelectionProblem } from '../../../kubernetes';
import { katibExperiment, katibProblems, katibTuneArguments } from '../../../kubernetes/katib';
import { katibTuneProgram } from '../../../kubernetes/katib-programs';
import { ArtifactType } from '../../../pipeline/artifacts';
import { StepNode } from '../../../pipeline/graph';
import { mergeResources, Resources } from '../../../pipeline/resources';
import { BEST_MODEL_PORT, BEST_PARAMETERS_PORT, TuneStep } from '../../../pipeline/steps/tune-step';
import { ParameterRef } from '../../../pipeline/values';
import { artifactDefinition, parameterType, schemaTitleOf } from '../channels';
import { placeholderProblems } from '../checks';
import type { KubeflowCompilation, Level } from '../compile';
import { inputParameter, kubernetesExecutorConfig, outputParameterFile, outputPath, SCRATCH_PATH } from '../executors';
import { drop, Json, taskInputs } from '../json';
import { componentName } from '../names';
import { ENGINE_NAME } from '../policies';
import { KubeflowStepHandler } from './handler';

/** Trial resources where neither the trial, the pipeline nor the options say (as Argo's steps). */
const FALLBACK: Resources = { cpu: 0.5, memoryGiB: 1 };

/**
 * A tuning step on KFP: one container task running katib_tune.py, which creates the step's Katib
 * Experiment (lib/kubernetes/katib.ts) and waits for it. Its inputs are the trial's, bound as any
 * task's; its outputs are the best trial's model (system.Model 'model'), its parameters.json
 * ('parameters') and the objective metric as an output parameter, which conditions read as they
 * read a training step's metric.
 */
export const TUNE_STEP: KubeflowStepHandler = {
  task(c: KubeflowCompilation, node: StepNode, level: Level): Json | undefined {
    const step = node.step as TuneStep;
    const trial = step.trial;
    const at = `step '${step.name}'`;
    const task = c.taskOf(step);
    c.names.claimTemplate(componentName(task), step);
    const inputs = c.resolveInputs(step, level);
    for (const [name, input] of inputs) {
      if (input.launcherArguments.length > 0) {
        c.problems.push(`${at}: input '${name}' of its trial is laid out by the step launcher on ${ENGINE_NAME} (a collected list), which Katib's trial pods do not run before the trial's own launcher; collect the list in an earlier step and pass that step's output to the trial`);
      }
    }
    const image = c.utilityImage(step, "the tuning step's container runs katib_tune.py with python3");
    const trialImage = trial.image ?? c.options.defaultImage;
    if (trialImage === undefined) {
      c.problems.push(`${at}: its trial '${trial.name}' has no image, and ${ENGINE_NAME} runs every Katib trial in one; set image on the trial, or defaultImage in the Kubeflow options, to an image with sh and python3 plus the packages '${trial.entry}' imports`);
    }
    const resources = mergeResources(c.graph.defaults.resources, trial.resources);
    const gpuProblem = gpuSelectionProblem(step.name, resources.gpu ?? 0, c.options.gpu, 'Kubeflow');
    c.problems.push(...katibProblems(step, ENGINE_NAME, trial.retry ?? c.graph.defaults.retry), ...placeholderProblems(trial), ...(gpuProblem ? [gpuProblem] : []));
    const codeConfigMap = c.codeConfigMap(step, trial.code) ?? '';
    const security = c.security();
    const placement = resources.gpu ? gpuPlacement(c.options.gpu) : undefined;
    const { experiment, parameterVariables } = katibExperiment(step, {
      engine: 'kubeflow',
      pipelineName: c.pipeline.name,
      image: trialImage ?? '',
      codeConfigMap,
      resources: trialResources(resources, gpuPlacement(c.options.gpu).resourceName),
      podSecurityContext: { runAsNonRoot: true, runAsUser: security.runAsUser, runAsGroup: security.runAsGroup, fsGroup: security.runAsGroup, seccompProfile: { type: 'RuntimeDefault' } },
      containerSecurityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      podLabels: { ...(c.options.podLabels ?? {}) },
      nodeSelector: placement?.nodeSelector,
      tolerations: placement?.tolerations,
      trackingUri: c.options.trackingUri,
    }, trial.timeoutSeconds);

    const refs = new Map<string, ParameterRef>(parameterVariables.map(([, ref]) => [ref.name, ref]));
    const names = [...refs.keys()].sort();
    const metric = step.objective.metric;
    const args = katibTuneArguments(step, experiment, {
      inputs: inputs.map(([name, input]) => [name, input.path]),
      trialEnv: parameterVariables.map(([variable, ref]) => [variable, inputParameter(ref.name)]),
      modelDir: outputPath(BEST_MODEL_PORT),
      parametersDir: outputPath(BEST_PARAMETERS_PORT),
      metricFile: outputParameterFile(metric),
    });
    const component = {
      inputDefinitions: taskInputs(
        Object.fromEntries(inputs.map(([name, input]) => [name, input.definition])),
        Object.fromEntries(names.map((name) => [name, { parameterType: parameterType(refs.get(name)!.type!) }])),
      ),
      outputDefinitions: {
        artifacts: {
          [BEST_MODEL_PORT]: artifactDefinition(schemaTitleOf(ArtifactType.MODEL)),
          [BEST_PARAMETERS_PORT]: artifactDefinition(schemaTitleOf(ArtifactType.DATASET)),
        },
        parameters: { [metric]: { parameterType: 'NUMBER_DOUBLE' } },
      },
    };
    const executor = {
      container: {
        image,
        command: ['python3', '-c', katibTuneProgram()],
        args: [...args, '--work-dir', `${SCRATCH_PATH}/mlops/tune`],
      },
    };
    const name = c.addComponent(task, component, executor, kubernetesExecutorConfig({ ...security, runId: true }));
    const waits = [...new Set(inputs.flatMap(([, input]) => input.dependsOn))].sort();
    return drop({
      taskInfo: { name: task },
      componentRef: { name },
      dependentTasks: waits.length > 0 ? waits : undefined,
      inputs: taskInputs(
        Object.fromEntries(inputs.map(([input, resolved]) => [input, resolved.binding])),
        Object.fromEntries(names.map((p) => [p, c.bindValue(refs.get(p)!, level)])),
      ),
      // Never cached: a cached tuning step would hand on an earlier run's search.
      cachingOptions: {},
    });
  },
};

/** Requests equal limits for the trial Job's container; GPUs as limits only. */
function trialResources(resources: Resources, gpuResource: string): Json {
  const cpu = cpuQuantity(resources.cpu ?? FALLBACK.cpu!);
  const memory = gibQuantity(resources.memoryGiB ?? FALLBACK.memoryGiB!);
  const requests: Json = { cpu, memory };
  const limits: Json = { cpu, memory };
  if (resources.diskGiB !== undefined) {
    requests['ephemeral-storage'] = limits['ephemeral-storage'] = gibQuantity(resources.diskGiB);
  }
  if (resources.gpu) {
    limits[gpuResource] = String(resources.gpu);
  }
  return { requests, limits };
}
