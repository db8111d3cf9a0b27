import { cronSchedule, ETCD_OBJECT_LIMIT, sizeProblem } from '../../kubernetes';
import { isA } from '../../pipeline/brand';
import { paramText } from '../../pipeline/contract';
import { PipelineValidationError } from '../../pipeline/errors';
import { stepHandler } from '../../pipeline/handlers';
import { PipelineGraph } from '../../pipeline/graph';
import { Pipeline } from '../../pipeline/pipeline';
import { Step } from '../../pipeline/step';
import { argoRuleProblems, braceProblem, ENGINE, parameterProblems } from './checks';
import { ArgoCompilation } from './compilation';
import { dagTasks, sharedTemplates } from './dag';
import { dropUndefined, Json } from './json';
import { ENTRYPOINT, objectNameProblem, pipelineObjectName, stepNameProblems, stepTemplateName } from './names';
import { nestedDag } from './nesting';
import { optionProblems } from './option-problems';
import { ArgoCompileOptions, ArgoDocuments, ArgoVersion } from './options';
import { codeVolumeName, TMP_VOLUME, WORK_VOLUME } from './paths';
import { executorPodSpecPatch, podSecurityContext } from './security';
import { ARGO_STEPS, ArgoStep } from './steps';

export { ENGINE };

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
  const memoizeCache = options.memoizeCacheName ?? `${name}-memo`;
  const c = new ArgoCompilation(pipeline.name, graph, options, memoizeCache);
  // Dispatch on the kind: a kind without a handler is the standard problem, never a guess.
  const compiled = new Map<Step, ArgoStep>();
  for (const node of graph.nodes) {
    const step = stepHandler(ARGO_STEPS, node.step, ENGINE, c.problems)?.compile(c, node);
    if (step !== undefined) {
      compiled.set(node.step, step);
    }
  }
  problems.push(...c.problems);
  problems.push(...parameterProblems(pipeline));
  problems.push(...argoRuleProblems(pipeline));
  const schedule = options.schedule && cronSchedule(options.schedule);
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
      const given = isA(e, PipelineValidationError) ? e.problems : [(e as Error).message];
      problems.push(...given.map((p) => `schedule ${options.schedule}: ${p}`));
    }
  }
  if (problems.length > 0) {
    throw new PipelineValidationError(subject, problems);
  }

  const labels = { ...MANAGED_BY, [PIPELINE_LABEL]: name, ...(options.labels ?? {}) };
  const metadata = (extra: Json = {}) => dropUndefined({ name, namespace: options.namespace, labels, ...extra });
  const shared = sharedTemplates(graph.nodes.map((n) => [n.step, compiled.get(n.step)]));
  const tasks = dagTasks(graph, compiled, shared.templateOf);
  const dag = entrypoint(graph, tasks, options.argoVersion !== ArgoVersion.V3_7);
  const templates: Json[] = [...dag.templates, ...shared.templates];
  const codeConfigMaps = c.codeConfigMaps;

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

  // One serialization serves both the size check and the plain copy below (the document is large).
  const text = JSON.stringify(workflowTemplate);
  const sizes = [
    Buffer.byteLength(text, 'utf8') <= ETCD_OBJECT_LIMIT ? undefined
      : sizeProblem(`WorkflowTemplate '${name}'`, workflowTemplate, ETCD_OBJECT_LIMIT, 'split the pipeline, pass large values as files in the step code or as artifacts instead of parameters and literals, or shorten step arguments'),
    options.argoVersion === ArgoVersion.V3_7 ? undefined : v4ItemsProblem(name, templates, tasks.length, dag.whyFlat),
    ...dag.nameProblems,
  ];
  const tooBig = sizes.filter((p): p is string => p !== undefined);
  if (tooBig.length > 0) {
    throw new PipelineValidationError(subject, tooBig);
  }
  // Plain trees without shared references: YAML writers would otherwise emit anchors and aliases.
  return dropUndefined({
    workflowTemplate: JSON.parse(text),
    cronWorkflow: cronWorkflow && plain(cronWorkflow),
    codeConfigMaps,
    memoizeCache: c.usesMemoize ? memoizeCache : undefined,
  });
}

/**
 * Argo v4's CRDs cap a DAG at V4_MAX_ITEMS tasks and a WorkflowTemplate at V4_MAX_ITEMS templates
 * (maxItems, which bounds the cost of their CEL rules), so the API server refuses more.
 */
export const V4_MAX_ITEMS = 200;

function v4ItemsProblem(name: string, templates: Json[], stepTasks: number, whyFlat: string | undefined): string | undefined {
  const tasks = (templates[0].dag as { tasks: Json[] }).tasks.length;
  if (tasks <= V4_MAX_ITEMS && templates.length <= V4_MAX_ITEMS) {
    return undefined;
  }
  const why = whyFlat === undefined ? '' : ` (its DAG cannot be split into sub-DAGs of at most ${V4_MAX_ITEMS} tasks: ${whyFlat})`;
  return `WorkflowTemplate '${name}' has ${stepTasks} DAG tasks and ${templates.length} templates${why}; Argo Workflows v4's CRDs allow at most ${V4_MAX_ITEMS} of each (spec.templates and dag.tasks maxItems), and the Kubernetes API server refuses the object; split the pipeline into pipelines with fewer steps or fewer step shapes (steps of one shape share a template), or compile for ArgoVersion.V3_7 on a v3.7 controller, whose CRDs have no such cap`;
}

/**
 * The entrypoint DAG: one template of every task, or for Argo v4 with more than V4_MAX_ITEMS tasks,
 * an entrypoint running sub-DAGs of at most that many (nesting.ts). `whyFlat` says why a DAG too
 * large for v4 could not be split; `nameProblems` are steps whose names a sub-DAG template takes.
 */
function entrypoint(graph: PipelineGraph, tasks: Json[], v4: boolean): { templates: Json[]; whyFlat?: string; nameProblems: string[] } {
  const flat = { templates: [{ name: ENTRYPOINT, dag: { tasks } }], nameProblems: [] };
  if (!v4 || tasks.length <= V4_MAX_ITEMS) {
    return flat;
  }
  const unitOf = new Map(graph.nodes.map((n) => [stepTemplateName(n.step.name), stepTemplateName((n.scope[0]?.condition ?? n.step).name)]));
  const nested = nestedDag(tasks, (task) => unitOf.get(task) ?? task, V4_MAX_ITEMS);
  if ('problem' in nested) {
    return { ...flat, whyFlat: nested.problem };
  }
  const parts = new Set(nested.templates.slice(1).map((t) => t.name as string));
  const nameProblems = graph.nodes.filter((n) => parts.has(stepTemplateName(n.step.name))).map((n) =>
    `step '${n.step.name}': Argo template name '${stepTemplateName(n.step.name)}' is reserved on Argo Workflows v4 for a sub-DAG of this pipeline, whose ${tasks.length} tasks are split into DAGs of at most ${V4_MAX_ITEMS} (the CRDs' dag.tasks maxItems); rename the step`);
  return { templates: nested.templates, nameProblems };
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
