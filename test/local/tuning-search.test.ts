import { Algorithm, Objective, Range, Step } from '../../lib';
import {
  describeValues, drawValue, gridTrials, planTrials, randomTrials, runLimited, seededRandom, trialParamTexts,
} from '../../lib/local/tuning-search';
import { fixtureCode } from '../support/local/fixtures';

const space = { C: Range.logUniform(0.001, 100), lr: Range.uniform(-1, 1), depth: Range.integer(2, 5), kernel: Range.categorical(['rbf', 'linear', 'poly']) };

function tune(props: { seed?: number; algorithm?: Algorithm; maxTrials?: number; space?: { [name: string]: Range } }) {
  const trial = Step.training('fit', { code: fixtureCode, entry: 'record.sh', metrics: ['score'] });
  return Step.tune('search', { trial, objective: Objective.maximize('score'), space: props.space ?? space, maxTrials: props.maxTrials ?? 8, algorithm: props.algorithm, seed: props.seed });
}

describe('draws', () => {
  test('the ends of each range for u = 0 and u just below 1', () => {
    const below1 = 1 - 2 ** -53;
    expect(drawValue(Range.uniform(-1, 1), 0)).toBe(-1);
    expect(drawValue(Range.uniform(-1, 1), below1)).toBeLessThanOrEqual(1);
    expect(drawValue(Range.logUniform(0.001, 100), 0)).toBeCloseTo(0.001, 12);
    expect(drawValue(Range.logUniform(0.001, 100), below1)).toBeLessThanOrEqual(100);
    expect(drawValue(Range.integer(2, 5), 0)).toBe(2);
    expect(drawValue(Range.integer(2, 5), below1)).toBe(5);
    expect(drawValue(Range.categorical(['a', 'b', 'c']), 0)).toBe('a');
    expect(drawValue(Range.categorical(['a', 'b', 'c']), below1)).toBe('c');
  });

  test('2000 draws stay in range, hit both ends of an integer range and every category; log-uniform is even per decade', () => {
    const trials = randomTrials(space, 2000, seededRandom(1));
    const of = (name: string) => trials.map((t) => t[name]);
    for (const c of of('C') as number[]) {
      expect(c).toBeGreaterThanOrEqual(0.001);
      expect(c).toBeLessThanOrEqual(100);
    }
    for (const lr of of('lr') as number[]) {
      expect(lr).toBeGreaterThanOrEqual(-1);
      expect(lr).toBeLessThanOrEqual(1);
    }
    expect(new Set(of('depth'))).toEqual(new Set([2, 3, 4, 5]));
    expect((of('depth') as number[]).every(Number.isInteger)).toBe(true);
    expect(new Set(of('kernel'))).toEqual(new Set(['rbf', 'linear', 'poly']));
    // 5 decades from 0.001 to 100: about 400 draws in each (uniform draws would put ~1600 in the last).
    const perDecade = [0, 1, 2, 3, 4].map((d) => (of('C') as number[]).filter((c) => Math.floor(Math.log10(c) + 3) === d).length);
    perDecade.forEach((n) => expect(n).toBeGreaterThan(300));
    perDecade.forEach((n) => expect(n).toBeLessThan(500));
    const lowerHalf = (of('lr') as number[]).filter((x) => x < 0).length;
    expect(lowerHalf).toBeGreaterThan(900);
    expect(lowerHalf).toBeLessThan(1100);
  });

  test('the same seed gives the same trials; another seed others', () => {
    const a = planTrials(tune({ seed: 7 }), 7);
    expect(planTrials(tune({ seed: 7 }), 7)).toEqual(a);
    expect(planTrials(tune({ seed: 8 }), 8)).not.toEqual(a);
    expect(a).toHaveLength(8);
    expect(new Set(a.map((t) => t.C)).size).toBe(8);
  });

  test('values reach the trial as MLOPS_PARAM text and read shortly in logs', () => {
    expect(trialParamTexts({ C: 0.5, depth: 3, kernel: 'rbf' })).toEqual({ C: '0.5', depth: '3', kernel: 'rbf' });
    expect(describeValues({ C: 0.0123456, kernel: 'rbf' })).toBe('C=0.01235 kernel=rbf');
  });
});

describe('grid', () => {
  test('every combination once, the first hyperparameter slowest, categories as listed and integers ascending', () => {
    expect(gridTrials({ depth: Range.integer(2, 4), kernel: Range.categorical(['rbf', 'linear']) })).toEqual([
      { depth: 2, kernel: 'rbf' }, { depth: 2, kernel: 'linear' },
      { depth: 3, kernel: 'rbf' }, { depth: 3, kernel: 'linear' },
      { depth: 4, kernel: 'rbf' }, { depth: 4, kernel: 'linear' },
    ]);
  });

  test('a grid step plans its grid whatever the seed', () => {
    const grid = tune({ algorithm: Algorithm.grid(), maxTrials: 6, space: { kernel: Range.categorical(['rbf', 'linear']), depth: Range.integer(1, 3) } });
    expect(planTrials(grid, 1)).toEqual(planTrials(grid, 2));
    expect(planTrials(grid, 1).map(describeValues)).toEqual([
      'kernel=rbf depth=1', 'kernel=rbf depth=2', 'kernel=rbf depth=3', 'kernel=linear depth=1', 'kernel=linear depth=2', 'kernel=linear depth=3',
    ]);
  });

  test('bayesian has no local plan', () => {
    expect(() => planTrials(tune({ algorithm: Algorithm.bayesian() }), 1)).toThrow("the local runner has no 'bayesian' search");
  });
});

describe('runLimited', () => {
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

  test('runs every index in order, never more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    await runLimited(7, 3, async (i) => {
      started.push(i);
      running++;
      most = Math.max(most, running);
      await tick();
      running--;
    }, () => false);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(most).toBe(3);
  });

  test('starts nothing new once told to stop, and waits for what runs', async () => {
    const ended: number[] = [];
    await runLimited(10, 2, async (i) => {
      await tick();
      ended.push(i);
    }, () => ended.length >= 3);
    // Two run at once: when the third ends, the fourth has already started.
    expect(ended).toEqual([0, 1, 2, 3]);
  });
});
