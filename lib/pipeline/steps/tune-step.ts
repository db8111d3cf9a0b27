import { show } from '../errors';
import { checkName, IDENTIFIER } from '../names';
import { Step, StepKind, StepOptions } from '../step';
import { ArtifactType, DataSource, StepArtifact } from '../artifacts';
import { brand, isA } from '../brand';
import { Algorithm, AlgorithmName, Objective, Range } from '../tuning';
import { MetricRef, Value, ValueType } from '../values';
import { optionalProblem as optional } from '../rules';
import { TrainingStep } from './training-step';

/** The port holding the best trial's model. */
export const BEST_MODEL_PORT = 'model';
/** The port holding the best trial's hyperparameters, as `parameters.json` ({ name: value }). */
export const BEST_PARAMETERS_PORT = 'parameters';
/** The file in the parameters port. */
export const BEST_PARAMETERS_FILE = 'parameters.json';

export interface TuneStepProps extends StepOptions {
  /**
   * The training step each trial runs, with the space's values added to its params. Create it
   * with Step.training(...) and do not add it to the pipeline: the tuning step runs it. Its
   * inputs, params, image, resources, retry and timeout apply to every trial.
   */
  readonly trial: TrainingStep;
  /** The metric to optimise, one of the trial's metrics. */
  readonly objective: Objective;
  /** The hyperparameters to search, by name (each reaches the trial as MLOPS_PARAM_<NAME>). */
  readonly space: { [name: string]: Range };
  /** @default Algorithm.random() */
  readonly algorithm?: Algorithm;
  /** How many trials to run in all (>= 1). */
  readonly maxTrials: number;
  /** How many trials run at once (1 to maxTrials). @default 1 */
  readonly parallelTrials?: number;
  /**
   * Stop the search as failed once this many trials have failed (0 to maxTrials).
   * @default the engine's default: Katib and the local runner go on until maxTrials, SageMaker too
   */
  readonly maxFailedTrials?: number;
  /**
   * Stop trials early whose intermediate objective is worse than the median of earlier trials
   * (Katib's median-stop, SageMaker's Auto early stopping). The local runner runs every trial to
   * the end, which finds the same best trial at a higher cost. @default false
   */
  readonly earlyStopping?: boolean;
  /** Seed of the random and bayesian searches, for repeatable searches (0 to 2147483647). @default none */
  readonly seed?: number;
}

/**
 * Hyperparameter tuning: runs the trial step up to maxTrials times with values from the space,
 * and hands on the best trial's model (`bestModel()`), hyperparameters (`bestParameters()`) and
 * objective metric (`bestMetric(name)`).
 */
export class TuneStep extends Step {
  public readonly kind: string = StepKind.TUNE;
  public readonly trial: TrainingStep;
  public readonly objective: Objective;
  public readonly space: { [name: string]: Range };
  public readonly algorithm: Algorithm;
  public readonly maxTrials: number;
  public readonly parallelTrials: number;
  public readonly maxFailedTrials?: number;
  public readonly earlyStopping: boolean;
  public readonly seed?: number;

  /** @internal use Step.tune */
  constructor(name: string, props: TuneStepProps) {
    super(name, props);
    this.trial = props.trial;
    this.objective = props.objective;
    this.space = { ...(props.space ?? {}) };
    this.algorithm = props.algorithm ?? Algorithm.random();
    this.maxTrials = props.maxTrials;
    this.parallelTrials = props.parallelTrials ?? 1;
    this.maxFailedTrials = props.maxFailedTrials;
    this.earlyStopping = props.earlyStopping ?? false;
    this.seed = props.seed;
  }

  /** The best trial's model. */
  public bestModel(): StepArtifact {
    return new StepArtifact(this, BEST_MODEL_PORT, ArtifactType.MODEL);
  }

  /** A directory holding the best trial's hyperparameters as parameters.json ({ "C": 0.5, "kernel": "rbf" }). */
  public bestParameters(): StepArtifact {
    return new StepArtifact(this, BEST_PARAMETERS_PORT, ArtifactType.DATASET);
  }

  /** The best trial's value of the objective metric (the only metric a tuning step reports). */
  public bestMetric(name: string): MetricRef {
    return new MetricRef(this, name);
  }

  /** Explicit dependencies of the step and of its trial. */
  public override get dependsOn(): Step[] {
    const own = super.dependsOn;
    const trial = isA(this.trial, TrainingStep) ? this.trial.dependsOn : [];
    return [...new Set([...own, ...trial])];
  }

  public override inputs(): { [name: string]: DataSource } {
    return isA(this.trial, TrainingStep) ? this.trial.inputs() : {};
  }

  public override inputTypes(): { [name: string]: ArtifactType[] } {
    return isA(this.trial, TrainingStep) ? this.trial.inputTypes() : {};
  }

  public override values(): Value[] {
    return isA(this.trial, TrainingStep) ? this.trial.values() : [];
  }

  public override outputPorts(): { [port: string]: ArtifactType } {
    return { [BEST_MODEL_PORT]: ArtifactType.MODEL, [BEST_PARAMETERS_PORT]: ArtifactType.DATASET };
  }

  public override metricType(name: string): ValueType | undefined {
    return isA(this.objective, Objective) && name === this.objective.metric ? ValueType.NUMBER : undefined;
  }

  /** Every combination a grid search tries (discrete spaces), or Infinity. */
  public get gridSize(): number {
    return Object.values(this.space).reduce((n, r) => n * (isA(r, Range) ? r.gridSize : Infinity), 1);
  }

  public problems(): string[] {
    if (!isA(this.trial, TrainingStep)) {
      return [`trial is ${isA(this.trial, Step) ? String(this.trial) : show(this.trial)}, not a training step; pass Step.training('train', {...}) (not added to the pipeline)`];
    }
    const trial = this.trial;
    const problems = trial.problems().map((p) => `trial '${trial.name}': ${p}`);
    if (trial.forEach !== undefined) {
      problems.push(`trial '${trial.name}' fans out over forEach, but each trial runs once; remove forEach from the trial`);
    }
    if (trial.cache !== undefined && trial.cache.isEnabled) {
      problems.push(`trial '${trial.name}' has a cache policy, but trials always run (a cached trial would repeat one result); remove cache from the trial`);
    }
    problems.push(...this.objectiveProblems(trial), ...this.spaceProblems(trial), ...this.countProblems());
    return problems;
  }

  private objectiveProblems(trial: TrainingStep): string[] {
    if (!isA(this.objective, Objective)) {
      return [`objective is ${show(this.objective)}, not an Objective; use Objective.maximize('accuracy') or Objective.minimize('loss')`];
    }
    if (!trial.metricNames.includes(this.objective.metric)) {
      const declared = trial.metricNames.length ? `only ${trial.metricNames.map(show).join(', ')}` : 'no metrics';
      return [`objective metric ${show(this.objective.metric)} is not one the trial '${trial.name}' reports (it declares ${declared}); add it to the trial's metrics or optimise one of those`];
    }
    return [];
  }

  private spaceProblems(trial: TrainingStep): string[] {
    const names = Object.keys(this.space);
    if (names.length === 0) {
      return ["space is empty; give at least one hyperparameter, e.g. { C: Range.logUniform(0.001, 100) }"];
    }
    const problems: string[] = [];
    const params = new Map(Object.keys(trial.params).map((p) => [p.toUpperCase(), p]));
    const upper = new Map<string, string>();
    for (const [name, range] of Object.entries(this.space)) {
      const at = `space '${name}'`;
      problems.push(...optional(checkName(IDENTIFIER, name, 'space name')));
      if (!isA(range, Range)) {
        problems.push(`${at} is ${show(range)}, not a Range; use Range.uniform, Range.logUniform, Range.integer or Range.categorical`);
        continue;
      }
      problems.push(...range.problems().map((p) => `${at}: ${p}`));
      const param = params.get(name.toUpperCase());
      if (param !== undefined) {
        problems.push(`${at} and the trial's param '${param}' would both be MLOPS_PARAM_${name.toUpperCase()}; remove the param from the trial or rename the hyperparameter`);
      }
      const other = upper.get(name.toUpperCase());
      if (other !== undefined) {
        problems.push(`space names '${other}' and '${name}' differ only in case and would share MLOPS_PARAM_${name.toUpperCase()}; rename one`);
      }
      upper.set(name.toUpperCase(), name);
    }
    if (isA(this.algorithm, Algorithm) && this.algorithm.name === AlgorithmName.GRID) {
      const continuous = Object.entries(this.space).filter(([, r]) => isA(r, Range) && !r.isDiscrete).map(([n]) => show(n));
      if (continuous.length > 0) {
        problems.push(`a grid search needs integer or categorical ranges, but ${continuous.join(', ')} ${continuous.length > 1 ? 'are' : 'is'} continuous; list the values to try with Range.categorical([...]) or use Algorithm.random()`);
      } else if (problems.length === 0 && this.maxTrials !== this.gridSize) {
        problems.push(`a grid search runs every combination of the space, ${this.gridSize}, but maxTrials is ${show(this.maxTrials)}; set maxTrials: ${this.gridSize}, or use Algorithm.random() to try fewer`);
      }
    }
    return problems;
  }

  private countProblems(): string[] {
    const problems: string[] = [];
    if (!isA(this.algorithm, Algorithm)) {
      problems.push(`algorithm is ${show(this.algorithm)}, not an Algorithm; use Algorithm.random(), Algorithm.grid() or Algorithm.bayesian()`);
    }
    const whole = (v: unknown, min: number) => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
    if (!whole(this.maxTrials, 1)) {
      problems.push(`maxTrials ${show(this.maxTrials)} is invalid (allowed: a whole number >= 1); e.g. maxTrials: 20`);
      return problems;
    }
    if (!whole(this.parallelTrials, 1) || this.parallelTrials > this.maxTrials) {
      problems.push(`parallelTrials ${show(this.parallelTrials)} is invalid (allowed: a whole number from 1 to maxTrials, ${this.maxTrials}); lower it or raise maxTrials`);
    }
    if (this.maxFailedTrials !== undefined && (!whole(this.maxFailedTrials, 0) || this.maxFailedTrials > this.maxTrials)) {
      problems.push(`maxFailedTrials ${show(this.maxFailedTrials)} is invalid (allowed: a whole number from 0 to maxTrials, ${this.maxTrials}); omit it to go on until maxTrials`);
    }
    if (this.seed !== undefined && (!whole(this.seed, 0) || this.seed > 2147483647)) {
      problems.push(`seed ${show(this.seed)} is invalid (allowed: a whole number from 0 to 2147483647)`);
    }
    if (typeof this.earlyStopping !== 'boolean') {
      problems.push(`earlyStopping ${show(this.earlyStopping)} is not true or false`);
    }
    return problems;
  }
}

brand(TuneStep, 'cdk-mlops.TuneStep');
