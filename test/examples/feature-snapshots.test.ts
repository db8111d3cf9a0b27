import * as fs from 'fs';
import * as path from 'path';
import { runLocally } from '../../lib/local';
import { featurePipeline, trainingPipeline } from '../../examples/feature-snapshots/pipelines';
import { stateDirs, tempDir, waitFor } from '../support/local/fixtures';

const STORE = 's3://example-feature-snapshots/snapshots/';
let tmp: ReturnType<typeof tempDir>;
let store: string;
const previous = process.env.MLOPS_FEATURE_STORE;

beforeEach(() => {
  tmp = tempDir('snapshots');
  store = path.join(tmp.dir, 'feature-store');
  process.env.MLOPS_FEATURE_STORE = store;
});
afterEach(() => {
  tmp.cleanup();
  if (previous === undefined) {
    delete process.env.MLOPS_FEATURE_STORE;
  } else {
    process.env.MLOPS_FEATURE_STORE = previous;
  }
});

let runs = 0;
const dirs = () => stateDirs(path.join(tmp.dir, `run-${runs++}`));

async function commitHour(hour: string, env: NodeJS.ProcessEnv = {}) {
  const report = await runLocally(featurePipeline({ store: STORE }), { ...dirs(), parameters: { hour }, env: { ...process.env, ...env } });
  expect(report.status).toBe('succeeded');
  return report;
}

async function train(parameters: { [name: string]: string } = {}, env: NodeJS.ProcessEnv = {}) {
  const report = await runLocally(trainingPipeline({ store: STORE }), { ...dirs(), parameters, env: { ...process.env, ...env } });
  expect(report.status).toBe('succeeded');
  return JSON.parse(fs.readFileSync(path.join(report.runDir, 'steps', 'train', 'result', 'model', 'snapshot-seen.json'), 'utf8'));
}

const latest = () => fs.readFileSync(path.join(store, 'customers', 'LATEST'), 'utf8').trim();

test('each hour commits a version; a retried hour replaces its partition, so training reads no row twice', async () => {
  await commitHour('2026-12-03T00');
  await commitHour('2026-12-03T01');
  await commitHour('2026-12-03T01'); // the retried hour
  expect(latest()).toBe('v000003');
  expect(await train()).toEqual({
    version: 'v000003', envVersion: 'v000003', partitions: ['2026-12-03T00', '2026-12-03T01'],
    rows: 40, distinctRows: 40, versionAfterWait: 'v000003', rowsAfterWait: 40,
  });
  // An older version stays readable as it was: the hand-off can pin one.
  expect(await train({ snapshot: 'v000001' })).toMatchObject({ version: 'v000001', partitions: ['2026-12-03T00'], rows: 20 });
}, 120_000);

test('a training run sees exactly one complete snapshot while the feature pipeline commits the next one', async () => {
  await commitHour('2026-12-03T00');
  await commitHour('2026-12-03T01');
  const started = path.join(tmp.dir, 'train-started');
  const trainGate = path.join(tmp.dir, 'train-gate');
  const training = train({}, { SNAPSHOT_EXAMPLE_STARTED: started, SNAPSHOT_EXAMPLE_TRAIN_GATE: trainGate });
  await waitFor('the training step to read its snapshot', () => fs.existsSync(started), 60_000);
  await commitHour('2026-12-03T02');
  expect(latest()).toBe('v000003'); // committed while training held its input
  fs.writeFileSync(trainGate, '');
  expect(await training).toEqual({
    version: 'v000002', envVersion: 'v000002', partitions: ['2026-12-03T00', '2026-12-03T01'],
    rows: 40, distinctRows: 40, versionAfterWait: 'v000002', rowsAfterWait: 40,
  });
  expect(await train()).toMatchObject({ version: 'v000003', partitions: ['2026-12-03T00', '2026-12-03T01', '2026-12-03T02'], rows: 60 });
}, 180_000);

test('a snapshot parameter naming a version that was never committed fails before any step runs', async () => {
  await commitHour('2026-12-03T00');
  await expect(runLocally(trainingPipeline({ store: STORE }), { ...dirs(), parameters: { snapshot: 'v000009' } })).rejects.toThrow(
    `Pipeline 'customer-training' (local runner): step 'train': input 'features' reads feature snapshot customers@{snapshot}: parameter 'snapshot' gives version "v000009", but table 'customers' in ${store} has no such committed version (newest committed: v000001); give one of them, or 'latest'`,
  );
}, 60_000);

test("'latest' before the first commit stops the training step with the launcher's message", async () => {
  const report = await runLocally(trainingPipeline({ store: STORE }), { ...dirs(), env: process.env });
  expect(report.status).toBe('failed');
  const log = fs.readFileSync(path.join(report.runDir, 'steps', 'train', 'logs', fs.readdirSync(path.join(report.runDir, 'steps', 'train', 'logs'))[0]), 'utf8');
  expect(log).toContain(`[mlops] step contract: feature snapshot 'customers' has no committed version yet (no LATEST in ${path.join(store, 'customers')}); run the feature pipeline's commit step first`);
}, 60_000);
