import * as fs from 'fs';
import * as path from 'path';
import { Condition, Parameter, Pipeline, RetryPolicy, Step, Value } from '../../lib';
import { LocalModelRegistry, runLocally, RunStatus, TaskState } from '../../lib/local';
import { fixtureCode as code, isProcessAlive, readFixtureLog, stateDirs, tempDir } from '../support/local/fixtures';

let tmp: { dir: string; cleanup: () => void };
let log: string;
beforeEach(() => {
  tmp = tempDir('runner');
  log = path.join(tmp.dir, 'fixture.log');
});
afterEach(() => tmp.cleanup());

function run(pipeline: Pipeline, options: Parameters<typeof runLocally>[1] = {}) {
  return runLocally(pipeline, { ...stateDirs(tmp.dir), env: { ...process.env, FIXTURE_LOG: log }, ...options });
}

test('runs steps in dependency order and passes each output directory to the next step', async () => {
  const p = new Pipeline('flow');
  const a = Step.script('a', { code, entry: 'record.sh', outputs: ['data'], env: { CONTENT: 'hello' } });
  const b = Step.script('b', { code, entry: 'copy-input.sh', inputs: { data: a.output('data') }, outputs: ['data'] });
  const c = Step.script('c', { code, entry: 'copy-input.sh', inputs: { data: b.output('data') }, outputs: ['data'] });
  p.addStep(c, b, a);

  const report = await run(p);

  expect(report.status).toBe(RunStatus.SUCCEEDED);
  expect(report.steps.map((s) => [s.name, s.state])).toEqual([['a', 'succeeded'], ['b', 'succeeded'], ['c', 'succeeded']]);
  const out = report.steps.find((s) => s.name === 'c')!.outputs!.data;
  expect(fs.readFileSync(path.join(out, 'data.txt'), 'utf8')).toBe('a hello\nthen b\nthen c\n');
  expect(out).toBe(path.join(report.runDir, 'steps', 'c', 'result', 'outputs', 'data'));
  expect(readFixtureLog(log).map((l) => `${l.step} ${l.event}`)).toEqual(['a start', 'a end', 'b ran', 'c ran']);
  // The run directory holds the state, the run description and one log per attempt.
  const state = JSON.parse(fs.readFileSync(path.join(report.runDir, 'state.json'), 'utf8'));
  expect(state.status).toBe('succeeded');
  const cState = JSON.parse(fs.readFileSync(path.join(report.runDir, 'steps', 'c', 'state.json'), 'utf8'));
  expect(cState).toEqual(expect.objectContaining({ kind: 'script', state: 'succeeded', attempts: 1 }));
  expect(fs.readFileSync(path.join(report.runDir, 'steps', 'a', 'logs', 'attempt-1.log'), 'utf8')).toContain('running a');
  expect(fs.existsSync(path.join(report.runDir, 'lock'))).toBe(false);
});

test('gives each script the step contract: inputs, outputs, metrics file, params, item, env and arguments', async () => {
  const p = new Pipeline('contract', { parameters: { rate: Parameter.number(0.1), region: Parameter.string('eu'), verbose: Parameter.boolean(false) } });
  const fit = Step.training('fit', { code, entry: 'record.sh' });
  const look = Step.script('look', {
    code,
    entry: 'contract.py',
    inputs: { model: fit.model() },
    outputs: ['seen'],
    params: { rate: p.parameter('rate'), region: p.parameter('region'), verbose: p.parameter('verbose'), fixed: Value.integer(7) },
    env: { LOG_LEVEL: 'debug' },
    arguments: ['--mode', 'full'],
    metrics: ['score'],
    stringMetrics: ['label'],
  });
  p.addStep(fit, look);

  const report = await run(p, { parameters: { rate: '0.25' } });

  expect(report.status).toBe(RunStatus.SUCCEEDED);
  const step = report.steps.find((s) => s.name === 'look')!;
  const seen = JSON.parse(fs.readFileSync(path.join(step.outputs!.seen, 'seen.json'), 'utf8'));
  expect(seen.argv).toEqual(['--mode', 'full']);
  expect(seen.inputs).toEqual({ MLOPS_INPUT_MODEL: ['model.txt'] });
  expect(seen.env).toEqual(expect.objectContaining({
    MLOPS_ENGINE: 'local',
    MLOPS_PIPELINE: 'contract',
    MLOPS_STEP: 'look',
    MLOPS_RUN_ID: report.runId,
    MLOPS_INPUT_MODEL: path.join(report.runDir, 'steps', 'fit', 'result', 'model'),
    MLOPS_PARAM_RATE: '0.25',
    MLOPS_PARAM_REGION: 'eu',
    MLOPS_PARAM_VERBOSE: 'false',
    MLOPS_PARAM_FIXED: '7',
    LOG_LEVEL: 'debug',
  }));
  expect(seen.env.MLOPS_ITEM).toBeUndefined();
  expect(seen.env.MLOPS_MODEL_DIR).toBeUndefined();
  // Outputs and the metrics file are written in a private attempt directory, renamed into place after success.
  expect(seen.env.MLOPS_OUTPUT_SEEN).toMatch(/\/steps\/look\/\.tmp-attempt-1-[^/]+\/outputs\/seen$/);
  expect(seen.env.MLOPS_METRICS_FILE).toMatch(/\/steps\/look\/\.tmp-attempt-1-[^/]+\/metrics\.json$/);
  expect(seen.python).toContain(path.join('.venv', 'bin', 'python'));
  expect(step.metrics).toEqual({ score: 0.5, label: 'seen' });
  expect(fs.readdirSync(path.join(report.runDir, 'steps', 'look')).sort()).toEqual(['logs', 'result', 'state.json']);
});

test('forEach runs the step once per item, in parallel, each with MLOPS_ITEM and its own outputs', async () => {
  const p = new Pipeline('fan-out');
  const each = Step.script('each', { code, entry: 'record.sh', forEach: ['x', 'y', 'z'], outputs: ['data'], env: { SLEEP_SECONDS: '0.3' } });
  p.addStep(each, Step.script('after', { code, entry: 'record.sh', dependsOn: [each] }));

  const report = await run(p, { maxParallel: 3 });

  expect(report.status).toBe(RunStatus.SUCCEEDED);
  const step = report.steps[0];
  expect(step.items!.map((i) => [i.item, i.state])).toEqual([['x', 'succeeded'], ['y', 'succeeded'], ['z', 'succeeded']]);
  expect(step.items!.map((i) => fs.readFileSync(path.join(i.outputs!.data, 'data.txt'), 'utf8').trim())).toEqual(['each x', 'each y', 'each z']);
  const events = readFixtureLog(log);
  const starts = events.filter((e) => e.event === 'start' && e.step.startsWith('each'));
  const ends = events.filter((e) => e.event === 'end' && e.step.startsWith('each'));
  // All three items started before any of them ended: they ran at the same time.
  expect(Math.max(...starts.map((e) => e.time))).toBeLessThan(Math.min(...ends.map((e) => e.time)));
  // 'after' waited for every item.
  const after = events.find((e) => e.step === 'after' && e.event === 'start')!;
  expect(after.time).toBeGreaterThanOrEqual(Math.max(...ends.map((e) => e.time)));
});

test('independent steps run in parallel up to --max-parallel, and one after the other with 1', async () => {
  const build = () => {
    const p = new Pipeline('parallel');
    p.addStep(
      Step.script('left', { code, entry: 'record.sh', env: { SLEEP_SECONDS: '0.4' } }),
      Step.script('right', { code, entry: 'record.sh', env: { SLEEP_SECONDS: '0.4' } }),
    );
    return p;
  };
  const overlap = () => {
    const events = readFixtureLog(log);
    const span = (step: string) => [events.find((e) => e.step === step && e.event === 'start')!.time, events.find((e) => e.step === step && e.event === 'end')!.time];
    const [l0, l1] = span('left');
    const [r0, r1] = span('right');
    return l0 < r1 && r0 < l1;
  };

  expect((await run(build(), { maxParallel: 2 })).status).toBe(RunStatus.SUCCEEDED);
  expect(overlap()).toBe(true);
  fs.rmSync(log);
  expect((await run(build(), { maxParallel: 1 })).status).toBe(RunStatus.SUCCEEDED);
  expect(overlap()).toBe(false);
});

test('a condition decides on real metrics: the branch taken runs, the other is skipped', async () => {
  const build = (accuracy: number) => {
    const p = new Pipeline('gate', { parameters: { minAccuracy: Parameter.number(0.9) } });
    const evaluate = Step.script('evaluate', { code, entry: 'record.sh', metrics: ['accuracy'], stringMetrics: ['grade'], env: { METRICS_JSON: JSON.stringify({ accuracy, grade: accuracy > 0.5 ? 'good' : 'bad' }) } });
    p.addStep(evaluate, Step.condition('gate', {
      when: Condition.and(Condition.gte(evaluate.metric('accuracy'), p.parameter('minAccuracy')), Condition.isIn(evaluate.metric('grade'), [Value.string('good')])),
      then: [Step.script('ship', { code, entry: 'record.sh' })],
      otherwise: [Step.script('report-weak', { code, entry: 'record.sh' }), Step.fail('too-weak', { message: 'accuracy below minAccuracy' })],
    }));
    return p;
  };

  const good = await run(build(0.95));
  expect(good.status).toBe(RunStatus.SUCCEEDED);
  expect(good.steps.map((s) => [s.name, s.state])).toEqual([
    ['evaluate', 'succeeded'], ['gate', 'succeeded'], ['ship', 'succeeded'], ['report-weak', 'skipped'], ['too-weak', 'skipped'],
  ]);
  expect(good.steps[1].outcome).toBe('then');

  const weak = await run(build(0.8));
  expect(weak.status).toBe(RunStatus.FAILED);
  expect(weak.error).toBe("fail step 'too-weak' stopped the run: accuracy below minAccuracy");
  // The fail step ends the run at once: 'report-weak', ready at the same moment, never starts.
  expect(weak.steps.map((s) => [s.name, s.state])).toEqual([
    ['evaluate', 'succeeded'], ['gate', 'succeeded'], ['ship', 'skipped'], ['report-weak', 'pending'], ['too-weak', 'failed'],
  ]);
  expect(weak.steps[1].outcome).toBe('otherwise');

  // A parameter value changes the decision as well.
  const lenient = await run(build(0.8), { parameters: { minAccuracy: '0.75' } });
  expect(lenient.steps.find((s) => s.name === 'ship')!.state).toBe('succeeded');
});

test('nested conditions: only the innermost branch chosen by both conditions runs', async () => {
  const p = new Pipeline('nested');
  const e = Step.script('evaluate', { code, entry: 'record.sh', metrics: ['score'], env: { METRICS_JSON: '{"score": 0.7}' } });
  p.addStep(e, Step.condition('outer', {
    when: Condition.gt(e.metric('score'), Value.number(0.5)),
    then: [Step.condition('inner', {
      when: Condition.gt(e.metric('score'), Value.number(0.9)),
      then: [Step.script('excellent', { code, entry: 'record.sh' })],
      otherwise: [Step.script('good', { code, entry: 'record.sh' })],
    })],
    otherwise: [Step.script('poor', { code, entry: 'record.sh' })],
  }));
  const report = await run(p);
  expect(Object.fromEntries(report.steps.map((s) => [s.name, s.state]))).toEqual({
    evaluate: 'succeeded', outer: 'succeeded', inner: 'succeeded', excellent: 'skipped', good: 'succeeded', poor: 'skipped',
  });
});

test('a step that writes no metrics file while a condition needs it fails with the contract problem named', async () => {
  const p = new Pipeline('no-metrics');
  const e = Step.script('evaluate', { code, entry: 'record.sh', metrics: ['accuracy'] });
  p.addStep(e, Step.condition('gate', { when: Condition.gt(e.metric('accuracy'), Value.number(0.5)), then: [Step.script('ship', { code, entry: 'record.sh' })] }));

  const report = await run(p);

  expect(report.status).toBe(RunStatus.FAILED);
  expect(report.error).toMatch(/^step 'evaluate' exited with code 1 \(the step declares metrics \['accuracy'\] but wrote no metrics file at .*metrics\.json; write them as JSON/);
  expect(report.steps.map((s) => s.state)).toEqual(['failed', 'pending', 'pending']);
});

test('retries a failing step with growing waits, and reports the attempts', async () => {
  const counter = path.join(tmp.dir, 'counter');
  const p = new Pipeline('retry');
  p.addStep(Step.script('flaky', { code, entry: 'flaky.sh', env: { COUNTER_FILE: counter, FAIL_TIMES: '2' }, retry: RetryPolicy.of({ maxRetries: 2, intervalSeconds: 0.2, backoffRate: 3 }) }));

  const report = await run(p);

  expect(report.status).toBe(RunStatus.SUCCEEDED);
  expect(report.steps[0].attempts).toBe(3);
  expect(report.steps[0].logs.map((l) => path.basename(l))).toEqual(['attempt-1.log', 'attempt-2.log', 'attempt-3.log']);
  expect(fs.readFileSync(report.steps[0].logs[0], 'utf8')).toContain('flaky: failing on attempt 1');
  const times = fs.readFileSync(`${counter}.times`, 'utf8').trim().split('\n').map((l) => Number(l.split(' ')[3]));
  // Waits of 0.2 s, then 0.2 * 3 = 0.6 s (lower bounds: a wait is never shorter).
  expect(times[1] - times[0]).toBeGreaterThanOrEqual(0.2);
  expect(times[2] - times[1]).toBeGreaterThanOrEqual(0.6);
});

test('a step that keeps failing fails the run after its retries, with the last log lines', async () => {
  const p = new Pipeline('fails');
  const bad = Step.script('noisy', { code, entry: 'noisy-fail.sh', retry: RetryPolicy.of({ maxRetries: 1, intervalSeconds: 0 }) });
  p.addStep(bad, Step.script('later', { code, entry: 'record.sh', dependsOn: [bad] }));

  const report = await run(p);

  expect(report.status).toBe(RunStatus.FAILED);
  expect(report.error).toBe("step 'noisy' exited with code 3 after 2 attempts");
  const step = report.steps[0];
  expect(step.state).toBe(TaskState.FAILED);
  expect(step.attempts).toBe(2);
  expect(step.logTail).toHaveLength(20);
  expect(step.logTail![0]).toBe('line 12 of the noisy step');
  expect(step.logTail![18]).toBe('line 30 of the noisy step');
  expect(step.logTail![19]).toBe('[mlops] noisy-fail.sh failed with exit status 3');
  expect(report.steps[1].state).toBe(TaskState.PENDING);
  // Failed attempts leave logs, never outputs.
  expect(fs.readdirSync(path.join(report.runDir, 'steps', 'noisy')).sort()).toEqual(['logs', 'state.json']);
});

test('a step that runs past its timeout is stopped with everything it started', async () => {
  const p = new Pipeline('timeout');
  p.addStep(Step.script('slow', { code, entry: 'record.sh', env: { SLEEP_SECONDS: '30' }, timeoutSeconds: 1 }));

  const report = await run(p);

  expect(report.status).toBe(RunStatus.FAILED);
  expect(report.error).toBe("step 'slow' timed out after 1s");
  const started = readFixtureLog(log).find((e) => e.event === 'start')!;
  expect(isProcessAlive(started.pid)).toBe(false);
  expect(report.steps[0].logTail!.join('\n')).toContain('ran longer than its timeout of 1s');
});

test('a step ends with its main process: what it left running is stopped, and the run does not wait for it', async () => {
  const pidFile = path.join(tmp.dir, 'bg.pid');
  const p = new Pipeline('background');
  p.addStep(Step.script('leaves-a-process', { code, entry: 'background.sh', env: { BG_PID_FILE: pidFile } }));
  // Were the run to wait for the 300 s sleep, the test would exceed its timeout.
  const report = await run(p);
  expect(report.status).toBe(RunStatus.SUCCEEDED);
  expect(isProcessAlive(Number(fs.readFileSync(pidFile, 'utf8')))).toBe(false);
});

test('a register-model step copies the model into a versioned registry entry with the run metrics', async () => {
  const p = new Pipeline('reg');
  const fit = Step.training('fit', { code, entry: 'record.sh', metrics: ['loss'], env: { METRICS_JSON: '{"loss": 0.25}' } });
  p.addStep(fit, Step.registerModel('register', { model: fit.model(), group: 'test-models' }));

  const first = await run(p);
  const second = await run(p);

  expect(first.steps[1].registered).toEqual({ group: 'test-models', version: 1, path: path.join(tmp.dir, 'registry', 'test-models', '1') });
  expect(second.steps[1].registered!.version).toBe(2);
  const versions = new LocalModelRegistry(path.join(tmp.dir, 'registry')).versions('test-models');
  expect(versions.map((v) => v.version)).toEqual([1, 2]);
  expect(versions[0].metadata).toEqual(expect.objectContaining({
    version: 1,
    group: 'test-models',
    pipeline: 'reg',
    sourceRun: first.runId,
    sourceStep: 'fit',
    registeredBy: 'register',
    approvalStatus: 'PendingManualApproval',
    metrics: { fit: { loss: 0.25 } },
  }));
  expect(fs.readFileSync(path.join(versions[0].path, 'model', 'model.txt'), 'utf8')).toBe('model by fit\n');
});

test('bad parameters are refused before anything runs', async () => {
  const p = new Pipeline('params', { parameters: { n: Parameter.integer(1) } });
  p.addStep(Step.script('a', { code, entry: 'record.sh' }));
  await expect(run(p, { parameters: { n: '1.5' } })).rejects.toThrow("Pipeline 'params': parameter 'n': 1.5 is not an integer; give an integer, e.g. n=1");
  await expect(run(p, { parameters: { m: '1' } })).rejects.toThrow("unknown parameter 'm' (defined: 'n')");
  expect(fs.existsSync(path.join(tmp.dir, 'runs'))).toBe(false);
});
