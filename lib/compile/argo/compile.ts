import { gpuSelectionProblem } from '../../kubernetes';
import { ConditionStep } from '../../pipeline/condition-step';
import { ContainerStep } from '../../pipeline/container-step';
import { paramText } from '../../pipeline/contract';
import { PipelineValidationError } from '../../pipeline/errors';
import { FailStep } from '../../pipeline/fail-step';
import { PipelineGraph, StepNode } from '../../pipeline/graph';
import { Pipeline } from '../../pipeline/pipeline';
import { RegisterModelStep } from '../../pipeline/register-model-step';
import { scriptRuntime, ScriptRuntime } from '../../pipeline/code';
import { ScriptStep } from '../../pipeline/script-step';
import { Step } from '../../pipeline/step';
import { LiteralValue, ParameterRef, StepArtifact } from '../../pipeline/values';
import { ETCD_OBJECT_LIMIT, sizeProblem } from './limits';
import { CacheKeys } from './memoize';
import { ENTRYPOINT, objectNameProblem, pipelineObjectName, stepNameProblems, stepTemplateName } from './names';
import { optionProblems } from './option-problems';
import { ArgoCompileOptions, ArgoDocuments } from './options';
import { ITEM_PARAMETER, TMP_VOLUME, WORK_VOLUME } from './paths';
import { dropUndefined } from './resources';
import { argoSchedule } from './schedule';
import { executorPodSpecPatch, podSecurityContext } from './security';
import { codeVolumeName, containerStepTemplate, failStepTemplate, registerModelTemplate, TemplateContext } from './step-templates';
import { whenExpression } from './when';

type Json = { [key: string]: any };

export const ENGINE = 'Argo Workflows';
export const PIPELINE_LABEL = 'mlops.cdk.io/pipeline';
const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'cdk-mlops' };

/**
 * Compiles a pipeline to Argo Workflows objects: a WorkflowTemplate whose entrypoint is one DAG
 * (a task per step, conditions as `when` on branch tasks) and a container template per step, plus
 * a CronWorkflow when a schedule is given. Pure and deterministic: the same model and options give
 * byte-identical objects. Throws one PipelineValidationError naming every step, feature and value
 * Argo cannot express.
 */
export function compileArgo(pipeline: Pipeline, options: ArgoCompileOptions): ArgoDocuments {
  const graph = pipeline.graph();
  const subject = `Pipeline '${pipeline.name}' on ${ENGINE}`;
  const name = options.name ?? pipelineObjectName(pipeline.name);
  const problems: string[] = optionProblems(options);
  const nameProblem = objectNameProblem(name, options.name !== undefined ? 'options.name' : `pipeline name '${pipeline.name}' lowercased`);
  if (nameProblem) {
    problems.push(nameProblem);
  }
  problems.push(...stepNameProblems(graph.nodes.map((n) => n.step.name)));
  problems.push(...graph.nodes.flatMap((n) => stepProblems(n, options)));
  problems.push(...parameterProblems(pipeline));
  const schedule = options.schedule && argoSchedule(options.schedule);
  let scheduleParameters: Json[] = [];
  if (options.schedule) {
    if (schedule?.problem) {
      problems.push(schedule.problem);
    }
    try {
      const values = pipeline.resolveParameters(options.schedule.parameters);
      scheduleParameters = Object.entries(values).map(([param, value]) => ({ name: param, value: paramText(value) }));
      problems.push(...scheduleParameters.flatMap((p) => braceProblem(`schedule parameter '${p.name}'`, p.value)));
    } catch (e) {
      const given = e instanceof PipelineValidationError ? e.problems : [(e as Error).message];
      problems.push(...given.map((p) => `schedule ${options.schedule}: ${p}`));
    }
  }
  if (problems.length > 0) {
    throw new PipelineValidationError(subject, problems);
  }

  const imageOf = (step: ContainerStep) => (step.image ?? options.defaultImage)!;
  const memoizeCache = options.memoizeCacheName ?? `${name}-memo`;
  const ctx: TemplateContext = {
    pipelineName: pipeline.name,
    options,
    cacheKeys: new CacheKeys(graph, imageOf),
    memoizeCache,
    imageOf,
    utilityImage: (options.utilityImage ?? options.defaultImage)!,
  };
  const codeConfigMaps = [...new Set(graph.nodes.map((n) => n.step).filter((s): s is ContainerStep => s instanceof ContainerStep).map((s) => options.codeConfigMapName(s.code)))].sort();
  const usesMemoize = graph.nodes.some((n) => n.step instanceof ContainerStep && n.cache?.enabled);
  const labels = { ...MANAGED_BY, [PIPELINE_LABEL]: name, ...(options.labels ?? {}) };
  const metadata = (extra: Json = {}) => dropUndefined({ name, namespace: options.namespace, labels, ...extra });

  const templates: Json[] = [{ name: ENTRYPOINT, dag: { tasks: graph.nodes.filter((n) => !(n.step instanceof ConditionStep)).map((n) => dagTask(n, graph)) } }];
  for (const node of graph.nodes) {
    const step = node.step;
    if (step instanceof ContainerStep) {
      templates.push(containerStepTemplate(node, ctx));
    } else if (step instanceof FailStep) {
      templates.push(failStepTemplate(step, ctx));
    } else if (step instanceof RegisterModelStep) {
      templates.push(registerModelTemplate(step, ctx));
    }
  }

  const workflowTemplate = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'WorkflowTemplate',
    metadata: metadata(pipeline.description ? { annotations: { 'workflows.argoproj.io/description': pipeline.description } } : {}),
    spec: dropUndefined({
      entrypoint: ENTRYPOINT,
      arguments: workflowArguments(pipeline),
      serviceAccountName: options.serviceAccountName,
      artifactRepositoryRef: options.artifactRepositoryRef && dropUndefined({ ...options.artifactRepositoryRef }),
      securityContext: podSecurityContext(options.podUser),
      podSpecPatch: executorPodSpecPatch(),
      podMetadata: { labels },
      workflowMetadata: { labels },
      podGC: { strategy: 'OnPodSuccess' },
      volumes: [
        ...codeConfigMaps.map((cm) => ({ name: codeVolumeName(cm), configMap: { name: cm } })),
        { name: WORK_VOLUME, emptyDir: {} },
        { name: TMP_VOLUME, emptyDir: {} },
      ],
      templates,
    }),
  };

  const cronWorkflow = options.schedule && {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'CronWorkflow',
    metadata: metadata(),
    spec: {
      schedules: [schedule!.schedule!],
      timezone: options.schedule.timeZone,
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      workflowMetadata: { labels },
      workflowSpec: dropUndefined({
        workflowTemplateRef: { name },
        arguments: scheduleParameters.length > 0 ? { parameters: scheduleParameters } : undefined,
      }),
    },
  };

  const sizes = [sizeProblem(`WorkflowTemplate '${name}'`, workflowTemplate, ETCD_OBJECT_LIMIT, 'split the pipeline, pass large values as files in the step code or as artifacts instead of parameters and literals, or shorten step arguments')];
  const tooBig = sizes.filter((p): p is string => p !== undefined);
  if (tooBig.length > 0) {
    throw new PipelineValidationError(subject, tooBig);
  }
  // Plain trees without shared references: YAML writers would otherwise emit anchors and aliases.
  return dropUndefined({
    workflowTemplate: plain(workflowTemplate),
    cronWorkflow: cronWorkflow && plain(cronWorkflow),
    codeConfigMaps,
    memoizeCache: usesMemoize ? memoizeCache : undefined,
  });
}

function plain<T>(o: T): T {
  return JSON.parse(JSON.stringify(o));
}

/** Pipeline parameters as workflow arguments: defaults as text, allowed values as `enum`. */
function workflowArguments(pipeline: Pipeline): Json | undefined {
  const parameters = Object.entries(pipeline.parameters).map(([param, def]) => dropUndefined({
    name: param,
    value: def.defaultValue === undefined ? undefined : paramText(def.defaultValue),
    enum: def.allowedValues ? [...def.allowedValues] : undefined,
    description: def.description,
  }));
  return parameters.length > 0 ? { parameters } : undefined;
}

function dagTask(node: StepNode, graph: PipelineGraph): Json {
  const step = node.step;
  const parameters: Json[] = [];
  const artifacts: Json[] = [];
  if (step instanceof ScriptStep && step.forEach) {
    parameters.push({ name: ITEM_PARAMETER, value: '{{item}}' });
  }
  if (step instanceof ContainerStep) {
    for (const [param, value] of Object.entries(step.params)) {
      if (value instanceof ParameterRef) {
        parameters.push({ name: param, value: `{{workflow.parameters.${value.name}}}` });
      }
    }
  }
  for (const [input, source] of Object.entries(step.inputs())) {
    if (source instanceof StepArtifact) {
      const artifact = source.isModel ? 'model' : source.name;
      artifacts.push({ name: input, from: `{{tasks.${stepTemplateName(source.producer.name)}.outputs.artifacts.${artifact}}}` });
    }
  }
  const dependencies = taskDependencies(node, graph);
  const args = dropUndefined({ parameters: parameters.length ? parameters : undefined, artifacts: artifacts.length ? artifacts : undefined });
  return dropUndefined({
    name: stepTemplateName(step.name),
    template: stepTemplateName(step.name),
    dependencies: dependencies.length > 0 ? dependencies : undefined,
    when: whenExpression(node.scope),
    arguments: Object.keys(args).length > 0 ? args : undefined,
    withItems: step instanceof ScriptStep && step.forEach ? [...step.forEach] : undefined,
  });
}

/**
 * The tasks a step's task waits for. Condition steps have no task of their own: waiting for one
 * means waiting for what it reads and for every task in its branches (skipped tasks count as
 * done), and a branch task also waits for what its enclosing conditions read.
 */
function taskDependencies(node: StepNode, graph: PipelineGraph): string[] {
  const found = new Set<Step>();
  const conditionInputs = (condition: ConditionStep) => {
    const at = graph.node(condition);
    at.upstream.forEach(addWhole);
    at.scope.forEach((b) => conditionInputs(b.condition));
  };
  const addWhole = (step: Step) => {
    if (step instanceof ConditionStep) {
      conditionInputs(step);
      step.children().forEach(addWhole);
    } else {
      found.add(step);
    }
  };
  node.upstream.forEach(addWhole);
  node.scope.forEach((b) => conditionInputs(b.condition));
  return [...found].sort((a, b) => graph.node(a).index - graph.node(b).index).map((s) => stepTemplateName(s.name));
}

function stepProblems(node: StepNode, options: ArgoCompileOptions): string[] {
  const step = node.step;
  const at = `step '${step.name}'`;
  const problems: string[] = [];
  if (step instanceof ContainerStep) {
    if (!step.image && !options.defaultImage) {
      const runtime = scriptRuntime(step.entry) === ScriptRuntime.SHELL ? `sh for '${step.entry}' and python3 for the step launcher` : `python3 for '${step.entry}' and the step launcher`;
      problems.push(`${at}: has no container image, and ${ENGINE} runs every step in one; give the step an image, or the engine a defaultImage, that has ${runtime} plus the packages the script imports`);
    }
    const gpuProblem = gpuSelectionProblem(step.name, node.resources?.gpu ?? 0, options.gpu, ENGINE);
    if (gpuProblem) {
      problems.push(gpuProblem);
    }
    const retry = node.retry;
    if (retry && retry.maxRetries > 0 && !Number.isInteger(retry.backoffRate)) {
      problems.push(`${at}: retry backoffRate ${retry.backoffRate} cannot be expressed on ${ENGINE}, whose retryStrategy.backoff.factor is a whole number; use a whole backoffRate such as 1, 2 or 3`);
    }
    step.arguments.forEach((a, i) => problems.push(...braceProblem(`${at}: argument ${i + 1}`, a)));
    Object.entries(step.env).forEach(([variable, value]) => problems.push(...braceProblem(`${at}: env ${variable}`, value)));
    Object.entries(step.params).forEach(([param, value]) => {
      if (value instanceof LiteralValue && typeof value.value === 'string') {
        problems.push(...braceProblem(`${at}: param '${param}'`, value.value));
      }
    });
    if (step instanceof ScriptStep) {
      (step.forEach ?? []).forEach((item) => problems.push(...braceProblem(`${at}: forEach item`, item)));
    }
  } else if (step instanceof FailStep || step instanceof RegisterModelStep) {
    if (!options.utilityImage && !options.defaultImage) {
      const needs = step instanceof FailStep ? 'sh' : 'python3';
      problems.push(`${at}: a ${step.kind} step runs as a small container on ${ENGINE} and needs an image with ${needs}; set the engine's utilityImage or defaultImage`);
    }
    if (step instanceof FailStep) {
      problems.push(...braceProblem(`${at}: message`, step.message));
    }
  } else if (!(step instanceof ConditionStep)) {
    problems.push(`${at}: step kind '${step.kind}' is not supported on ${ENGINE}`);
  }
  return problems;
}

function parameterProblems(pipeline: Pipeline): string[] {
  return Object.entries(pipeline.parameters).flatMap(([param, def]) => [
    ...(typeof def.defaultValue === 'string' ? braceProblem(`parameter '${param}': default`, def.defaultValue) : []),
    ...(def.allowedValues ?? []).flatMap((v) => braceProblem(`parameter '${param}': allowed value`, v)),
  ]);
}

/** Argo substitutes `{{...}}` anywhere in a template and has no escape for it. */
function braceProblem(where: string, text: string): string[] {
  return typeof text === 'string' && text.includes('{{')
    ? [`${where} ${JSON.stringify(text)} contains '{{', which ${ENGINE} reads as a template variable and cannot pass through literally; remove the double brace (e.g. write '{ {' or pass the text in a file of the step code)`]
    : [];
}
