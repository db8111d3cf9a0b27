import { gpuPlacement, gpuSelectionProblem } from '../../kubernetes';
import { Code, scriptRuntime, ScriptRuntime } from '../../pipeline/code';
import { Branch, ConditionStep } from '../../pipeline/condition-step';
import { ContainerStep } from '../../pipeline/container-step';
import { PipelineValidationError, show } from '../../pipeline/errors';
import { FailStep } from '../../pipeline/fail-step';
import { PipelineGraph, StepNode } from '../../pipeline/graph';
import { Pipeline } from '../../pipeline/pipeline';
import { RegisterModelStep } from '../../pipeline/register-model-step';
import { ScriptStep } from '../../pipeline/script-step';
import { Step } from '../../pipeline/step';
import { LiteralValue, MetricRef, ParameterRef, StepArtifact, Value, ValueType } from '../../pipeline/values';
import { celCondition, celNot } from './cel';
import {
  artifactNeed,
  artifactType,
  LOOP_ITEM_CHANNEL,
  metricNeed,
  Need,
  needsInputDefinitions,
  NeedSet,
  parameterNeed,
  parameterType,
  pipelineParameterDefinition,
} from './channels';
import {
  CODE_INPUT,
  containerExecutor,
  failExecutor,
  hasNumericMetrics,
  ITEM_INPUT,
  kubernetesExecutorConfig,
  METRICS_ARTIFACT,
  MODEL_OUTPUT,
  registerExecutor,
  registeredModelMetadata,
  SCRATCH_VOLUME,
  SYSTEM_ARTIFACT,
  SYSTEM_METRICS,
  SYSTEM_MODEL,
  VERSION_OUTPUT,
} from './executors';
import {
  componentName,
  executorLabel,
  iteratorTemplateNames,
  KFP_PIPELINE_NAME,
  KubeflowNames,
  loopComponentName,
  otherwiseTaskName,
  thenTaskName,
} from './names';
import { DEFAULT_RUN_AS_ID, KubeflowCompileOptions, optionProblems } from './options';

/** A pipeline as Kubeflow Pipelines v2 IR, ready for a PipelineVersion's spec. */
export interface KubeflowDocument {
  /** Canonical proto3 JSON of ml_pipelines.PipelineSpec. */
  readonly pipelineSpec: { [key: string]: any };
  /** ml_pipelines.PlatformSpec: the Kubernetes executor configs (volumes, scheduling, security). */
  readonly platformSpec?: { [key: string]: any };
}

/** The only IR schema version KFP's API server accepts. */
export const KFP_SCHEMA_VERSION = '2.1.0';
const SDK_VERSION = 'cdk-mlops';
/**
 * KFP stops retrying a task once this long has passed since its first attempt (and then also ends
 * a running attempt); its default is one hour. Retries here are bounded by count, so the window is
 * set far beyond any single run.
 */
export const RETRY_WINDOW_SECONDS = 30 * 24 * 3600;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const ENGINE_NAME = 'Kubeflow Pipelines';

/**
 * Compiles a pipeline to the Kubeflow Pipelines v2 IR: a pure, deterministic function of the
 * model and the options. Throws a PipelineValidationError listing every model feature KFP cannot
 * express and every name it would reject.
 */
export function compileKubeflow(pipeline: Pipeline, options: KubeflowCompileOptions): KubeflowDocument {
  return new KubeflowCompilation(pipeline, pipeline.graph(), options).run();
}

interface Level {
  readonly root: boolean;
  /** The steps whose tasks sit directly in this DAG. */
  readonly local: ReadonlySet<Step>;
  /** Values this DAG's tasks read from outside it. */
  readonly needs: NeedSet;
  /** Identifies the DAG for Argo task-name checks. */
  readonly dag: string;
}

type Json = { [key: string]: any };

class KubeflowCompilation {
  private readonly problems: string[] = [];
  private readonly names = new KubeflowNames();
  private readonly taskNames = new Map<Step, string>();
  private readonly components: Json = {};
  private readonly executors: Json = {};
  private readonly platformExecutors: Json = {};
  private readonly configMaps = new Map<Code, string | undefined>();
  private readonly taskOf = (step: Step): string => this.taskNames.get(step)!;

  constructor(
    private readonly pipeline: Pipeline,
    private readonly graph: PipelineGraph,
    private readonly options: KubeflowCompileOptions,
  ) {}

  public run(): KubeflowDocument {
    this.problems.push(...optionProblems(this.options));
    for (const node of this.graph.nodes) {
      this.taskNames.set(node.step, this.names.claimStep(node.step));
    }
    const name = this.kfpPipelineName();
    const root = this.dag(this.graph.topLevel(), true, 'root');
    if (root.needs.size > 0) {
      throw new Error(`internal: the root DAG of '${this.pipeline.name}' reads values from outside the pipeline`);
    }
    this.problems.push(...this.names.collectedProblems());
    if (this.problems.length > 0) {
      throw new PipelineValidationError(`Pipeline '${this.pipeline.name}' on ${ENGINE_NAME}`, this.problems);
    }

    const parameters = this.pipeline.parameters;
    const rootInputs = Object.keys(parameters).length === 0 ? undefined : {
      parameters: Object.fromEntries(Object.entries(parameters).map(([p, def]) => [p, pipelineParameterDefinition(def)])),
    };
    const pipelineSpec = canonical(drop({
      pipelineInfo: drop({ name, displayName: this.pipeline.name, description: this.pipeline.description }),
      sdkVersion: SDK_VERSION,
      schemaVersion: KFP_SCHEMA_VERSION,
      components: this.components,
      deploymentSpec: { executors: this.executors },
      root: drop({ dag: { tasks: root.tasks }, inputDefinitions: rootInputs }),
      defaultPipelineRoot: this.options.pipelineRoot,
    }));
    const platformSpec = canonical({
      platforms: { kubernetes: { deploymentSpec: { executors: this.platformExecutors } } },
    });
    return { pipelineSpec, platformSpec };
  }

  private kfpPipelineName(): string {
    const given = this.options.pipelineName;
    const name = given ?? this.pipeline.name.toLowerCase();
    if (typeof name !== 'string' || !KFP_PIPELINE_NAME.test(name)) {
      const source = given === undefined ? `the pipeline name in lower case, ${show(name)}` : `Kubeflow option pipelineName ${show(name)}`;
      this.problems.push(`${source} is not a valid KFP pipeline name (allowed: lower-case letters, digits and '-', starting with a letter or digit, at most 128 chars); ${given === undefined ? 'shorten the pipeline name or set the Kubeflow option pipelineName' : 'fix pipelineName'}`);
    }
    return name;
  }

  /** Compiles the steps of one DAG; returns its tasks and what it reads from outside. */
  private dag(members: StepNode[], root: boolean, dag: string): { tasks: Json; needs: NeedSet } {
    const level: Level = { root, local: new Set(members.map((m) => m.step)), needs: new NeedSet(this.taskOf), dag };
    const tasks: Json = {};
    for (const node of members) {
      const forEach = node.step instanceof ScriptStep && node.step.forEach !== undefined;
      this.names.claimDagTask(dag, this.taskOf(node.step), node.step, forEach);
      const spec = this.task(node, level);
      if (spec === undefined) {
        continue;
      }
      const deps = this.dependencies(node, level.local);
      tasks[this.taskOf(node.step)] = deps.length > 0 ? { ...spec, dependentTasks: deps } : spec;
    }
    return { tasks, needs: level.needs };
  }

  private task(node: StepNode, level: Level): Json | undefined {
    const step = node.step;
    if (step instanceof ScriptStep && step.forEach) {
      return this.loopTask(node, step, level);
    }
    if (step instanceof ContainerStep) {
      return this.containerTask(node, level, false);
    }
    if (step instanceof ConditionStep) {
      return this.conditionTask(step, level);
    }
    if (step instanceof RegisterModelStep) {
      return this.registerTask(step, level);
    }
    if (step instanceof FailStep) {
      return this.failTask(step);
    }
    this.problems.push(`step '${step.name}': ${ENGINE_NAME} has no translation for step kind '${step.kind}'`);
    return undefined;
  }

  /** The other tasks of this DAG that a task (or anything nested in it) waits for. */
  private dependencies(node: StepNode, local: ReadonlySet<Step>): string[] {
    const subtree = node.step instanceof ConditionStep
      ? [node, ...this.graph.nodes.filter((n) => n.scope.some((b) => b.condition === node.step))]
      : [node];
    const deps = new Set<string>();
    for (const member of subtree) {
      for (const upstream of member.upstream) {
        if (local.has(upstream) && upstream !== node.step) {
          deps.add(this.taskOf(upstream));
        }
      }
    }
    return [...deps].sort();
  }

  /** How a task in `level` reads a value: from a sibling task, or through its DAG's inputs. */
  private bind(need: Need, level: Level): Json {
    switch (need.kind) {
      case 'parameter':
        return { componentInputParameter: level.root ? need.name : level.needs.add(need) };
      case 'metric':
        return level.local.has(need.step)
          ? { taskOutputParameter: { producerTask: this.taskOf(need.step), outputParameterKey: need.metric } }
          : { componentInputParameter: level.needs.add(need) };
      case 'artifact':
        return level.local.has(need.step)
          ? { taskOutputArtifact: { producerTask: this.taskOf(need.step), outputArtifactKey: need.key } }
          : { componentInputArtifact: level.needs.add(need) };
    }
  }

  private bindValue(value: Value, level: Level): Json {
    if (value instanceof LiteralValue) {
      return { runtimeValue: { constant: value.value } };
    }
    if (value instanceof ParameterRef) {
      return this.bind(parameterNeed(value), level);
    }
    return this.bind(metricNeed(value as MetricRef), level);
  }

  /** Binds every need of a sub-DAG in the DAG that holds it. */
  private bindNeeds(needs: NeedSet, level: Level): Json | undefined {
    const artifacts: Json = {};
    const parameters: Json = {};
    for (const [channel, need] of needs.entries()) {
      (need.kind === 'artifact' ? artifacts : parameters)[channel] = this.bind(need, level);
    }
    return taskInputs(artifacts, parameters);
  }

  private containerTask(node: StepNode, level: Level, inLoop: boolean): Json {
    const step = node.step as ContainerStep;
    const task = this.taskOf(step);
    this.containerComponent(node, inLoop);
    const artifacts: Json = {};
    for (const [name, source] of sortedEntries(step.inputs())) {
      artifacts[name] = this.bind(artifactNeed(source as StepArtifact), level);
    }
    const parameters: Json = {};
    for (const [name, value] of sortedEntries(step.params)) {
      parameters[name] = this.bindValue(value, level);
    }
    const configMap = this.codeConfigMap(step);
    if (configMap !== undefined) {
      parameters[CODE_INPUT] = { runtimeValue: { constant: configMap } };
    }
    if (inLoop) {
      parameters[ITEM_INPUT] = { componentInputParameter: LOOP_ITEM_CHANNEL };
    }
    return drop({
      taskInfo: { name: task },
      componentRef: { name: componentName(task) },
      inputs: taskInputs(artifacts, parameters),
      cachingOptions: this.cachingOptions(node),
      retryPolicy: this.retryPolicy(node),
    });
  }

  private containerComponent(node: StepNode, inLoop: boolean): void {
    const step = node.step as ContainerStep;
    const task = this.taskOf(step);
    const component = componentName(task);
    const label = executorLabel(task);
    this.names.claimTemplate(component, step);

    const inputArtifacts: Json = {};
    for (const [name, source] of sortedEntries(step.inputs())) {
      inputArtifacts[name] = { artifactType: artifactType((source as StepArtifact).isModel ? SYSTEM_MODEL : SYSTEM_ARTIFACT) };
    }
    const inputParameters: Json = { [CODE_INPUT]: { parameterType: 'STRING' } };
    for (const [name, value] of sortedEntries(step.params)) {
      inputParameters[name] = { parameterType: parameterType(value.type!) };
    }
    if (inLoop) {
      inputParameters[ITEM_INPUT] = { parameterType: 'STRING' };
    }
    const outputArtifacts: Json = {};
    if (step instanceof ScriptStep) {
      step.outputNames.forEach((o) => (outputArtifacts[o] = { artifactType: artifactType(SYSTEM_ARTIFACT) }));
    } else {
      outputArtifacts[MODEL_OUTPUT] = { artifactType: artifactType(SYSTEM_MODEL) };
    }
    if (hasNumericMetrics(step)) {
      outputArtifacts[METRICS_ARTIFACT] = { artifactType: artifactType(SYSTEM_METRICS) };
    }
    const outputParameters: Json = {};
    for (const [metric, type] of Object.entries(step.metricTypes())) {
      outputParameters[metric] = { parameterType: parameterType(type) };
    }
    this.components[component] = drop({
      executorLabel: label,
      inputDefinitions: taskInputs(inputArtifacts, inputParameters),
      outputDefinitions: taskInputs(outputArtifacts, outputParameters),
    });

    this.checkPlaceholders(step);
    const image = step.image ?? this.options.defaultImage;
    if (image === undefined) {
      this.problems.push(`step '${step.name}': has no image, and ${ENGINE_NAME} runs every container step in one; set image on the step, or defaultImage in the Kubeflow options, to an image with ${runtimeNeeds(step.entry)}, e.g. 'python:3.11-slim'`);
    }
    const gpus = node.resources?.gpu ?? 0;
    const gpuProblem = gpuSelectionProblem(step.name, gpus, this.options.gpu, 'Kubeflow');
    if (gpuProblem) {
      this.problems.push(gpuProblem);
    }
    const placement = gpuPlacement(this.options.gpu);
    this.executors[label] = containerExecutor({
      pipelineName: this.pipeline.name,
      step,
      image: image ?? '',
      resources: node.resources,
      gpuResource: placement.resourceName,
    });
    this.platformExecutors[label] = kubernetesExecutorConfig({
      ...this.security(),
      codeConfigMap: this.codeConfigMap(step),
      scratchGiB: node.resources?.diskGiB,
      runId: true,
      timeoutSeconds: step.timeoutSeconds,
      nodeSelector: gpus > 0 ? placement.nodeSelector : undefined,
      tolerations: gpus > 0 ? placement.tolerations : undefined,
    });
  }

  /** A forEach step: a ParallelFor over the literal items, whose body runs the step once per item. */
  private loopTask(node: StepNode, step: ScriptStep, level: Level): Json {
    const task = this.taskOf(step);
    const component = loopComponentName(task);
    const body: Level = { root: false, local: new Set(), needs: new NeedSet(this.taskOf), dag: component };
    this.names.claimDagTask(component, task, step, false);
    const inner = this.containerTask(node, body, true);
    this.names.claimTemplate(component, step);
    iteratorTemplateNames(component, task).forEach((t) => this.names.claimTemplate(t, step));
    this.components[component] = drop({
      dag: { tasks: { [task]: inner } },
      inputDefinitions: needsInputDefinitions(body.needs, { [LOOP_ITEM_CHANNEL]: { parameterType: 'STRING' } }),
    });
    return drop({
      taskInfo: { name: task },
      componentRef: { name: component },
      inputs: this.bindNeeds(body.needs, level),
      parameterIterator: { itemInput: LOOP_ITEM_CHANNEL, items: { raw: JSON.stringify(step.forEach) } },
    });
  }

  /**
   * A condition: task T runs a DAG holding `T-then` (triggered when the condition holds) and
   * `T-otherwise` (triggered when it does not), as KFP's dsl.If/dsl.Else compile. The wrapper
   * DAG succeeds whichever branch runs, so steps may depend on the condition step itself.
   */
  private conditionTask(step: ConditionStep, level: Level): Json {
    const task = this.taskOf(step);
    const component = componentName(task);
    this.names.claimTemplate(component, step);
    const wrapper: Level = { root: false, local: new Set(), needs: new NeedSet(this.taskOf), dag: component };
    const operands = new NeedSet(this.taskOf);
    const condition = celCondition(step.when, (v) => operands.add(v instanceof ParameterRef ? parameterNeed(v) : metricNeed(v)));
    this.checkLiteralPlaceholders(step, step.when.values());

    const tasks: Json = {};
    for (const branch of [Branch.THEN, Branch.OTHERWISE]) {
      if (step.branch(branch).length === 0) {
        continue;
      }
      const branchTask = branch === Branch.THEN ? thenTaskName(task) : otherwiseTaskName(task);
      const branchComponent = componentName(branchTask);
      this.names.claimTemplate(branchComponent, step);
      this.names.claimDagTask(component, branchTask, step, false);
      const inner = this.dag(this.graph.branchMembers(step, branch), false, branchComponent);
      const needs = new NeedSet(this.taskOf);
      needs.addAll(operands);
      needs.addAll(inner.needs);
      this.components[branchComponent] = drop({ dag: { tasks: inner.tasks }, inputDefinitions: needsInputDefinitions(needs) });
      tasks[branchTask] = drop({
        taskInfo: { name: branchTask },
        componentRef: { name: branchComponent },
        inputs: this.bindNeeds(needs, wrapper),
        triggerPolicy: { condition: branch === Branch.THEN ? condition : celNot(condition) },
      });
    }
    this.components[component] = drop({ dag: { tasks }, inputDefinitions: needsInputDefinitions(wrapper.needs) });
    return drop({
      taskInfo: { name: task },
      componentRef: { name: component },
      inputs: this.bindNeeds(wrapper.needs, level),
    });
  }

  private registerTask(step: RegisterModelStep, level: Level): Json {
    const task = this.taskOf(step);
    const component = componentName(task);
    const label = executorLabel(task);
    this.names.claimTemplate(component, step);
    this.components[component] = {
      executorLabel: label,
      inputDefinitions: { artifacts: { [MODEL_OUTPUT]: { artifactType: artifactType(SYSTEM_MODEL) } } },
      outputDefinitions: {
        artifacts: { [MODEL_OUTPUT]: { artifactType: artifactType(SYSTEM_MODEL), metadata: registeredModelMetadata(this.pipeline.name, step) } },
        parameters: { [VERSION_OUTPUT]: { parameterType: 'STRING' } },
      },
    };
    const image = this.utilityImage(step, 'register-model steps copy the model with sh and cp');
    this.executors[label] = registerExecutor(step, image);
    this.platformExecutors[label] = kubernetesExecutorConfig({ ...this.security(), runId: true });
    return {
      taskInfo: { name: task },
      componentRef: { name: component },
      inputs: { artifacts: { [MODEL_OUTPUT]: this.bind(artifactNeed(step.model as StepArtifact), level) } },
      cachingOptions: {},
    };
  }

  private failTask(step: FailStep): Json {
    const task = this.taskOf(step);
    const component = componentName(task);
    const label = executorLabel(task);
    this.names.claimTemplate(component, step);
    this.components[component] = { executorLabel: label };
    if (step.message.includes('{{$')) {
      this.problems.push(placeholderProblem(step, `message ${show(step.message)}`));
    }
    this.executors[label] = failExecutor(step, this.utilityImage(step, 'fail steps print the message and exit with sh'));
    this.platformExecutors[label] = kubernetesExecutorConfig({ ...this.security(), runId: false });
    return { taskInfo: { name: task }, componentRef: { name: component }, cachingOptions: {} };
  }

  private cachingOptions(node: StepNode): Json {
    const cache = node.cache;
    if (cache?.expireAfterHours !== undefined) {
      this.problems.push(`step '${node.step.name}': cache expiry (expireAfterHours: ${cache.expireAfterHours}) cannot be expressed on ${ENGINE_NAME}: KFP v2 caching has no expiry (a task's cachingOptions hold only enableCache and cacheKey); remove expireAfterHours to cache without expiry, or disable caching for this step`);
    }
    return cache?.enabled ? { enableCache: true } : {};
  }

  private retryPolicy(node: StepNode): Json | undefined {
    const retry = node.retry;
    if (!retry || retry.maxRetries === 0) {
      return undefined;
    }
    const at = `step '${node.step.name}'`;
    if (!Number.isInteger(retry.intervalSeconds)) {
      this.problems.push(`${at}: retry intervalSeconds ${retry.intervalSeconds} cannot be expressed on ${ENGINE_NAME}, which passes retry backoff to Argo in whole seconds; use a whole number of seconds`);
    }
    if (!Number.isInteger(retry.backoffRate)) {
      this.problems.push(`${at}: retry backoffRate ${retry.backoffRate} cannot be expressed on ${ENGINE_NAME}, which retries through Argo, whose backoff factor is a whole number; use a whole backoffRate such as 1 or 2`);
    }
    return {
      maxRetryCount: retry.maxRetries,
      backoffDuration: `${retry.intervalSeconds}s`,
      backoffFactor: retry.backoffRate,
      backoffMaxDuration: `${RETRY_WINDOW_SECONDS}s`,
    };
  }

  private codeConfigMap(step: ContainerStep): string | undefined {
    if (typeof this.options.codeConfigMapName !== 'function') {
      return undefined;
    }
    if (!this.configMaps.has(step.code)) {
      const name = this.options.codeConfigMapName(step.code);
      this.configMaps.set(step.code, name);
      if (typeof name !== 'string' || !DNS_LABEL.test(name) || name === SCRATCH_VOLUME) {
        this.problems.push(`step '${step.name}': codeConfigMapName gave ${show(name)} for its code (${step.code.directory}), which cannot name the code ConfigMap: KFP also uses it as the pod volume name, a DNS-1123 label (lower-case letters, digits and '-', at most 63 chars) other than '${SCRATCH_VOLUME}'`);
      }
    }
    return this.configMaps.get(step.code);
  }

  private utilityImage(step: Step, why: string): string {
    const image = this.options.utilityImage ?? this.options.defaultImage;
    if (image === undefined) {
      this.problems.push(`step '${step.name}': on ${ENGINE_NAME} ${why}, but neither utilityImage nor defaultImage is set in the Kubeflow options; set one to an image that has sh, e.g. 'python:3.11-slim'`);
    }
    return image ?? '';
  }

  /** What every step pod gets: a non-root user and the option's pod labels. */
  private security(): { runAsUser: number; runAsGroup: number; podLabels?: { [label: string]: string } } {
    return {
      runAsUser: this.options.runAsUser ?? DEFAULT_RUN_AS_ID,
      runAsGroup: this.options.runAsGroup ?? DEFAULT_RUN_AS_ID,
      podLabels: this.options.podLabels,
    };
  }

  /** KFP replaces `{{$...}}` in command-line arguments at run time, so user text must not contain it. */
  private checkPlaceholders(step: ContainerStep): void {
    step.arguments.filter((a) => a.includes('{{$')).forEach((a) => this.problems.push(placeholderProblem(step, `argument ${show(a)}`)));
    Object.entries(step.env)
      .filter(([, v]) => v.includes('{{$'))
      .forEach(([k, v]) => this.problems.push(placeholderProblem(step, `env ${k}=${show(v)}`)));
    this.checkLiteralPlaceholders(step, Object.values(step.params));
  }

  private checkLiteralPlaceholders(step: Step, values: Value[]): void {
    for (const value of values) {
      if (value instanceof LiteralValue && value.type === ValueType.STRING && String(value.value).includes('{{$')) {
        this.problems.push(placeholderProblem(step, `literal ${show(value.value)}`));
      }
    }
  }
}

function placeholderProblem(step: Step, what: string): string {
  return `step '${step.name}': ${what} contains '{{$', which ${ENGINE_NAME} reads as a placeholder and replaces at run time; remove it, or ship the text in a file with the step's code`;
}

function runtimeNeeds(entry: string): string {
  return scriptRuntime(entry) === ScriptRuntime.SHELL
    ? `python3 (for the step launcher) and sh (for the .sh entry '${entry}')`
    : `python3 (the step launcher and the .py entry '${entry}' run with it)`;
}


/** Inputs or outputs of a task or component; undefined when there are none (proto3 JSON omits them). */
function taskInputs(artifacts: Json, parameters: Json): Json | undefined {
  const out = drop({
    artifacts: Object.keys(artifacts).length > 0 ? artifacts : undefined,
    parameters: Object.keys(parameters).length > 0 ? parameters : undefined,
  });
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Leaves out undefined fields. */
function drop(o: Json): Json {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function sortedEntries<T>(o: { [key: string]: T }): [string, T][] {
  return Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The same value with every object's keys in sorted order, so equal models give identical JSON. */
export function canonical<T>(value: T): T {
  if (Array.isArray(value)) {
    return value.map(canonical) as unknown as T;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Json).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)])) as T;
  }
  return value;
}
