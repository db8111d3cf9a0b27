import { ArtifactType, CollectedArtifact, DataSourceKind } from '../../../pipeline/artifacts';
import { isA } from '../../../pipeline/brand';
import { ContainerStep } from '../../../pipeline/steps/container-step';
import { StepNode } from '../../../pipeline/graph';
import { artifactDefinition, collectedKey, collectedOutputKey, LOOP_ITEM_CHANNEL, needsInputDefinitions, schemaTitleOf } from '../channels';
import type { KubeflowCompilation, Level } from '../compile';
import { drop, Json, taskInputs } from '../json';
import { iteratorTemplateNames, loopComponentName } from '../names';
import { containerTask } from './container-task';

/**
 * A forEach step (script or training): a ParallelFor over the literal items, whose body runs the
 * step once per item. Each port a later step collects is an output of the loop DAG that lists
 * every item's artifact (isArtifactList), as KFP's compiler writes dsl.Collected.
 */
export function loopTask(c: KubeflowCompilation, node: StepNode, step: ContainerStep, level: Level): Json {
  const task = c.taskOf(step);
  const component = loopComponentName(task);
  const body = c.subLevel(component);
  c.names.claimDagTask(component, task, step, false);
  const inner = containerTask(c, node, body, true);
  c.names.claimTemplate(component, step);
  iteratorTemplateNames(component, task).forEach((t) => c.names.claimTemplate(t, step));

  const selectors: Json = {};
  const outputs: Json = {};
  for (const [key, type] of collectedOutputs(c, step)) {
    selectors[collectedKey(task, key)] = { artifactSelectors: [{ producerSubtask: task, outputArtifactKey: key }] };
    outputs[collectedKey(task, key)] = artifactDefinition(schemaTitleOf(type), true);
  }
  const collected = Object.keys(outputs).length > 0;
  c.components[component] = drop({
    dag: drop({ tasks: { ...body.extraTasks, [task]: inner }, outputs: collected ? { artifacts: selectors } : undefined }),
    inputDefinitions: needsInputDefinitions(body.needs, { [LOOP_ITEM_CHANNEL]: { parameterType: 'STRING' } }),
    outputDefinitions: collected ? taskInputs(outputs, {}) : undefined,
  });
  return drop({
    taskInfo: { name: task },
    componentRef: { name: component },
    inputs: c.bindNeeds(body.needs, level),
    parameterIterator: { itemInput: LOOP_ITEM_CHANNEL, items: { raw: JSON.stringify(step.forEach) } },
  });
}

/** The body's output artifacts that some step of the pipeline collects, with their types. */
function collectedOutputs(c: KubeflowCompilation, step: ContainerStep): [string, ArtifactType][] {
  const keys = new Map<string, ArtifactType>();
  for (const node of c.graph.nodes) {
    for (const source of Object.values(node.step.inputs())) {
      if (isA(source, CollectedArtifact) && source.sourceKind === DataSourceKind.COLLECTED_OUTPUT && source.producer === step) {
        keys.set(collectedOutputKey(source), source.type);
      }
    }
  }
  return [...keys.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
}
