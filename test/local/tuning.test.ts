import * as fs from 'fs';
import * as path from 'path';
import { Algorithm, Code, Condition, Objective, Pipeline, PipelineValidationError, Range, RetryPolicy, Step, Value } from '../../lib';
import { CacheMode, planLocalRun, runLocally, RunStatus } from '../../lib/local';
import { TrialsFile } from '../../lib/local/tuning-state';
import { stateDirs, tempDir } from '../support/local/fixtures';

/**
 * The local runner's tuning step, run for real with a small trial script: its score is x, kind
 * 'bad' fails, 'flaky' fails its first attempt, 'slow' outlives its timeout. Each trial appends
 * its start and end times to TRIAL_LOG, which tells how many ran at once.
 */
const TRIAL = `import json, os, sys, time
x = float(os.environ["MLOPS_PARAM_X"])
kind = os.environ.get("MLOPS_PARAM_KIND", "good")
log = os.environ["TRIAL_LOG"]
with open(log, "a") as f:
    f.write(f"start {time.time()} {x} {kind}\\n")
time.sleep(float(os.environ.get("TRIAL_SLEEP", "0")))
marker = os.path.join(os.path.dirname(log), f"flaky-{x}")
if kind == "bad":
    sys.exit(3)
if kind == "flaky" and not os.path.exists(marker):
    open(marker, "w").close()
    sys.exit(4)
if kind == "slow":
    time.sleep(30)
os.makedirs(os.environ["MLOPS_MODEL_DIR"], exist_ok=True)
with open(os.path.join(os.environ["MLOPS_MODEL_DIR"], "model.txt"), "w") as f:
    f.write(f"{x} {kind}\\n")
with open(os.environ["MLOPS_METRICS_FILE"], "w") as f:
    json.dump({"score": x}, f)
with open(log, "a") as f:
    f.write(f"end {time.time()} {x} {kind}\\n")
`;

let tmp: { dir: string; cleanup: () => void };
let code: Code;
let n = 0;
beforeAll(() => {
  tmp = tempDir('tuning');
  fs.mkdirSync(path.join(tmp.dir, 'code'));
  fs.writeFileSync(path.join(tmp.dir, 'code', 'trial.py'), TRIAL);
  // A step beside the search, logging like a trial (x = 0, kind 'other').
  fs.writeFileSync(path.join(tmp.dir, 'code', 'other.py'), [
    'import os, time',
    'log = os.environ["TRIAL_LOG"]',
    'open(log, "a").write(f"start {time.time()} 0 other\\n")',
    'time.sleep(1.5)',
    'open(log, "a").write(f"end {time.time()} 0 other\\n")',
    '',
  ].join('\n'));
  // A step reading the search's outputs as inputs.
  fs.writeFileSync(path.join(tmp.dir, 'code', 'read.py'), [
    'import os, shutil',
    'out = os.environ["MLOPS_OUTPUT_SEEN"]',
    'shutil.copy(os.path.join(os.environ["MLOPS_INPUT_PARAMETERS"], "parameters.json"), out)',
    'shutil.copy(os.path.join(os.environ["MLOPS_INPUT_MODEL"], "model.txt"), out)',
    '',
  ].join('\n'));
  code = Code.fromDirectory(path.join(tmp.dir, 'code'));
});
afterAll(() => tmp.cleanup());

interface Setup {
  readonly space: { [name: string]: Range };
  readonly algorithm?: Algorithm;
  readonly maxTrials: number;
  readonly parallelTrials?: number;
  readonly maxFailedTrials?: number;
  readonly seed?: number;
  readonly minimize?: boolean;
  readonly sleep?: number;
  readonly retry?: RetryPolicy;
  readonly timeoutSeconds?: number;
  readonly earlyStopping?: boolean;
  /** Add a script step that runs beside the search. */
  readonly beside?: boolean;
  /** Add a script step that reads the search's best model and parameters. */
  readonly reader?: boolean;
}

/** A pipeline with one tuning step, a gate on its best score and a step reading its outputs; a fresh state directory. */
function setup(s: Setup) {
  const dir = path.join(tmp.dir, `case-${++n}`);
  fs.mkdirSync(dir);
  const log = path.join(dir, 'trials.log');
  const p = new Pipeline('tuned');
  const trial = Step.training('fit', {
    code, entry: 'trial.py', metrics: ['score'], env: { TRIAL_LOG: log, TRIAL_SLEEP: String(s.sleep ?? 0) }, retry: s.retry, timeoutSeconds: s.timeoutSeconds,
  });
  const search = Step.tune('search', {
    trial,
    objective: s.minimize ? Objective.minimize('score') : Objective.maximize('score'),
    space: s.space,
    algorithm: s.algorithm,
    maxTrials: s.maxTrials,
    parallelTrials: s.parallelTrials,
    maxFailedTrials: s.maxFailedTrials,
    seed: s.seed,
    earlyStopping: s.earlyStopping,
  });
  p.addStep(search, Step.condition('gate', {
    when: Condition.gte(search.bestMetric('score'), Value.number(2)),
    then: [Step.registerModel('register', { model: search.bestModel(), group: 'tuned' })],
    otherwise: [Step.fail('weak', { message: 'best score below 2' })],
  }));
  if (s.reader) {
    p.addStep(Step.script('read', { code, entry: 'read.py', inputs: { parameters: search.bestParameters(), model: search.bestModel() }, outputs: ['seen'] }));
  }
  if (s.beside) {
    p.addStep(Step.script('other', { code, entry: 'other.py', env: { TRIAL_LOG: log } }));
  }
  const dirs = stateDirs(dir);
  const trials = (runId: string): TrialsFile => JSON.parse(fs.readFileSync(path.join(dirs.runsDir, runId, 'steps', 'search', 'trials.json'), 'utf8'));
  const events = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []).map((l) => {
    const [event, time, x, kind] = l.split(' ');
    return { event, time: Number(time), x: Number(x), kind };
  });
  return { pipeline: p, dirs, trials, events };
}

/** The most trials that ran at the same time. */
function mostAtOnce(events: { event: string; time: number }[]): number {
  let running = 0;
  let most = 0;
  for (const e of [...events].sort((a, b) => a.time - b.time || (a.event === 'end' ? -1 : 1))) {
    running += e.event === 'start' ? 1 : -1;
    most = Math.max(most, running);
  }
  return most;
}

test('a grid search runs every combination, two at a time; the best trial is the step\'s model, parameters and metric', async () => {
  const t = setup({ space: { x: Range.integer(1, 3), kind: Range.categorical(['good', 'other']) }, algorithm: Algorithm.grid(), maxTrials: 6, parallelTrials: 2, sleep: 0.4, reader: true });
  const report = await runLocally(t.pipeline, { ...t.dirs, maxParallel: 4 });
  expect(report.status).toBe(RunStatus.SUCCEEDED);
  const trials = t.trials(report.runId);
  expect(trials.trials.map((x) => [x.trial, x.params, x.status, x.metric])).toEqual([
    [1, { x: 1, kind: 'good' }, 'succeeded', 1], [2, { x: 1, kind: 'other' }, 'succeeded', 1],
    [3, { x: 2, kind: 'good' }, 'succeeded', 2], [4, { x: 2, kind: 'other' }, 'succeeded', 2],
    [5, { x: 3, kind: 'good' }, 'succeeded', 3], [6, { x: 3, kind: 'other' }, 'succeeded', 3],
  ]);
  expect(trials.best).toBe(5); // ties go to the earlier trial
  expect(mostAtOnce(t.events())).toBe(2);
  const step = report.steps.find((s) => s.name === 'search')!;
  expect(step.metrics).toEqual({ score: 3 });
  expect(fs.readFileSync(path.join(step.model!, 'model.txt'), 'utf8')).toBe('3.0 good\n');
  expect(JSON.parse(fs.readFileSync(path.join(step.outputs!.parameters, 'parameters.json'), 'utf8'))).toEqual({ x: 3, kind: 'good' });
  // Each trial has its own directory with its logs and result.
  const stepDir = path.join(t.dirs.runsDir, report.runId, 'steps', 'search');
  expect(fs.readdirSync(path.join(stepDir, 'trials')).sort()).toEqual(['1', '2', '3', '4', '5', '6']);
  expect(fs.readFileSync(path.join(stepDir, 'trials', '2', 'result', 'model', 'model.txt'), 'utf8')).toBe('1.0 other\n');
  expect(fs.existsSync(path.join(stepDir, 'trials', '2', 'logs', 'attempt-1.log'))).toBe(true);
  // The search's log: a line per trial and the outcome.
  const log = fs.readFileSync(step.logs[0], 'utf8').trim().split('\n');
  expect(log[0]).toBe('[mlops] grid search: 6 trials, 2 at a time, maximize score');
  expect(log.slice(1, -1).sort()).toEqual([
    '[mlops] trial 1/6 x=1 kind=good: score 1', '[mlops] trial 2/6 x=1 kind=other: score 1', '[mlops] trial 3/6 x=2 kind=good: score 2',
    '[mlops] trial 4/6 x=2 kind=other: score 2', '[mlops] trial 5/6 x=3 kind=good: score 3', '[mlops] trial 6/6 x=3 kind=other: score 3',
  ]);
  expect(log[log.length - 1]).toBe('[mlops] best of 6 trials: trial 5, x=3 kind=good, score 3');
  // A later step reads the best model and parameters as input directories.
  const seen = report.steps.find((s) => s.name === 'read')!.outputs!.seen;
  expect(JSON.parse(fs.readFileSync(path.join(seen, 'parameters.json'), 'utf8'))).toEqual({ x: 3, kind: 'good' });
  expect(fs.readFileSync(path.join(seen, 'model.txt'), 'utf8')).toBe('3.0 good\n');
  // The gate read the objective like a training step's metric.
  expect(report.steps.find((s) => s.name === 'register')!.state).toBe('succeeded');
});

test('minimize picks the smallest; parallelTrials is capped by --max-parallel', async () => {
  const t = setup({ space: { x: Range.integer(1, 4) }, algorithm: Algorithm.grid(), maxTrials: 4, parallelTrials: 4, minimize: true, sleep: 0.4 });
  const report = await runLocally(t.pipeline, { ...t.dirs, maxParallel: 2 });
  expect(mostAtOnce(t.events())).toBe(2);
  expect(report.steps.find((s) => s.name === 'search')!.metrics).toEqual({ score: 1 });
  // Best score 1 < 2: the fail step ends the run.
  expect(report.status).toBe(RunStatus.FAILED);
  expect(report.error).toBe("fail step 'weak' stopped the run: best score below 2");
});

test('the search holds min(parallelTrials, --max-parallel) slots: a step beside it waits for a free one', async () => {
  const space = { x: Range.integer(1, 4) };
  const narrow = setup({ space, algorithm: Algorithm.grid(), maxTrials: 4, parallelTrials: 2, sleep: 0.6, beside: true });
  expect((await runLocally(narrow.pipeline, { ...narrow.dirs, maxParallel: 2 })).status).toBe(RunStatus.SUCCEEDED);
  expect(mostAtOnce(narrow.events())).toBe(2);
  const wide = setup({ space, algorithm: Algorithm.grid(), maxTrials: 4, parallelTrials: 2, sleep: 0.6, beside: true });
  expect((await runLocally(wide.pipeline, { ...wide.dirs, maxParallel: 3 })).status).toBe(RunStatus.SUCCEEDED);
  expect(mostAtOnce(wide.events())).toBe(3);
}, 60000);

test('failed trials count; the search goes on until maxTrials unless more than maxFailedTrials failed', async () => {
  const space = { x: Range.integer(1, 2), kind: Range.categorical(['bad', 'good']) };
  const tolerant = setup({ space, algorithm: Algorithm.grid(), maxTrials: 4 });
  const ok = await runLocally(tolerant.pipeline, tolerant.dirs);
  expect(ok.status).toBe(RunStatus.SUCCEEDED);
  expect(tolerant.trials(ok.runId).trials.map((x) => x.status)).toEqual(['failed', 'succeeded', 'failed', 'succeeded']);
  expect(tolerant.trials(ok.runId).trials[0].error).toBe('exited with code 3');

  const strict = setup({ space, algorithm: Algorithm.grid(), maxTrials: 4, maxFailedTrials: 1 });
  const failed = await runLocally(strict.pipeline, strict.dirs);
  expect(failed.status).toBe(RunStatus.FAILED);
  expect(strict.trials(failed.runId).trials.map((x) => x.status)).toEqual(['failed', 'succeeded', 'failed', 'pending']);
  expect(failed.error).toBe("step 'search' failed: 2 of its 4 trials failed, more than maxFailedTrials (1); the last: trial 3 (x=2 kind=bad) exited with code 3");
  expect(failed.steps.find((s) => s.name === 'gate')!.state).toBe('pending');
});

test('when every trial fails, the step fails with the last error', async () => {
  const t = setup({ space: { x: Range.integer(1, 3), kind: Range.categorical(['bad']) }, algorithm: Algorithm.grid(), maxTrials: 3 });
  const report = await runLocally(t.pipeline, t.dirs);
  expect(report.status).toBe(RunStatus.FAILED);
  expect(report.error).toBe("step 'search' failed: every one of its 3 trials failed; the last: trial 3 (x=3 kind=bad) exited with code 3");
  expect(report.steps.find((s) => s.name === 'search')!.state).toBe('failed');
});

test("a trial is retried as the trial's retry policy says, and stopped at its timeout", async () => {
  const t = setup({
    space: { x: Range.integer(1, 2), kind: Range.categorical(['flaky', 'slow']) }, algorithm: Algorithm.grid(), maxTrials: 4, parallelTrials: 2,
    retry: RetryPolicy.of({ maxRetries: 1, intervalSeconds: 0 }), timeoutSeconds: 1,
  });
  const report = await runLocally(t.pipeline, t.dirs);
  const trials = t.trials(report.runId).trials;
  expect(trials.map((x) => [x.params.kind, x.status, x.attempts])).toEqual([['flaky', 'succeeded', 2], ['slow', 'failed', 2], ['flaky', 'succeeded', 2], ['slow', 'failed', 2]]);
  expect(trials[1].error).toBe('timed out after 1s after 2 attempts');
  expect(report.status).toBe(RunStatus.SUCCEEDED);
}, 60000);

test('a seeded random search runs the same trials twice; one without a seed records the seed it drew', async () => {
  const space = { x: Range.uniform(0, 5) };
  const a = setup({ space, maxTrials: 4, seed: 42 });
  const first = a.trials((await runLocally(a.pipeline, a.dirs)).runId);
  const second = a.trials((await runLocally(a.pipeline, a.dirs)).runId);
  expect(first.seed).toBe(42);
  expect(second.trials.map((x) => x.params)).toEqual(first.trials.map((x) => x.params));
  expect(second.trials.map((x) => x.metric)).toEqual(first.trials.map((x) => x.params.x));

  const b = setup({ space, maxTrials: 4 });
  const drawn = b.trials((await runLocally(b.pipeline, b.dirs)).runId);
  expect(Number.isSafeInteger(drawn.seed)).toBe(true);
  expect(drawn.trials.map((x) => x.params)).not.toEqual(first.trials.map((x) => x.params));
});

test('an interrupted search resumes with the trials that finished: none lost, none run twice', async () => {
  const t = setup({ space: { x: Range.integer(1, 6) }, algorithm: Algorithm.grid(), maxTrials: 6, parallelTrials: 2, sleep: 0.5 });
  const abort = new AbortController();
  const running = runLocally(t.pipeline, { ...t.dirs, signal: abort.signal });
  const runsDir = t.dirs.runsDir;
  // Stop once two trials have finished (trials.json says so).
  const succeeded = () => {
    const runs = fs.existsSync(runsDir) ? fs.readdirSync(runsDir) : [];
    const file = runs.length === 1 ? path.join(runsDir, runs[0], 'steps', 'search', 'trials.json') : undefined;
    return file && fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as TrialsFile).trials.filter((x) => x.status === 'succeeded').length : 0;
  };
  for (let i = 0; i < 600 && succeeded() < 2; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  abort.abort();
  const interrupted = await running;
  expect(interrupted.status).toBe(RunStatus.INTERRUPTED);
  const before = t.trials(interrupted.runId).trials;
  const done = before.filter((x) => x.status === 'succeeded').map((x) => x.trial);
  expect(done.length).toBeGreaterThanOrEqual(2);
  expect(before.every((x) => x.status === 'succeeded' || x.status === 'pending')).toBe(true);
  expect(fs.readdirSync(runsDir)).toHaveLength(1);

  const resumed = await runLocally(t.pipeline, { ...t.dirs, resume: interrupted.runId });
  expect(resumed.status).toBe(RunStatus.SUCCEEDED);
  const after = t.trials(resumed.runId).trials;
  expect(after.map((x) => [x.status, x.metric])).toEqual([1, 2, 3, 4, 5, 6].map((x) => ['succeeded', x]));
  // Every trial ended exactly once; the finished ones were not started again.
  const ends = t.events().filter((e) => e.event === 'end').map((e) => e.x).sort();
  expect(ends).toEqual([1, 2, 3, 4, 5, 6]);
  for (const trial of done) {
    expect(after[trial - 1].attempts).toBe(1);
  }
  expect(resumed.steps.find((s) => s.name === 'search')!.metrics).toEqual({ score: 6 });
}, 60000);

test('bayesian is refused when the run is planned; earlyStopping and --cache all are warned about', () => {
  const bayes = setup({ space: { x: Range.uniform(0, 1) }, algorithm: Algorithm.bayesian(), maxTrials: 4 });
  expect(() => planLocalRun(bayes.pipeline)).toThrow(PipelineValidationError);
  expect(() => planLocalRun(bayes.pipeline)).toThrow(
    "step 'search': uses Algorithm.bayesian(), which the local runner does not have (the local runner has random and grid); use Algorithm.random() locally or run on Katib/SageMaker",
  );
  const early = setup({ space: { x: Range.uniform(0, 1) }, maxTrials: 4, earlyStopping: true });
  expect(planLocalRun(early.pipeline).warnings).toEqual([
    "step 'search' asks for earlyStopping; the local runner runs every trial to the end, which finds the same best trial in more time",
  ]);
  expect(planLocalRun(early.pipeline, { cacheMode: CacheMode.ALL }).warnings).toContain(
    "step 'search' is a tuning step, which the local runner never caches: its 4 trials run on every run",
  );
});
