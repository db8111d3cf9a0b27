import * as fs from 'fs';
import * as path from 'path';
import { gatedDeployPipeline } from '../../examples/katib-gated-deploy/pipeline';
import { LocalModelRegistry, runLocally, RunStatus } from '../../lib/local';
import { TrialsFile } from '../../lib/local/tuning-state';
import { runMlops, startMlops } from '../support/local/cli';
import { stateDirs, tempDir } from '../support/local/fixtures';

/**
 * examples/katib-gated-deploy run for real on the local runner through the CLI, with the
 * project venv (pandas, scikit-learn): 8 seeded random trials of the SVM, 2 at a time, the gate
 * on the best trial's accuracy, the registered model served.
 */
const PIPELINE = 'examples/katib-gated-deploy/pipeline.ts';

let tmp: { dir: string; cleanup: () => void };
beforeAll(() => {
  tmp = tempDir('katib-gated-deploy');
});
afterAll(() => tmp.cleanup());

const dirs = (registry: string) => ['--runs-dir', path.join(tmp.dir, 'runs'), '--cache-dir', path.join(tmp.dir, 'cache'), '--registry-dir', path.join(tmp.dir, registry)];

function trialsOf(runDir: string): TrialsFile {
  return JSON.parse(fs.readFileSync(path.join(runDir, 'steps', 'hpo', 'trials.json'), 'utf8'));
}

/** The most trials whose [startedAt, finishedAt] overlap at one moment. */
function mostAtOnce(trials: TrialsFile['trials']): number {
  const events = trials.flatMap((t) => [[Date.parse(t.startedAt!), 1], [Date.parse(t.finishedAt!), -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let most = 0;
  for (const [, change] of events) {
    running += change;
    most = Math.max(most, running);
  }
  return most;
}

let firstRun: { runId: string; runDir: string; trials: TrialsFile } | undefined;

test('mlops run --local: 8 trials, 2 at a time; the best accuracy passes the gate and its model is registered', async () => {
  const r = await runMlops(['run', PIPELINE, '--local', '--json', '--max-parallel', '4', '--param', 'minAccuracy=0.5', ...dirs('registry')]);
  expect(r.stderr).not.toMatch(/failed/);
  expect(r.code).toBe(0);
  const report = JSON.parse(r.stdout);
  expect(report.steps.map((s: { name: string; state: string }) => `${s.name}:${s.state}`)).toEqual([
    'extract:succeeded', 'clean:succeeded', 'hpo:succeeded', 'accuracy-gate:succeeded', 'register:succeeded', 'too-inaccurate:skipped',
  ]);
  const runDir = path.join(tmp.dir, 'runs', report.runId);
  const trials = trialsOf(runDir);
  expect(trials).toEqual(expect.objectContaining({ algorithm: 'random', seed: 7, objective: { goal: 'maximize', metric: 'accuracy' } }));
  expect(trials.trials).toHaveLength(8);
  expect(trials.trials.every((t) => t.status === 'succeeded' && t.attempts === 1)).toBe(true);
  expect(new Set(trials.trials.map((t) => JSON.stringify(t.params))).size).toBe(8);
  for (const t of trials.trials) {
    expect(t.params.C).toBeGreaterThanOrEqual(0.001);
    expect(t.params.C).toBeLessThanOrEqual(100);
    expect(['rbf', 'linear']).toContain(t.params.kernel);
    expect(fs.existsSync(path.join(runDir, 'steps', 'hpo', 'trials', String(t.trial), 'result', 'model', 'model.joblib'))).toBe(true);
  }
  // parallelTrials 2 with room for 4: two at a time, never more.
  expect(mostAtOnce(trials.trials)).toBe(2);

  const hpo = report.steps.find((s: { name: string }) => s.name === 'hpo');
  const best = Math.max(...trials.trials.map((t) => t.metric!));
  expect(hpo.metrics).toEqual({ accuracy: best });
  const bestTrial = trials.trials.find((t) => t.trial === trials.best)!;
  expect(bestTrial.metric).toBe(best);
  expect(trials.trials.findIndex((t) => t.metric === best) + 1).toBe(trials.best); // the first of equals
  expect(JSON.parse(fs.readFileSync(path.join(hpo.outputs.parameters, 'parameters.json'), 'utf8'))).toEqual(bestTrial.params);
  const bestModel = path.join(runDir, 'steps', 'hpo', 'trials', String(trials.best), 'result', 'model', 'model.joblib');
  expect(fs.readFileSync(path.join(hpo.model, 'model.joblib'))).toEqual(fs.readFileSync(bestModel));

  const [version] = new LocalModelRegistry(path.join(tmp.dir, 'registry')).versions('iris-tuned');
  expect(version.metadata).toEqual(expect.objectContaining({ approvalStatus: 'Approved', sourceRun: report.runId, sourceStep: 'hpo', metrics: expect.objectContaining({ hpo: { accuracy: best } }) }));
  expect(fs.readFileSync(path.join(version.path, 'model', 'model.joblib'))).toEqual(fs.readFileSync(bestModel));
  firstRun = { runId: report.runId, runDir, trials };
}, 240_000);

/** Stands in for the mlflow package (not on the local pip mirror): records each call as a JSON line. */
const FAKE_MLFLOW = `import json, os
def _record(*call):
    with open(os.environ["FAKE_MLFLOW_LOG"], "a") as f:
        f.write(json.dumps(call) + "\\n")
def set_experiment(name):
    _record("set_experiment", name, os.environ.get("MLFLOW_TRACKING_URI"))
class _Run:
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        _record("end_run")
        return False
def start_run(run_name=None):
    _record("start_run", run_name)
    return _Run()
def set_tags(tags):
    _record("set_tags", tags)
def log_params(params):
    _record("log_params", params)
def log_metric(key, value):
    _record("log_metric", key, value)
def log_artifact(local_path, artifact_path=None):
    _record("log_artifact", os.path.basename(local_path), artifact_path, os.path.exists(local_path))
`;

test('the same seed gives the same trials on a second run; with mlflow importable each trial logs an MLflow run', async () => {
  expect(firstRun).toBeDefined();
  const fake = path.join(tmp.dir, 'fake-mlflow');
  fs.mkdirSync(path.join(fake, 'mlflow'), { recursive: true });
  fs.writeFileSync(path.join(fake, 'mlflow', '__init__.py'), FAKE_MLFLOW);
  const calls = path.join(tmp.dir, 'mlflow-calls.jsonl');
  const env = { ...process.env, PYTHONPATH: fake, FAKE_MLFLOW_LOG: calls, MLFLOW_TRACKING_URI: 'http://127.0.0.1:1/not-called' };
  const report = await runLocally(gatedDeployPipeline(), { ...stateDirs(path.join(tmp.dir, 'seed')), parameters: { minAccuracy: '0.5' }, env });
  expect(report.status).toBe(RunStatus.SUCCEEDED);
  const again = trialsOf(path.join(tmp.dir, 'seed', 'runs', report.runId));
  expect(again.trials.map((t) => [t.params, t.metric])).toEqual(firstRun!.trials.trials.map((t) => [t.params, t.metric]));

  const logged: unknown[][] = fs.readFileSync(calls, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const named = (name: string) => logged.filter((c) => c[0] === name);
  expect(named('set_experiment')).toEqual(Array(8).fill(['set_experiment', 'iris-tuned', 'http://127.0.0.1:1/not-called']));
  expect(named('end_run')).toHaveLength(8);
  expect(named('set_tags')).toEqual(Array(8).fill(['set_tags', { 'mlops.run_id': report.runId, 'mlops.engine': 'local' }]));
  expect(named('log_artifact')).toEqual(Array(8).fill(['log_artifact', 'model.joblib', 'model', true]));
  const byTrial = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();
  expect(byTrial(named('log_params'))).toEqual(byTrial(again.trials.map((t) => ['log_params', t.params])));
  expect(byTrial(named('log_metric'))).toEqual(byTrial(again.trials.map((t) => ['log_metric', 'accuracy', t.metric])));
}, 240_000);

test('minAccuracy 1.01: the gate reads the best accuracy and the fail step ends the run; nothing is registered', async () => {
  const r = await runMlops(['run', PIPELINE, '--local', '--param', 'minAccuracy=1.01', ...dirs('registry-strict')]);
  expect(r.code).toBe(1);
  expect(r.stdout).toContain("fail step 'too-inaccurate' stopped the run: The best trial is below minAccuracy; nothing was deployed");
  expect(r.stdout).toContain('register: skipped');
  expect(r.stdout).toMatch(/hpo \| \[mlops\] trial 8\/8 C=\S+ kernel=(rbf|linear): accuracy [\d.]+/);
  expect(fs.existsSync(path.join(tmp.dir, 'registry-strict'))).toBe(false);
}, 240_000);

test('mlops serve answers predictions from the registered best model', async () => {
  expect(firstRun).toBeDefined();
  const { child, result } = startMlops(['serve', 'iris-tuned/1', '--local', '--port', '0', '--registry-dir', path.join(tmp.dir, 'registry')]);
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const found = /^Serving iris-tuned version 1 at (http:\/\/127\.0\.0\.1:\d+) /m.exec(out);
        if (found) {
          resolve(found[1]);
        }
      });
      child.on('close', () => reject(new Error(`mlops serve exited before serving: ${out}`)));
    });
    // A setosa (class 0) and a virginica (class 2) flower from the Iris data set.
    const csv = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'Content-Type': 'text/csv', Accept: 'text/csv' }, body: '5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n' });
    expect(csv.status).toBe(200);
    expect(await csv.text()).toBe('0\n2\n');
  } finally {
    child.kill('SIGINT');
  }
  expect((await result).code).toBe(0);
}, 120_000);
