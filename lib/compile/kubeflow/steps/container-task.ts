import { gpuPlacement, gpuSelectionProblem } from '../../../kubernetes';
import { ContainerStep } from '../../../pipeline/steps/container-step';
import { isA } from '../../../pipeline/brand';
import { FeatureSnapshot } from '../../../pipeline/feature-snapshot';
import { StepNode } from '../../../pipeline/graph';
import { ParameterRef, Value } from '../../../pipeline/values';
import { artifactDefinition, artifactType, LOOP_ITEM_CHANNEL, parameterType, schemaTitleOf } from '../channels';
import { placeholderProblems, runtimeNeeds } from '../checks';
import type { KubeflowCompilation, Level } from '../compile';
import {
  CODE_INPUT,
  containerExecutor,
  hasMetricsArtifact,
  ITEM_INPUT,
  kubernetesExecutorConfig,
  LaunchedInput,
  METRICS_ARTIFACT,
  snapshotVersionInput,
  STEP_INPUT,
  SYSTEM_METRICS,
} from '../executors';
import { drop, Json, sortedEntries, taskInputs } from '../json';
import { componentName } from '../names';
import { cachingOptions, ENGINE_NAME, retryPolicy } from '../policies';

/** The task (and its component and executor) of a container step in `level`, or in a loop body. */
export function containerTask(c: KubeflowCompilation, node: StepNode, level: Level, inLoop: boolean): Json {
  const step = node.step as ContainerStep;
  const task = c.taskOf(step);
  const inputs = c.resolveInputs(step, level);
  const component = containerComponent(c, node, step, inputs.map(([name, input]) => [name, input.definition]), Object.fromEntries(inputs));

  const artifacts: Json = {};
  for (const [name, input] of inputs) {
    artifacts[name] = input.binding;
  }
  // Only pipeline parameters are task inputs: the launch contract writes literals as text into
  // the arguments (which KFP's cache key covers), so a large literal is in the document once.
  const parameters: Json = { [STEP_INPUT]: { runtimeValue: { constant: step.name } } };
  for (const [name, value] of parameterRefs(step)) {
    parameters[name] = c.bindValue(value, level);
  }
  for (const [input, ref] of snapshotVersionRefs(step)) {
    parameters[snapshotVersionInput(input)] = c.bindValue(ref, level);
  }
  const configMap = c.codeConfigMap(step, step.code);
  if (configMap !== undefined) {
    parameters[CODE_INPUT] = { runtimeValue: { constant: configMap } };
  }
  if (inLoop) {
    parameters[ITEM_INPUT] = { componentInputParameter: LOOP_ITEM_CHANNEL };
  }
  const waits = [...new Set(inputs.flatMap(([, input]) => input.dependsOn))].sort();
  return drop({
    taskInfo: { name: task },
    componentRef: { name: component },
    dependentTasks: waits.length > 0 ? waits : undefined,
    inputs: taskInputs(artifacts, parameters),
    cachingOptions: cachingOptions(node, c.problems),
    retryPolicy: retryPolicy(node, c.problems),
  });
}

/** The name of the component a container step's task runs, shared by the steps of its shape. */
function containerComponent(c: KubeflowCompilation, node: StepNode, step: ContainerStep, definitions: [string, Json][], inputs: { [name: string]: LaunchedInput }): string {
  const task = c.taskOf(step);
  c.names.claimTemplate(componentName(task), step);

  const inputArtifacts: Json = Object.fromEntries(definitions);
  const inputParameters: Json = { [CODE_INPUT]: { parameterType: 'STRING' }, [STEP_INPUT]: { parameterType: 'STRING' } };
  for (const [name, value] of parameterRefs(step)) {
    inputParameters[name] = { parameterType: parameterType(value.type!) };
  }
  for (const [input] of snapshotVersionRefs(step)) {
    inputParameters[snapshotVersionInput(input)] = { parameterType: 'STRING' };
  }
  if (step.forEach !== undefined) {
    inputParameters[ITEM_INPUT] = { parameterType: 'STRING' };
  }
  const outputArtifacts: Json = {};
  for (const [port, type] of Object.entries(step.outputPorts())) {
    outputArtifacts[port] = artifactDefinition(schemaTitleOf(type));
  }
  if (hasMetricsArtifact(step)) {
    outputArtifacts[METRICS_ARTIFACT] = { artifactType: artifactType(SYSTEM_METRICS) };
  }
  const outputParameters: Json = {};
  for (const [metric, type] of Object.entries(step.metricTypes())) {
    outputParameters[metric] = { parameterType: parameterType(type) };
  }
  const component = drop({
    inputDefinitions: taskInputs(inputArtifacts, inputParameters),
    outputDefinitions: taskInputs(outputArtifacts, outputParameters),
  });

  c.problems.push(...placeholderProblems(step));
  const image = step.image ?? c.options.defaultImage;
  if (image === undefined) {
    c.problems.push(`step '${step.name}': has no image, and ${ENGINE_NAME} runs every container step in one; set image on the step, or defaultImage in the Kubeflow options, to an image with ${runtimeNeeds(step.entry)}, e.g. 'python:3.11-slim'`);
  }
  const gpus = node.resources?.gpu ?? 0;
  const gpuProblem = gpuSelectionProblem(step.name, gpus, c.options.gpu, 'Kubeflow');
  if (gpuProblem) {
    c.problems.push(gpuProblem);
  }
  const placement = gpuPlacement(c.options.gpu);
  const executor = containerExecutor({
    pipelineName: c.pipeline.name,
    step,
    image: image ?? '',
    resources: node.resources,
    gpuResource: placement.resourceName,
    inputs,
    trackingUri: c.options.trackingUri,
  });
  return c.addComponent(task, component, executor, kubernetesExecutorConfig({
    ...c.security(),
    codeConfigMap: c.codeConfigMap(step, step.code),
    scratchGiB: node.resources?.diskGiB,
    runId: true,
    timeoutSeconds: step.timeoutSeconds,
    nodeSelector: gpus > 0 ? placement.nodeSelector : undefined,
    tolerations: gpus > 0 ? placement.tolerations : undefined,
  }));
}

function parameterRefs(step: ContainerStep): [string, Value][] {
  return sortedEntries(step.params).filter(([, value]) => isA(value, ParameterRef));
}

/** Feature snapshot inputs whose version a pipeline parameter gives: the task binds it as a component input. */
function snapshotVersionRefs(step: ContainerStep): [string, ParameterRef][] {
  return sortedEntries(step.inputs())
    .filter((entry): entry is [string, FeatureSnapshot] => isA(entry[1], FeatureSnapshot))
    .filter(([, source]) => isA(source.version, ParameterRef))
    .map(([input, source]) => [input, source.version as ParameterRef]);
}
