import { StepNode } from '../../../pipeline/graph';
import { RegisterModelStep } from '../../../pipeline/steps/register-model-step';
import { artifactType } from '../channels';
import type { KubeflowCompilation, Level } from '../compile';
import { kubernetesExecutorConfig, MODEL_OUTPUT, registeredModelMetadata, registerExecutor, SYSTEM_MODEL, VERSION_OUTPUT } from '../executors';
import { Json } from '../json';
import { componentName, executorLabel } from '../names';
import { KubeflowStepHandler } from './handler';
import { registerWithHandOffs } from './register-hand-off';

/**
 * A register-model step: copies the model it reads (through the source resolvers, so a model
 * at a URI is imported) into a new system.Model with the registry metadata; the run id is its version.
 */
export const REGISTER_MODEL_STEP: KubeflowStepHandler = {
  task(c: KubeflowCompilation, node: StepNode, level: Level): Json | undefined {
    const step = node.step as RegisterModelStep;
    const task = c.taskOf(step);
    const component = componentName(task);
    const label = executorLabel(task);
    c.names.claimTemplate(component, step);
    const model = c.resolveInputs(step, level).find(([name]) => name === MODEL_OUTPUT)?.[1];
    if (model === undefined) {
      return undefined;
    }
    const handOffs = (c.options.endpointHandOffs ?? []).filter((h) => h.registerStep === step.name);
    if (handOffs.length > 0) {
      return registerWithHandOffs(c, step, { task, component, model, handOffs });
    }
    c.components[component] = {
      executorLabel: label,
      inputDefinitions: { artifacts: { [MODEL_OUTPUT]: model.definition } },
      outputDefinitions: {
        artifacts: { [MODEL_OUTPUT]: { artifactType: artifactType(SYSTEM_MODEL), metadata: registeredModelMetadata(c.pipeline.name, step) } },
        parameters: { [VERSION_OUTPUT]: { parameterType: 'STRING' } },
      },
    };
    const image = c.utilityImage(step, 'register-model steps copy the model with sh and cp');
    c.executors[label] = registerExecutor(step, image);
    const inferenceCode = step.inference && c.codeConfigMap(step, step.inference.code);
    c.platformExecutors[label] = kubernetesExecutorConfig({ ...c.security(), runId: true, codeConfigMap: inferenceCode });
    const spec: Json = {
      taskInfo: { name: task },
      componentRef: { name: component },
      inputs: { artifacts: { [MODEL_OUTPUT]: model.binding } },
      cachingOptions: {},
    };
    return model.dependsOn.length > 0 ? { ...spec, dependentTasks: model.dependsOn } : spec;
  },
};
