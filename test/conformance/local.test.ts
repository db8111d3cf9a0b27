import { planLocalRun } from '../../lib/local';
import { describeConformance, FEATURES } from './features';
import { LOCAL_COLUMN } from './columns/local';

/**
 * The local runner's column. "Compiling" for local is planning the run without running it:
 * validation, parameter values, what each step runs and with which retry and cache settings.
 * test/local/features.test.ts runs every feature end to end.
 */
describeConformance('local', LOCAL_COLUMN, (pipeline) => planLocalRun(pipeline));

test('the plan warns about what a local run cannot honour', () => {
  const gpu = FEATURES.find((f) => f.id === 'gpu')!.build();
  expect(planLocalRun(gpu).warnings).toContainEqual(expect.stringMatching(/^step 'fit' asks for 1 GPU\(s\); the local runner does not assign GPUs/));
});
