import type { ArtifactType } from '../../pipeline/artifacts';
import type { StepNode } from '../../pipeline/graph';
import type { Pipeline } from '../../pipeline/pipeline';
import type { Step } from '../../pipeline/step';
import type { Scalar } from '../../pipeline/values';
import type { CacheMode, PlannedStep } from '../planned';
import type { ProcessTaskContext } from '../process-task';
import type { LocalModelRegistry } from '../registry';
import type { Task } from '../run-progress';

/** What a step handler sees while the run is planned (nothing has run yet). */
export interface StepPlanContext {
  readonly pipeline: Pipeline;
  readonly parameters: { readonly [name: string]: Scalar };
  readonly cacheMode: CacheMode;
  /** A problem of this step (worded without the step's name); the plan throws them all at once. */
  problem(message: string): void;
  /** Something that runs differently here than on a cloud engine (worded with the step's name). */
  warn(message: string): void;
}

/** What a handler adds to the plan of its step. */
export type StepPlanDetails = Partial<Pick<PlannedStep, 'items' | 'runtime' | 'script' | 'code' | 'params' | 'retry' | 'cache' | 'timeoutSeconds'>>;

/** What a process step needs to start one attempt. */
export interface LaunchContext {
  readonly pipeline: string;
  readonly runId: string;
  /** The environment the step inherits; MLOPS_* variables in it are dropped. */
  readonly base: NodeJS.ProcessEnv;
  /** The private directory of this attempt: its outputs, model and metrics file go there. */
  readonly attemptDir: string;
  /** The directory input `name` is read from. */
  readonly inputDirectory: (name: string) => string;
  /** forEach steps: the item of this task. */
  readonly item?: string;
  readonly dataInterval?: { readonly start: string; readonly end: string };
}

/** The launcher process of one attempt: arguments for the interpreter, and the environment. */
export interface Launch {
  readonly args: string[];
  readonly env: NodeJS.ProcessEnv;
}

/** What a step run in the runner itself needs. */
export interface InlineContext {
  readonly pipeline: string;
  readonly runId: string;
  readonly parameters: { readonly [name: string]: Scalar };
  /** What a step wrote to its metrics file; undefined when it wrote none. */
  metricsOf(step: string): { readonly [name: string]: unknown } | undefined;
  /** Every metric written so far in this run, by step. */
  runMetrics(): { [step: string]: { [name: string]: unknown } };
  /** The directory input `name` of this step is read from. */
  inputDirectory(name: string): string;
  readonly registry: LocalModelRegistry;
}

/** How a step run in the runner ended. */
export interface InlineOutcome {
  readonly succeeded: boolean;
  /** Shown next to the state: 'then', 'group version 3', ... */
  readonly detail?: string;
  readonly error?: string;
  readonly outcome?: 'then' | 'otherwise';
  readonly registered?: { readonly group: string; readonly version: number; readonly path: string };
  /** Why the whole run stops (fail steps); a failed step without it stops the run as 'step failed'. */
  readonly stopsRun?: string;
}

/**
 * How the local runner runs one kind of step. 'process' steps run as launcher subprocesses, one
 * task per forEach item, with the runner's retries, timeouts and cache; 'inline' steps are decided
 * by the runner itself (conditions, fail, register). LOCAL_STEPS maps each kind to its handler.
 */
export interface LocalStepHandler {
  readonly runsAs: 'process' | 'inline';
  /** Checks the step for a local run and plans it; reports problems through the context. */
  plan(node: StepNode, context: StepPlanContext): StepPlanDetails;
  /**
   * Where output port `port` lives inside a result directory of the step ('outputs/data',
   * 'model'), or undefined when the port is not a directory a later step can read here.
   */
  portPath(step: Step, port: string, type: ArtifactType): string | undefined;
  /** 'process' steps: the launcher invocation of one attempt (creates its output directories). */
  launch?(step: PlannedStep, context: LaunchContext): Launch;
  /** 'inline' steps: runs the step and says whether it succeeded; throws only on unexpected errors. */
  decide?(step: PlannedStep, context: InlineContext): InlineOutcome;
  /**
   * 'process' steps that run their own processes (tuning trials): runs the step's one task in
   * place of the runner's attempt loop, and leaves its record finished (or pending when interrupted).
   */
  runTask?(task: Task, context: ProcessTaskContext): Promise<void>;
  /** How many of the runner's --max-parallel slots the step's task holds while it runs. @default 1 */
  slots?(step: PlannedStep, maxParallel: number): number;
}
