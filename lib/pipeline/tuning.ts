import { brand, isA } from './brand';
import { show } from './errors';
import { processTextProblem } from './rules';
import { ValueType } from './values';

/** How a hyperparameter's values are drawn. */
export enum RangeKind {
  /** Any real number in [min, max], drawn uniformly. */
  UNIFORM = 'uniform',
  /** Any real number in [min, max], drawn uniformly on a log scale (min > 0). */
  LOG_UNIFORM = 'log-uniform',
  /** Any whole number in [min, max], both included. */
  INTEGER = 'integer',
  /** One of a list of strings. */
  CATEGORICAL = 'categorical',
}

/**
 * The values one hyperparameter of a tuning step may take. A trial receives its value as
 * MLOPS_PARAM_<NAME>, like a step param: numbers as decimal text, categories as given.
 */
export class Range {
  /** True for a Range from any copy of cdk-mlops. */
  public static isRange(x: unknown): x is Range {
    return isA(x, Range);
  }

  /** A real number in [min, max], drawn uniformly. */
  public static uniform(min: number, max: number): Range {
    return new Range(RangeKind.UNIFORM, min, max, undefined);
  }

  /** A real number in [min, max] (min > 0), drawn uniformly on a log scale: e.g. a learning rate or C. */
  public static logUniform(min: number, max: number): Range {
    return new Range(RangeKind.LOG_UNIFORM, min, max, undefined);
  }

  /** A whole number in [min, max], both included. */
  public static integer(min: number, max: number): Range {
    return new Range(RangeKind.INTEGER, min, max, undefined);
  }

  /** One of `values` (strings, each once). */
  public static categorical(values: string[]): Range {
    return new Range(RangeKind.CATEGORICAL, undefined, undefined, Array.isArray(values) ? [...values] : values);
  }

  private constructor(
    public readonly kind: RangeKind,
    /** The smallest value (numeric ranges). */
    public readonly min: number | undefined,
    /** The largest value (numeric ranges). */
    public readonly max: number | undefined,
    /** The categories (categorical ranges). */
    public readonly values: string[] | undefined,
  ) {}

  /** The type of value a trial receives. */
  public get valueType(): ValueType {
    return this.kind === RangeKind.CATEGORICAL ? ValueType.STRING : this.kind === RangeKind.INTEGER ? ValueType.INTEGER : ValueType.NUMBER;
  }

  /** True when the range has finitely many values (a grid search can enumerate it). */
  public get isDiscrete(): boolean {
    return this.kind === RangeKind.INTEGER || this.kind === RangeKind.CATEGORICAL;
  }

  /** How many values a grid search tries (discrete ranges). */
  public get gridSize(): number {
    if (this.kind === RangeKind.CATEGORICAL) {
      return this.values?.length ?? 0;
    }
    return this.kind === RangeKind.INTEGER ? (this.max! - this.min! + 1) : Infinity;
  }

  /** Problems of the range on its own, each without the hyperparameter's name. */
  public problems(): string[] {
    if (this.kind === RangeKind.CATEGORICAL) {
      return categoryProblems(this.values);
    }
    const { min, max } = this;
    const whole = this.kind === RangeKind.INTEGER;
    const ok = (v: unknown) => typeof v === 'number' && (whole ? Number.isSafeInteger(v) : Number.isFinite(v));
    const factory = this.kind === RangeKind.INTEGER ? 'integer' : this.kind === RangeKind.UNIFORM ? 'uniform' : 'logUniform';
    if (!ok(min) || !ok(max)) {
      return [`Range.${factory}(${show(min)}, ${show(max)}) needs ${whole ? 'whole numbers' : 'finite numbers'} for min and max; e.g. Range.${factory}(${whole ? '1, 10' : '0.001, 100'})`];
    }
    if (min! >= max!) {
      return [`Range.${factory}(${min}, ${max}) has min >= max (allowed: min < max); swap them or widen the range`];
    }
    if (this.kind === RangeKind.LOG_UNIFORM && min! <= 0) {
      return [`Range.logUniform(${min}, ${max}) has min <= 0, which has no logarithm (allowed: 0 < min < max); use Range.uniform for ranges that include 0`];
    }
    return [];
  }

  public toString(): string {
    return this.kind === RangeKind.CATEGORICAL ? `categorical(${(this.values ?? []).map(show).join(', ')})` : `${this.kind}(${this.min}, ${this.max})`;
  }
}

function categoryProblems(values: unknown): string[] {
  if (!Array.isArray(values) || values.length === 0) {
    return [`Range.categorical(${show(values)}) needs at least one category; e.g. Range.categorical(['rbf', 'linear'])`];
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const value of values) {
    if (typeof value !== 'string' || value === '') {
      problems.push(`Range.categorical category ${show(value)} is not a non-empty string; give categories as strings, e.g. '0.5' for a number`);
      continue;
    }
    const text = processTextProblem(`Range.categorical category`, value);
    if (text) {
      problems.push(text);
    }
    if (seen.has(value)) {
      problems.push(`Range.categorical lists '${value}' twice; list each category once`);
    }
    seen.add(value);
  }
  return problems;
}

/** Whether the tuning step looks for the largest or the smallest objective metric. */
export enum ObjectiveGoal {
  MAXIMIZE = 'maximize',
  MINIMIZE = 'minimize',
}

/** The metric a tuning step optimises: one the trial step declares in its metrics. */
export class Objective {
  /** True for an Objective from any copy of cdk-mlops. */
  public static isObjective(x: unknown): x is Objective {
    return isA(x, Objective);
  }

  public static maximize(metric: string): Objective {
    return new Objective(ObjectiveGoal.MAXIMIZE, metric);
  }

  public static minimize(metric: string): Objective {
    return new Objective(ObjectiveGoal.MINIMIZE, metric);
  }

  private constructor(public readonly goal: ObjectiveGoal, public readonly metric: string) {}

  /** True when `a` is a better objective value than `b`. */
  public isBetter(a: number, b: number): boolean {
    return this.goal === ObjectiveGoal.MAXIMIZE ? a > b : a < b;
  }

  public toString(): string {
    return `${this.goal} ${this.metric}`;
  }
}

/** The search strategies the model names; each engine says which it has. */
export enum AlgorithmName {
  RANDOM = 'random',
  GRID = 'grid',
  BAYESIAN = 'bayesian',
}

/**
 * How a tuning step picks the next trial's hyperparameters. Random and grid run on every engine
 * (the local runner included); bayesian runs on Katib and SageMaker only.
 */
export class Algorithm {
  /** True for an Algorithm from any copy of cdk-mlops. */
  public static isAlgorithm(x: unknown): x is Algorithm {
    return isA(x, Algorithm);
  }

  /** Independent random draws from each range. */
  public static random(): Algorithm {
    return new Algorithm(AlgorithmName.RANDOM);
  }

  /** Every combination of the ranges' values, in order (integer and categorical ranges only). */
  public static grid(): Algorithm {
    return new Algorithm(AlgorithmName.GRID);
  }

  /** Bayesian optimisation, each trial chosen from the results so far (Katib, SageMaker). */
  public static bayesian(): Algorithm {
    return new Algorithm(AlgorithmName.BAYESIAN);
  }

  private constructor(public readonly name: AlgorithmName) {}

  public toString(): string {
    return this.name;
  }
}

brand(Range, 'cdk-mlops.Range');
brand(Objective, 'cdk-mlops.Objective');
brand(Algorithm, 'cdk-mlops.Algorithm');
