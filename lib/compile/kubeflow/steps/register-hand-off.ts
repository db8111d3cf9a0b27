import { EndpointHandOff, handOffArguments, handOffScript } from '../../../kubernetes/endpoint-hand-off';
import { RegisterModelStep } from '../../../pipeline/steps/register-model-step';
import { artifactType } from '../channels';
import type { KubeflowCompilation } from '../compile';
import {
  inputParameter, kubernetesExecutorConfig, MODEL_OUTPUT, outputParameterFile, registeredModelMetadata, registerExecutor, SYSTEM_MODEL, VERSION_OUTPUT,
} from '../executors';
import { Json } from '../json';
import { executorLabel } from '../names';
import { ResolvedInput } from '../sources/resolver';

/** The register task's output parameter holding the URI KFP stored the registered model at. */
const URI_OUTPUT = 'uri';
const REGISTER_TASK = 'register';

export interface RegisterHandOffParts {
  /** The step's KFP task name and its component (which becomes a DAG). */
  readonly task: string;
  readonly component: string;
  readonly model: ResolvedInput;
  readonly handOffs: EndpointHandOff[];
}

/**
 * A register step that hands its version to endpoints: its component is a DAG of the register
 * container (which also writes the model's artifact URI, `{{$.outputs.artifacts['model'].uri}}`,
 * as the parameter 'uri') and one hand-off task per endpoint that runs after it. KFP uploads the
 * model when the register container exits, before the hand-off task starts. The DAG outputs the
 * register task's model and version, as the plain register component does. KFP runs every task
 * as the run's service account, so the hand-off does too.
 */
export function registerWithHandOffs(c: KubeflowCompilation, step: RegisterModelStep, p: RegisterHandOffParts): Json {
  const registerComponent = `${p.component}-register`;
  const registerLabel = executorLabel(`${p.task}-register`);
  c.names.claimTemplate(registerComponent, step);
  const image = c.utilityImage(step, 'register-model steps copy the model with sh and cp, and the endpoint hand-off runs python3');
  const modelOutput = { artifactType: artifactType(SYSTEM_MODEL), metadata: registeredModelMetadata(c.pipeline.name, step) };
  c.components[registerComponent] = {
    executorLabel: registerLabel,
    inputDefinitions: { artifacts: { [MODEL_OUTPUT]: p.model.definition } },
    outputDefinitions: {
      artifacts: { [MODEL_OUTPUT]: modelOutput },
      parameters: { [VERSION_OUTPUT]: { parameterType: 'STRING' }, [URI_OUTPUT]: { parameterType: 'STRING' } },
    },
  };
  const executor = registerExecutor(step, image);
  const [shell, flag, script] = executor.container.command as string[];
  c.executors[registerLabel] = {
    container: {
      ...executor.container,
      command: [shell, flag, `${script}\nprintf '%s' "$6" > "$7"`],
      args: [...executor.container.args, `{{$.outputs.artifacts['${MODEL_OUTPUT}'].uri}}`, outputParameterFile(URI_OUTPUT)],
    },
  };
  const inferenceCode = step.inference && c.codeConfigMap(step, step.inference.code);
  c.platformExecutors[registerLabel] = kubernetesExecutorConfig({ ...c.security(), runId: true, codeConfigMap: inferenceCode });

  const tasks: Json = {
    [REGISTER_TASK]: {
      taskInfo: { name: REGISTER_TASK },
      componentRef: { name: registerComponent },
      inputs: { artifacts: { [MODEL_OUTPUT]: { componentInputArtifact: MODEL_OUTPUT } } },
      cachingOptions: {},
    },
  };
  for (const h of p.handOffs) {
    const name = `hand-off-${h.target.endpoint}`;
    const component = `${p.component}-${name}`;
    const label = executorLabel(`${p.task}-${name}`);
    c.names.claimTemplate(component, step);
    c.components[component] = {
      executorLabel: label,
      inputDefinitions: { parameters: { [URI_OUTPUT]: { parameterType: 'STRING' }, [VERSION_OUTPUT]: { parameterType: 'STRING' } } },
    };
    c.executors[label] = {
      container: {
        image,
        command: ['python3', '-c', handOffScript()],
        args: [...handOffArguments(h.target), '--uri', inputParameter(URI_OUTPUT), '--version', inputParameter(VERSION_OUTPUT)],
      },
    };
    c.platformExecutors[label] = kubernetesExecutorConfig({ ...c.security(), runId: false });
    const from = (key: string) => ({ taskOutputParameter: { producerTask: REGISTER_TASK, outputParameterKey: key } });
    tasks[name] = {
      taskInfo: { name },
      componentRef: { name: component },
      dependentTasks: [REGISTER_TASK],
      inputs: { parameters: { [URI_OUTPUT]: from(URI_OUTPUT), [VERSION_OUTPUT]: from(VERSION_OUTPUT) } },
      // Never cached: a cached hand-off would not patch the endpoint.
      cachingOptions: {},
    };
  }
  c.components[p.component] = {
    inputDefinitions: { artifacts: { [MODEL_OUTPUT]: p.model.definition } },
    outputDefinitions: { artifacts: { [MODEL_OUTPUT]: modelOutput }, parameters: { [VERSION_OUTPUT]: { parameterType: 'STRING' } } },
    dag: {
      tasks,
      outputs: {
        artifacts: { [MODEL_OUTPUT]: { artifactSelectors: [{ producerSubtask: REGISTER_TASK, outputArtifactKey: MODEL_OUTPUT }] } },
        parameters: { [VERSION_OUTPUT]: { valueFromParameter: { producerSubtask: REGISTER_TASK, outputParameterKey: VERSION_OUTPUT } } },
      },
    },
  };
  const spec: Json = {
    taskInfo: { name: p.task },
    componentRef: { name: p.component },
    inputs: { artifacts: { [MODEL_OUTPUT]: p.model.binding } },
    cachingOptions: {},
  };
  return p.model.dependsOn.length > 0 ? { ...spec, dependentTasks: p.model.dependsOn } : spec;
}
