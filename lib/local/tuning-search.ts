import { randomInt } from 'crypto';
import { isA } from '../pipeline/brand';
import { paramText } from '../pipeline/contract';
import { TuneStep } from '../pipeline/steps/tune-step';
import { AlgorithmName, Range, RangeKind } from '../pipeline/tuning';

/** One trial's hyperparameter values, by name: numbers for numeric ranges, text for categories. */
export type TrialValues = { [name: string]: number | string };

/** The algorithms the local runner has; the others are refused when the run is planned. */
export const LOCAL_ALGORITHMS: readonly string[] = [AlgorithmName.RANDOM, AlgorithmName.GRID];

/**
 * A pseudo-random generator with a 32-bit state (mulberry32): small, fast and the same on every
 * machine, which is all a repeatable search needs (it is not for anything secret).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One value of `range` from a uniform draw u in [0, 1). */
export function drawValue(range: Range, u: number): number | string {
  const min = range.min!;
  const max = range.max!;
  switch (range.kind) {
    case RangeKind.UNIFORM:
      return Math.min(max, min + u * (max - min));
    case RangeKind.LOG_UNIFORM:
      return Math.min(max, Math.max(min, Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min)))));
    case RangeKind.INTEGER:
      return Math.min(max, min + Math.floor(u * (max - min + 1)));
    case RangeKind.CATEGORICAL: {
      const values = range.values!;
      return values[Math.min(values.length - 1, Math.floor(u * values.length))];
    }
  }
}

/** maxTrials independent draws, each hyperparameter in the space's order. */
export function randomTrials(space: { readonly [name: string]: Range }, maxTrials: number, random: () => number): TrialValues[] {
  const names = Object.keys(space);
  return Array.from({ length: maxTrials }, () => Object.fromEntries(names.map((name) => [name, drawValue(space[name], random())])));
}

/** Every value of a discrete range, in order: integers ascending, categories as listed. */
export function gridValues(range: Range): (number | string)[] {
  if (range.kind === RangeKind.CATEGORICAL) {
    return [...range.values!];
  }
  if (range.kind === RangeKind.INTEGER) {
    return Array.from({ length: range.max! - range.min! + 1 }, (_, i) => range.min! + i);
  }
  throw new Error(`internal: a grid search over the continuous range ${range}, which validation should have rejected`);
}

/**
 * Every combination of the space's values, in a stable order: the first hyperparameter changes
 * slowest and the last fastest (like nested loops in the space's order).
 */
export function gridTrials(space: { readonly [name: string]: Range }): TrialValues[] {
  let trials: TrialValues[] = [{}];
  for (const [name, range] of Object.entries(space)) {
    const values = gridValues(range);
    trials = trials.flatMap((trial) => values.map((value) => ({ ...trial, [name]: value })));
  }
  return trials;
}

/** A seed for a search that sets none: drawn once per run and kept in trials.json. */
export function freshSeed(): number {
  return randomInt(0, 2147483647);
}

/** The trials of a random or grid search, all known before any runs (neither learns from results). */
export function planTrials(step: TuneStep, seed: number): TrialValues[] {
  if (!isA(step, TuneStep)) {
    throw new Error(`internal: ${String(step)} is not a tuning step`);
  }
  if (step.algorithm.name === AlgorithmName.GRID) {
    return gridTrials(step.space);
  }
  if (step.algorithm.name === AlgorithmName.RANDOM) {
    return randomTrials(step.space, step.maxTrials, seededRandom(seed));
  }
  throw new Error(`internal: the local runner has no '${step.algorithm.name}' search, which the plan should have refused`);
}

/** A trial's values as the MLOPS_PARAM_<NAME> text it receives. */
export function trialParamTexts(values: TrialValues): { [name: string]: string } {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, paramText(value)]));
}

/** How a trial's values read in logs: C=0.0123 kernel=rbf. */
export function describeValues(values: TrialValues): string {
  return Object.entries(values).map(([name, value]) => `${name}=${typeof value === 'number' ? Number(value.toPrecision(4)) : value}`).join(' ');
}

/**
 * Runs `run(i)` for i in 0..count-1, at most `limit` at once, starting them in order; stops
 * starting new ones once `shouldStop()` says so. Resolves when every started one has ended.
 */
export async function runLimited(count: number, limit: number, run: (index: number) => Promise<void>, shouldStop: () => boolean): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count && !shouldStop()) {
      const index = next++;
      await run(index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count)) }, worker));
}
