import type { DataSource } from '../pipeline/artifacts';
import type { Code, ScriptRuntime } from '../pipeline/code';
import type { PipelineGraph, StepNode } from '../pipeline/graph';
import type { Pipeline } from '../pipeline/pipeline';
import type { Step } from '../pipeline/step';
import type { Scalar } from '../pipeline/values';
import type { PlannedSource } from './sources/resolver';
import type { LocalStepHandler } from './steps/handler';

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

export const NO_RETRY: PlannedRetry = { maxRetries: 0, intervalSeconds: 0, backoffRate: 1 };

/** One input of a step, with how the local runner reads it. */
export interface PlannedInput {
  readonly name: string;
  readonly source: DataSource;
  readonly read: PlannedSource;
}

/** One step as the local runner will execute it. */
export interface PlannedStep {
  readonly name: string;
  readonly kind: string;
  readonly step: Step;
  readonly node: StepNode;
  /** Its kind's entry in LOCAL_STEPS. */
  readonly handler: LocalStepHandler;
  /** Names of the steps it waits for (data, metrics, dependsOn). */
  readonly upstream: string[];
  /** Enclosing condition branches, outermost first. */
  readonly scope: { readonly condition: string; readonly branch: string }[];
  /** Its inputs in declaration order, each with its resolver's plan. */
  readonly inputs: PlannedInput[];
  /** The directories it writes, by output port: where each lives in its result ('outputs/data', 'model'). */
  readonly ports: { readonly [port: string]: string };
  /** forEach items: one run each. */
  readonly items?: string[];
  /** Process steps: the interpreter and the script's absolute path. */
  readonly runtime?: ScriptRuntime;
  readonly script?: string;
  /** Process steps that are not themselves container steps (tuning): the code their processes run. */
  readonly code?: Code;
  /** Process steps: MLOPS_PARAM_<NAME> values as text, by param name. */
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
