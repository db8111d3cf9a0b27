import * as fs from 'fs';
import * as path from 'path';
import { runLocally, RunStatus } from '../../lib/local';
import { FEATURES } from '../conformance/features';
import { stateDirs, tempDir } from '../support/local/fixtures';

/**
 * Every feature of the conformance table, run end to end with test/fixtures/steps/noop.py (which
 * writes each output, the model, and the metrics {"score": 0.95, "label": "good"}).
 */
const expected: { [id: string]: { status: RunStatus; states: { [step: string]: string } } | { refused: RegExp } } = {
  'script-steps-and-artifacts': { status: RunStatus.SUCCEEDED, states: { produce: 'succeeded', consume: 'succeeded' } },
  'training-step-model': { status: RunStatus.SUCCEEDED, states: { fit: 'succeeded', score: 'succeeded' } },
  'typed-parameters': { status: RunStatus.SUCCEEDED, states: { use: 'succeeded' } },
  'condition-metric-threshold': { status: RunStatus.SUCCEEDED, states: { evaluate: 'succeeded', gate: 'succeeded', ship: 'succeeded', stop: 'skipped' } },
  'condition-logic': { status: RunStatus.SUCCEEDED, states: { evaluate: 'succeeded', gate: 'succeeded', ship: 'succeeded' } },
  'nested-condition': { status: RunStatus.SUCCEEDED, states: { evaluate: 'succeeded', outer: 'succeeded', inner: 'succeeded', excellent: 'succeeded', good: 'skipped' } },
  'register-model': { status: RunStatus.SUCCEEDED, states: { fit: 'succeeded', register: 'succeeded' } },
  'servable-model': { status: RunStatus.SUCCEEDED, states: { fit: 'succeeded', register: 'succeeded' } },
  'fail-step': { status: RunStatus.FAILED, states: { stop: 'failed' } },
  'depends-on': { status: RunStatus.SUCCEEDED, states: { first: 'succeeded', second: 'succeeded' } },
  'retry-backoff': { status: RunStatus.SUCCEEDED, states: { flaky: 'succeeded' } },
  'cache': { status: RunStatus.SUCCEEDED, states: { cached: 'succeeded' } },
  'cache-expiry': { status: RunStatus.SUCCEEDED, states: { cached: 'succeeded' } },
  'resources': { status: RunStatus.SUCCEEDED, states: { sized: 'succeeded' } },
  'gpu': { status: RunStatus.SUCCEEDED, states: { fit: 'succeeded' } },
  'fan-out': { status: RunStatus.SUCCEEDED, states: { each: 'succeeded', after: 'succeeded' } },
  'collected-outputs': { status: RunStatus.SUCCEEDED, states: { each: 'succeeded', merge: 'succeeded' } },
  'collected-metrics': { status: RunStatus.SUCCEEDED, states: { each: 'succeeded', best: 'succeeded' } },
  'training-fan-out': { status: RunStatus.SUCCEEDED, states: { fit: 'succeeded', pick: 'succeeded' } },
  'external-data': { refused: /step 'read': input 'raw' reads s3:\/\/example-data\/iris\/, which is not on this machine: the local runner reads local paths only/ },
  'timeout': { status: RunStatus.SUCCEEDED, states: { bounded: 'succeeded' } },
  'env-and-arguments': { status: RunStatus.SUCCEEDED, states: { configured: 'succeeded' } },
  // noop.py writes no 'accuracy', the trials' objective: all 6 run and fail the launcher's metric check
  // (test/local/tuning.test.ts and test/examples/katib-gated-deploy.test.ts run searches that succeed).
  'feature-snapshots': { status: RunStatus.SUCCEEDED, states: { hour: 'succeeded', commit: 'succeeded', read: 'succeeded' } },
  'tuning': { status: RunStatus.FAILED, states: { prepare: 'succeeded', hpo: 'failed', report: 'pending', gate: 'pending', register: 'pending' } },
};

let tmp: { dir: string; cleanup: () => void };
const previousStore = process.env.MLOPS_FEATURE_STORE;
beforeAll(() => {
  tmp = tempDir('features');
  process.env.MLOPS_FEATURE_STORE = path.join(tmp.dir, 'feature-store'); // where 'feature-snapshots' commits and reads
});
afterAll(() => {
  tmp.cleanup();
  if (previousStore === undefined) {
    delete process.env.MLOPS_FEATURE_STORE;
  } else {
    process.env.MLOPS_FEATURE_STORE = previousStore;
  }
});

test('every feature has an expected outcome', () => {
  expect(Object.keys(expected).sort()).toEqual(FEATURES.map((f) => f.id).sort());
});

for (const feature of FEATURES) {
  test(`${feature.id} runs locally`, async () => {
    const want = expected[feature.id];
    if ('refused' in want) {
      await expect(runLocally(feature.build(), stateDirs(path.join(tmp.dir, feature.id)))).rejects.toThrow(want.refused);
      expect(fs.existsSync(path.join(tmp.dir, feature.id, 'runs'))).toBe(false);
      return;
    }
    const report = await runLocally(feature.build(), stateDirs(path.join(tmp.dir, feature.id)));
    expect(Object.fromEntries(report.steps.map((s) => [s.name, s.state]))).toEqual(want.states);
    expect(report.status).toBe(want.status);
    if (feature.id === 'fail-step') {
      expect(report.error).toBe("fail step 'stop' stopped the run: stopped on purpose");
    }
    if (feature.id === 'tuning') {
      expect(report.error).toMatch(/^step 'hpo' failed: every one of its 6 trials failed; the last: trial [1-6] \(C=\S+ depth=\d kernel=\w+\) exited with code \d+ \(.*'accuracy'/);
    }
    if (feature.id === 'fan-out') {
      expect(report.steps[0].items!.map((i) => i.item)).toEqual(['a', 'b', 'c']);
    }
    if (feature.id === 'register-model') {
      expect(report.steps[1].registered!.version).toBe(1);
    }
    if (feature.id === 'servable-model') {
      const registered = report.steps[1].registered!;
      expect(JSON.parse(fs.readFileSync(path.join(registered.path, 'metadata.json'), 'utf8')).inference).toEqual({ entry: 'noop.py', env: {} });
      expect(fs.existsSync(path.join(registered.path, 'code', 'noop.py'))).toBe(true);
    }
  });
}
