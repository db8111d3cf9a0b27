import { DataSource } from '../../pipeline/artifacts';
import { isA } from '../../pipeline/brand';
import { Code } from '../../pipeline/code';
import { ConditionStep } from '../../pipeline/steps/condition-step';
import { ContainerStep } from '../../pipeline/steps/container-step';
import { PipelineValidationError, show } from '../../pipeline/errors';
import { PipelineGraph, StepNode } from '../../pipeline/graph';
import { sourceHandler, stepHandler } from '../../pipeline/handlers';
import { Pipeline } from '../../pipeline/pipeline';
import { Step } from '../../pipeline/step';
import { LiteralValue, MetricRef, ParameterRef, Value } from '../../pipeline/values';
import { collectedKey, metricNeed, Need, NeedSet, parameterNeed, pipelineParameterDefinition } from './channels';
import { SCRATCH_VOLUME } from './executors';
import { canonical, drop, Json, taskInputs } from './json';
import { componentName, executorLabel, KFP_PIPELINE_NAME, KubeflowNames } from './names';
import { kubeflowRuleProblems } from './checks';
import { DEFAULT_RUN_AS_ID, KubeflowCompileOptions, optionProblems } from './options';
import { ENGINE_NAME } from './policies';
import { ResolvedInput } from './sources/resolver';
import { KUBEFLOW_SOURCES } from './sources';
import { KUBEFLOW_STEPS } from './steps';

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
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Compiles a pipeline to the Kubeflow Pipelines v2 IR: a pure, deterministic function of the
 * model and the options. Throws a PipelineValidationError listing every model feature KFP cannot
 * express and every name it would reject.
 */
export function compileKubeflow(pipeline: Pipeline, options: KubeflowCompileOptions): KubeflowDocument {
  return new KubeflowCompilation(pipeline, pipeline.graph(), options).run();
}

/** One DAG being compiled: the root, a condition branch or a loop body. */
export interface Level {
  readonly root: boolean;
  /** The steps whose tasks sit directly in this DAG. */
  readonly local: ReadonlySet<Step>;
  /** Values this DAG's tasks read from outside it. */
  readonly needs: NeedSet;
  /** Identifies the DAG for Argo task-name checks. */
  readonly dag: string;
  /** Tasks that source resolvers add beside the steps' tasks (importers), by task name. */
  readonly extraTasks: Json;
}

/**
 * The state of one compilation, shared with the step handlers (steps/) and source resolvers
 * (sources/): the document's parts, the problems found so far and how values are bound.
 */
export class KubeflowCompilation {
  public readonly problems: string[] = [];
  public readonly names = new KubeflowNames();
  public readonly components: Json = {};
  public readonly executors: Json = {};
  public readonly platformExecutors: Json = {};
  private readonly taskNames = new Map<Step, string>();
  private readonly byShape = new Map<string, string>();
  private readonly configMaps = new Map<Code, string | undefined>();
  public readonly taskOf = (step: Step): string => this.taskNames.get(step)!;

  constructor(
    public readonly pipeline: Pipeline,
    public readonly graph: PipelineGraph,
    public readonly options: KubeflowCompileOptions,
  ) {}

  public run(): KubeflowDocument {
    this.problems.push(...optionProblems(this.options));
    this.problems.push(...kubeflowRuleProblems(this.pipeline));
    for (const node of this.graph.nodes) {
      this.taskNames.set(node.step, this.names.claimStep(node.step));
    }
    const name = this.kfpPipelineName();
    const root = this.dag(this.graph.topLevel(), true, 'root');
    if (root.needs.size > 0 && this.problems.length === 0) {
      throw new Error(`internal: the root DAG of '${this.pipeline.name}' reads values from outside the pipeline`);
    }
    this.problems.push(...this.names.collectedProblems());
    if (this.problems.length > 0) {
      throw new PipelineValidationError(`Pipeline '${this.pipeline.name}' on ${ENGINE_NAME}`, [...new Set(this.problems)]);
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

  /**
   * Adds the component of `task` with its executor and Kubernetes executor config, unless an
   * identical one is there (a step of the same shape: what differs between them is a task input),
   * and returns the name of the component the task runs.
   */
  public addComponent(task: string, component: Json, executor: Json, platformExecutor: Json): string {
    const shape = JSON.stringify([component, executor, platformExecutor]);
    const known = this.byShape.get(shape);
    if (known !== undefined) {
      return known;
    }
    const name = componentName(task);
    const label = executorLabel(task);
    this.byShape.set(shape, name);
    this.components[name] = { executorLabel: label, ...component };
    this.executors[label] = executor;
    this.platformExecutors[label] = platformExecutor;
    return name;
  }

  /** A new, empty sub-DAG level. */
  public subLevel(dag: string): Level {
    return { root: false, local: new Set(), needs: new NeedSet(this.taskOf), dag, extraTasks: {} };
  }

  /** Compiles the steps of one DAG; returns its tasks and what it reads from outside. */
  public dag(members: StepNode[], root: boolean, dag: string): { tasks: Json; needs: NeedSet } {
    const level: Level = { ...this.subLevel(dag), root, local: new Set(members.map((m) => m.step)) };
    const tasks: Json = {};
    for (const node of members) {
      const forEach = isA(node.step, ContainerStep) && node.step.forEach !== undefined;
      this.names.claimDagTask(dag, this.taskOf(node.step), node.step, forEach);
      const handler = stepHandler(KUBEFLOW_STEPS, node.step, ENGINE_NAME, this.problems);
      const spec = handler?.task(this, node, level);
      if (spec === undefined) {
        continue;
      }
      const deps = [...new Set([...this.dependencies(node, level.local), ...(spec.dependentTasks ?? [])])].sort();
      tasks[this.taskOf(node.step)] = deps.length > 0 ? { ...spec, dependentTasks: deps } : spec;
    }
    return { tasks: { ...level.extraTasks, ...tasks }, needs: level.needs };
  }

  /** The other tasks of this DAG that a task (or anything nested in it) waits for. */
  private dependencies(node: StepNode, local: ReadonlySet<Step>): string[] {
    const subtree = isA(node.step, ConditionStep)
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
    return [...deps];
  }

  /** How a task in `level` reads a value: from a sibling task, or through its DAG's inputs. */
  public bind(need: Need, level: Level): Json {
    switch (need.kind) {
      case 'parameter':
        return { componentInputParameter: level.root ? need.name : level.needs.add(need) };
      case 'metric':
        return level.local.has(need.step)
          ? { taskOutputParameter: { producerTask: this.taskOf(need.step), outputParameterKey: need.metric } }
          : { componentInputParameter: level.needs.add(need) };
      case 'artifact':
        if (!level.local.has(need.step)) {
          return { componentInputArtifact: level.needs.add(need) };
        }
        return { taskOutputArtifact: { producerTask: this.taskOf(need.step), outputArtifactKey: need.list ? collectedKey(this.taskOf(need.step), need.key) : need.key } };
    }
  }

  public bindValue(value: Value, level: Level): Json {
    if (isA(value, LiteralValue)) {
      return { runtimeValue: { constant: value.value } };
    }
    if (isA(value, ParameterRef)) {
      return this.bind(parameterNeed(value), level);
    }
    return this.bind(metricNeed(value as MetricRef), level);
  }

  /** Binds every need of a sub-DAG in the DAG that holds it. */
  public bindNeeds(needs: NeedSet, level: Level): Json | undefined {
    const artifacts: Json = {};
    const parameters: Json = {};
    for (const [channel, need] of needs.entries()) {
      (need.kind === 'artifact' ? artifacts : parameters)[channel] = this.bind(need, level);
    }
    return taskInputs(artifacts, parameters);
  }

  /** Every input of a step through the source resolver of its kind; unresolvable ones are problems. */
  public resolveInputs(step: Step, level: Level): [string, ResolvedInput][] {
    const resolved: [string, ResolvedInput][] = [];
    for (const [name, source] of Object.entries(step.inputs())) {
      if (!DataSource.isDataSource(source)) {
        continue; // validation reports it
      }
      const resolver = sourceHandler(KUBEFLOW_SOURCES, step, name, source, ENGINE_NAME, this.problems);
      const input = resolver?.resolve(this, step, name, source, level);
      if (input !== undefined) {
        resolved.push([name, input]);
      }
    }
    return resolved;
  }

  /** The ConfigMap holding `code` (a container step's code, or a register step's inference code). */
  public codeConfigMap(step: Step, code: Code): string | undefined {
    if (typeof this.options.codeConfigMapName !== 'function') {
      return undefined;
    }
    if (!this.configMaps.has(code)) {
      const name = this.options.codeConfigMapName(code);
      this.configMaps.set(code, name);
      if (typeof name !== 'string' || !DNS_LABEL.test(name) || name === SCRATCH_VOLUME) {
        this.problems.push(`step '${step.name}': codeConfigMapName gave ${show(name)} for its code (${code.directory}), which cannot name the code ConfigMap: KFP also uses it as the pod volume name, a DNS-1123 label (lower-case letters, digits and '-', at most 63 chars) other than '${SCRATCH_VOLUME}'`);
      }
    }
    return this.configMaps.get(code);
  }

  public utilityImage(step: Step, why: string): string {
    const image = this.options.utilityImage ?? this.options.defaultImage;
    if (image === undefined) {
      this.problems.push(`step '${step.name}': on ${ENGINE_NAME} ${why}, but neither utilityImage nor defaultImage is set in the Kubeflow options; set one to an image that has sh, e.g. 'python:3.11-slim'`);
    }
    return image ?? '';
  }

  /** What every step pod gets: a non-root user and the option's pod labels. */
  public security(): { runAsUser: number; runAsGroup: number; podLabels?: { [label: string]: string } } {
    return {
      runAsUser: this.options.runAsUser ?? DEFAULT_RUN_AS_ID,
      runAsGroup: this.options.runAsGroup ?? DEFAULT_RUN_AS_ID,
      podLabels: this.options.podLabels,
    };
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
}
