import { gpuSchedulingProblems, gpuSelectionProblem } from '../../kubernetes';
import { show } from '../../pipeline/errors';
import { PipelineGraph } from '../../pipeline/graph';
import { ContainerStep } from '../../pipeline/steps/container-step';
import { isA } from '../../pipeline/brand';
import { AIRFLOW_EXECUTORS, AIRFLOW_VERSIONS, AirflowOptions } from './options';
import { instanceTypeOf, sageMakerGpuProblem, sageMakerOptionProblems } from './sagemaker';

export const ENGINE = 'Airflow';

/** Airflow's rule for task ids and DAG ids (airflow.utils.helpers.validate_key, KEY_REGEX). */
export const AIRFLOW_KEY = /^[A-Za-z0-9_.-]{1,250}$/;
const KEY_RULE = "[A-Za-z0-9_.-]{1,250}: letters, digits, '_', '.' and '-', at most 250 characters";

/** A task id or DAG id Airflow refuses, or undefined. */
export function keyProblem(what: string, id: string, fix: string): string | undefined {
  if (AIRFLOW_KEY.test(id)) {
    return undefined;
  }
  return `${what} ${show(id)} is not a valid Airflow id (allowed: ${KEY_RULE}); ${fix}`;
}

/** Task ids: the step names, as given. */
export function taskIdProblems(graph: PipelineGraph): string[] {
  return graph.nodes.flatMap((n) => {
    const suggestion = n.step.name.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 250) || 'step';
    const p = keyProblem(`step '${n.step.name}': task id`, n.step.name, `rename the step, e.g. '${suggestion}'`);
    return p ? [p] : [];
  });
}

/** Problems with the options themselves (each names the option). */
export function optionProblems(options: AirflowOptions): string[] {
  const problems: string[] = [];
  const version = options.airflowVersion ?? '2.10';
  if (!AIRFLOW_VERSIONS.includes(version)) {
    problems.push(`airflowVersion ${show(version)} is not supported (allowed: ${AIRFLOW_VERSIONS.map(show).join(', ')}); use '2.10' for Amazon MWAA and Airflow 2.10+, '3' for Airflow 3.x`);
  }
  if (!AIRFLOW_EXECUTORS.includes(options.executor)) {
    problems.push(`executor ${show(options.executor)} is not supported (allowed: ${AIRFLOW_EXECUTORS.map(show).join(', ')})`);
  } else if (options.executor === 'sagemaker') {
    problems.push(...sageMakerOptionProblems(options));
  } else if (options.executor === 'kubernetes' && options.kubernetes === undefined) {
    problems.push("executor 'kubernetes' needs the kubernetes options (namespace, dataVolumeClaim, images); give options.kubernetes");
  }
  if (options.dagId !== undefined) {
    const p = keyProblem('dagId', options.dagId, `rename it, e.g. '${String(options.dagId).replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 250) || 'my_dag'}'`);
    if (p) {
      problems.push(p);
    }
  }
  if (options.maxActiveRuns !== undefined && (!Number.isSafeInteger(options.maxActiveRuns) || options.maxActiveRuns < 1)) {
    problems.push(`maxActiveRuns ${show(options.maxActiveRuns)} is invalid (allowed: a whole number >= 1)`);
  }
  for (const tag of options.tags ?? []) {
    if (typeof tag !== 'string' || tag.length === 0 || tag.length > 100) {
      problems.push(`tag ${show(tag)} is invalid (allowed: text of 1-100 characters, Airflow's tag column)`);
    }
  }
  if (options.executor === 'kubernetes') {
    problems.push(...gpuSchedulingProblems('kubernetes option gpu', options.kubernetes?.gpu));
  }
  const root = options.dataRoot;
  if (root !== undefined && (!root.startsWith('/') || /\s|\{|\}/.test(root))) {
    problems.push(`dataRoot ${show(root)} is invalid (allowed: an absolute path without spaces or braces), e.g. '/opt/airflow/mlops-data'`);
  }
  if (options.executor === 'kubernetes' && root !== undefined && !(root === '/mlops/data' || root.startsWith('/mlops/data/'))) {
    problems.push(`dataRoot ${show(root)} is outside /mlops/data, where the 'kubernetes' executor mounts the data volume; give a path under /mlops/data`);
  }
  return problems;
}

/**
 * Step policies Airflow expresses differently: retries (its exponential backoff doubles the wait,
 * so a backoffRate other than 1 or 2 has no equivalent), caches (none at all), GPUs on the
 * 'python' executor (a worker subprocess cannot request one) or on a SageMaker instance type
 * without them.
 */
export function policyProblems(graph: PipelineGraph, options: AirflowOptions, notes: string[]): string[] {
  const problems: string[] = [];
  for (const node of graph.nodes) {
    if (!isA(node.step, ContainerStep)) {
      continue;
    }
    const at = `step '${node.step.name}'`;
    const rate = node.retry?.backoffRate;
    if (node.retry && node.retry.maxRetries > 0 && rate !== 1 && rate !== 2) {
      problems.push(`${at}: retry backoffRate ${show(rate)} cannot be expressed on ${ENGINE}, whose retry_exponential_backoff doubles the wait (rate 2) and is otherwise constant (rate 1); use backoffRate 1 or 2`);
    }
    if (node.cache?.isEnabled) {
      if ((options.cache ?? 'error') === 'error') {
        problems.push(`${at}: has a cache policy, but ${ENGINE} has no step cache and would run it every time; turn caching off for the step (cache: CachePolicy.disabled()), or compile with cache: 'run-always' to run cached steps every time on ${ENGINE}`);
      } else {
        notes.push(`${at}: cache policy ignored (${ENGINE} has no step cache); the step runs in every DAG run`);
      }
    }
    const gpus = node.resources?.gpu ?? 0;
    const selection = options.executor === 'kubernetes' ? gpuSelectionProblem(node.step.name, gpus, options.kubernetes?.gpu, `${ENGINE} 'kubernetes' executor`) : undefined;
    if (selection) {
      problems.push(selection);
    }
    const gpuType = options.executor === 'sagemaker' ? sageMakerGpuProblem(node, options) : undefined;
    if (gpuType) {
      problems.push(gpuType);
    }
    const sized = node.resources?.cpu !== undefined || node.resources?.memoryGiB !== undefined;
    if (sized && options.executor === 'python') {
      notes.push(`${at}: resources cpu/memoryGiB not enforced: the 'python' executor runs the step on the worker, beside the other tasks`);
    }
    if (sized && options.executor === 'sagemaker' && node.resources?.sageMakerInstanceType === undefined) {
      notes.push(`${at}: resources cpu/memoryGiB not mapped to an instance type: the step runs on ${instanceTypeOf(node, options.sagemaker)}; set resources.sageMakerInstanceType to choose one`);
    }
    if (options.executor === 'python' && gpus > 0) {
      problems.push(`${at}: asks for ${gpus} GPU(s), but the 'python' executor runs steps as subprocesses on the Airflow worker, which cannot request GPUs; use the 'kubernetes' executor for GPU steps, or remove resources.gpu`);
    }
  }
  return problems;
}
