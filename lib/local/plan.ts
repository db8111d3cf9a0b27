import * as os from 'os';
import * as path from 'path';
import { scriptRuntime, ScriptRuntime } from '../pipeline/code';
import { ConditionStep } from '../pipeline/condition-step';
import { ContainerStep } from '../pipeline/container-step';
import { paramText } from '../pipeline/contract';
import { PipelineValidationError } from '../pipeline/errors';
import { FailStep } from '../pipeline/fail-step';
import { PipelineGraph, StepNode } from '../pipeline/graph';
import { Pipeline } from '../pipeline/pipeline';
import { RegisterModelStep } from '../pipeline/register-model-step';
import { ScriptStep } from '../pipeline/script-step';
import { Step, StepKind } from '../pipeline/step';
import { LiteralValue, ParameterRef, Scalar } from '../pipeline/values';

/** Which cache policies a local run honours. */
export enum CacheMode {
  /** Each step's own cache policy (or the pipeline's default). */
  POLICY = 'policy',
  /** Cache every container step that sets no policy of its own (like KFP's enable_caching). */
  ALL = 'all',
  /** Run everything; neither read nor write the cache. */
  NONE = 'none',
}

export interface PlannedRetry {
  readonly maxRetries: number;
  readonly intervalSeconds: number;
  readonly backoffRate: number;
}

/** One step as the local runner will execute it. */
export interface PlannedStep {
  readonly name: string;
  readonly kind: StepKind;
  readonly step: Step;
  readonly node: StepNode;
  /** Names of the steps it waits for (data, metrics, dependsOn). */
  readonly upstream: string[];
  /** Enclosing condition branches, outermost first. */
  readonly scope: { readonly condition: string; readonly branch: string }[];
  /** forEach items: one run each. */
  readonly items?: string[];
  /** Container steps: the interpreter and the script's absolute path. */
  readonly runtime?: ScriptRuntime;
  readonly script?: string;
  /** Container steps: MLOPS_PARAM_<NAME> values as text, by param name. */
  readonly params: { readonly [name: string]: string };
  readonly retry: PlannedRetry;
  /** Set when the step's result may come from and go to the cache. */
  readonly cache?: { readonly expireAfterHours?: number };
  readonly timeoutSeconds?: number;
}

export interface LocalRunPlan {
  readonly pipeline: Pipeline;
  readonly graph: PipelineGraph;
  /** Every parameter's value for this run. */
  readonly parameters: { readonly [name: string]: Scalar };
  /** In the graph's topological order. */
  readonly steps: PlannedStep[];
  /** What runs differently here than on a cloud engine (images, GPUs, sizes), per step. */
  readonly warnings: string[];
}

export interface PlanOptions {
  /** Parameter values as text (`--param name=value`). */
  readonly parameters?: { readonly [name: string]: string };
  /** @default CacheMode.POLICY */
  readonly cacheMode?: CacheMode;
}

const NO_RETRY: PlannedRetry = { maxRetries: 0, intervalSeconds: 0, backoffRate: 1 };

/**
 * Validates a pipeline and plans its local run without running anything: parameter values,
 * what each step runs, its retry and cache settings. Throws PipelineValidationError for an
 * invalid pipeline or bad parameters, naming each problem.
 */
export function planLocalRun(pipeline: Pipeline, options: PlanOptions = {}): LocalRunPlan {
  const graph = pipeline.graph();
  const parameters = pipeline.resolveParameters({ ...(options.parameters ?? {}) });
  const cacheMode = options.cacheMode ?? CacheMode.POLICY;
  const warnings: string[] = [];
  const problems: string[] = [];
  const steps = graph.nodes.map((node): PlannedStep => {
    const step = node.step;
    const base = {
      name: step.name,
      kind: step.kind,
      step,
      node,
      upstream: node.upstream.map((s) => s.name),
      scope: node.scope.map((b) => ({ condition: b.condition.name, branch: b.branch })),
      params: {},
      retry: NO_RETRY,
    };
    if (step instanceof ContainerStep) {
      warnings.push(...resourceWarnings(step, node));
      const retry = node.retry;
      return {
        ...base,
        items: step instanceof ScriptStep ? step.forEach : undefined,
        runtime: scriptRuntime(step.entry),
        script: path.join(step.code.directory, step.entry),
        params: Object.fromEntries(Object.entries(step.params).map(([name, value]) => [name, paramText(valueOf(value, parameters))])),
        retry: retry ? { maxRetries: retry.maxRetries, intervalSeconds: retry.intervalSeconds, backoffRate: retry.backoffRate } : NO_RETRY,
        cache: cachePlan(step, node, pipeline, cacheMode),
        timeoutSeconds: step.timeoutSeconds,
      };
    }
    if (!(step instanceof ConditionStep || step instanceof RegisterModelStep || step instanceof FailStep)) {
      problems.push(`step '${step.name}': the local runner cannot run ${step.kind} steps; remove the step, or run the pipeline on an engine that supports it`);
    }
    return base;
  });
  if (problems.length > 0) {
    throw new PipelineValidationError(`Pipeline '${pipeline.name}' (local runner)`, problems);
  }
  return { pipeline, graph, parameters, steps, warnings };
}

function valueOf(value: unknown, parameters: { [name: string]: Scalar }): Scalar {
  if (value instanceof LiteralValue) {
    return value.value;
  }
  if (value instanceof ParameterRef) {
    return parameters[value.name];
  }
  throw new Error(`internal: a step param is ${String(value)}, which validation should have rejected`);
}

function cachePlan(step: ContainerStep, node: StepNode, pipeline: Pipeline, mode: CacheMode): PlannedStep['cache'] {
  if (mode === CacheMode.NONE) {
    return undefined;
  }
  const ownPolicy = step.cache ?? pipeline.defaultCache;
  if (mode === CacheMode.ALL && ownPolicy === undefined) {
    return {};
  }
  return node.cache?.enabled ? { expireAfterHours: node.cache.expireAfterHours } : undefined;
}

function resourceWarnings(step: ContainerStep, node: StepNode): string[] {
  const out: string[] = [];
  const at = `step '${step.name}'`;
  if (step.image !== undefined) {
    out.push(`${at}: image '${step.image}' is not used locally; the step runs with the project's interpreter`);
  }
  const r = node.resources ?? {};
  if (r.gpu) {
    out.push(`${at} asks for ${r.gpu} GPU(s); the local runner does not assign GPUs, so the step sees whatever this machine's environment exposes`);
  }
  const cpus = os.availableParallelism();
  if (r.cpu !== undefined && r.cpu > cpus) {
    out.push(`${at} asks for ${r.cpu} CPUs; this machine has ${cpus}, so it runs slower than on the cloud`);
  }
  const memoryGiB = os.totalmem() / 2 ** 30;
  if (r.memoryGiB !== undefined && r.memoryGiB > memoryGiB) {
    out.push(`${at} asks for ${r.memoryGiB} GiB of memory; this machine has ${memoryGiB.toFixed(1)} GiB`);
  }
  return out;
}

