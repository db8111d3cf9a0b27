import { isA } from '../../pipeline/brand';
import { PipelineValidationError } from '../../pipeline/errors';
import { StepNode } from '../../pipeline/graph';
import { stepHandler } from '../../pipeline/handlers';
import { Pipeline } from '../../pipeline/pipeline';
import { ContainerStep } from '../../pipeline/steps/container-step';
import { ConditionStep } from '../../pipeline/steps/condition-step';
import { Step } from '../../pipeline/step';
import { LAUNCHER_FILE_NAME } from '../../runtime/paths';
import { ENGINE, keyProblem, optionProblems, policyProblems, taskIdProblems } from './checks';
import { AirflowCompilation } from './compilation';
import { AirflowDag, AirflowOptions } from './options';
import { PyExpr, PyValue, variableName } from './python';
import { renderDag, TaskBlock } from './render';
import { airflowSchedule } from './schedule';
import { airflowSteps, TaskArguments } from './steps';

/** The trigger rule of a task that waits for a condition's branches, some of which are skipped. */
export const JOIN_TRIGGER_RULE = 'none_failed_min_one_success';

/**
 * Compiles a pipeline to one Airflow DAG file: a task per step (task id = step name), edges from
 * the model's graph, params from the pipeline parameters, conditions as @task.branch tasks, fail
 * steps raising AirflowFailException, forEach steps as mapped tasks. Pure and deterministic: the
 * same model and options give the same text. Throws one PipelineValidationError naming every
 * step, feature and value Airflow cannot express.
 */
export function compileAirflow(pipeline: Pipeline, options: AirflowOptions): AirflowDag {
  const graph = pipeline.graph();
  const dagId = options.dagId ?? pipeline.name;
  const subject = `Pipeline '${pipeline.name}' on ${ENGINE}`;
  const problems: string[] = optionProblems(options);
  if (options.dagId === undefined) {
    const p = keyProblem(`pipeline name '${pipeline.name}' as dag_id`, pipeline.name, `set options.dagId, e.g. '${pipeline.name.slice(0, 250)}'`);
    if (p) {
      problems.push(p);
    }
  }
  if (problems.length > 0) {
    // Broken options would only make the steps' problems confusing: report them alone.
    throw new PipelineValidationError(subject, problems);
  }
  problems.push(...taskIdProblems(graph));
  const notes: string[] = [];
  problems.push(...policyProblems(graph, options, notes));
  const schedule = airflowSchedule(options, problems);

  const c = new AirflowCompilation(pipeline.name, dagId, graph, options);
  const edges = upstreamTasks(graph.nodes);
  const outside = (condition: ConditionStep) => graph.nodes.filter((n) => n.upstream.includes(condition)).map((n) => n.step.name);
  const handlers = airflowSteps(outside);
  const blocks: TaskBlock[] = [];
  for (const node of graph.nodes) {
    const variable = variableName(node.step.name);
    const edge = edges.get(node.step)!;
    const task = stepHandler(handlers, node.step, ENGINE, c.problems)?.compile(c, node, variable, commonArguments(node, edge.joins));
    if (task !== undefined) {
      blocks.push({ node, variable, task, upstream: edge.upstream.map((s) => variableName(s.name)) });
    }
  }
  problems.push(...c.problems);
  problems.push(...nameClashes(graph.nodes));
  if (problems.length > 0) {
    throw new PipelineValidationError(subject, problems);
  }
  const source = renderDag({ pipeline, dagId, options, schedule: schedule!, blocks, notes, codeFolders: c.codeFolders, stepTable: c.stepTable });
  return {
    dagId,
    fileName: `${dagId}.py`,
    source,
    codeFolders: c.codeFolders,
    launcherPath: c.executor === 'python' ? `${dagId}/${LAUNCHER_FILE_NAME}` : undefined,
    files: c.executor === 'python' ? { [`${dagId}/.airflowignore`]: airflowIgnore(options) } : {},
    codeConfigMaps: c.codeConfigMaps,
    notes,
    sageMakerUses: c.executor === 'sagemaker' ? c.sageMakerUses : undefined,
  };
}

/**
 * The tasks each task waits for in Airflow: the model's upstream steps, where a condition stands
 * for the branch task and every task in its branches (with the join trigger rule, since one branch
 * is skipped), plus the innermost condition the step runs under (the branch task that picks it).
 */
export function upstreamTasks(nodes: StepNode[]): Map<Step, { upstream: Step[]; joins: boolean }> {
  const position = new Map(nodes.map((n, i) => [n.step, i]));
  const out = new Map<Step, { upstream: Step[]; joins: boolean }>();
  for (const node of nodes) {
    const ups = new Set<Step>();
    let joins = false;
    for (const u of node.upstream) {
      ups.add(u);
      if (isA(u, ConditionStep)) {
        joins = true;
        nodes.filter((n) => n.scope.some((s) => s.condition === u)).forEach((n) => ups.add(n.step));
      }
    }
    const inner = node.scope[node.scope.length - 1];
    if (inner !== undefined) {
      ups.add(inner.condition);
    }
    out.set(node.step, { upstream: [...ups].sort((a, b) => position.get(a)! - position.get(b)!), joins });
  }
  return out;
}

/** Step names whose Python names (the task variable, its branch or fail function) clash. */
function nameClashes(nodes: StepNode[]): string[] {
  const owner = new Map<string, string>();
  const problems: string[] = [];
  for (const node of nodes) {
    const v = variableName(node.step.name);
    for (const name of [v, `${v}_branch`, `${v}_fail`]) {
      const other = owner.get(name);
      if (other !== undefined && other !== node.step.name) {
        problems.push(`step '${node.step.name}': its Python name '${name}' in the DAG file is also that of step '${other}'; rename one of them`);
        break;
      }
      owner.set(name, node.step.name);
    }
  }
  return problems;
}

/**
 * Ignores everything in the DAG's own folder (code, launcher). The pattern syntax is the
 * `[core] dag_ignore_file_syntax` default: 'regexp' on 2.x, 'glob' on 3.x.
 */
function airflowIgnore(options: AirflowOptions): string {
  return `# cdk-mlops: step code and the launcher, not DAG files\n${options.airflowVersion === '3' ? '*' : '.*'}\n`;
}

/** task_id, retries (0 for steps the model does not retry), timeout and trigger rule. */
function commonArguments(node: StepNode, joins: boolean): TaskArguments {
  const args: [string, PyValue][] = [['task_id', node.step.name]];
  const retry = node.retry;
  if (retry && retry.maxRetries > 0) {
    args.push(
      ['retries', retry.maxRetries],
      ['retry_delay', new PyExpr(`datetime.timedelta(seconds=${retry.intervalSeconds})`)],
      ['retry_exponential_backoff', retry.backoffRate === 2],
    );
  } else {
    args.push(['retries', 0]);
  }
  const timeout = isA(node.step, ContainerStep) ? node.step.timeoutSeconds : undefined;
  if (timeout !== undefined) {
    args.push(['execution_timeout', new PyExpr(`datetime.timedelta(seconds=${timeout})`)]);
  }
  if (joins) {
    args.push(['trigger_rule', JOIN_TRIGGER_RULE]);
  }
  return args;
}
