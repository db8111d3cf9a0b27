import * as fs from 'fs';
import * as path from 'path';
import { Parameter, Pipeline, Step } from '../../lib';
import { runLocally, RunStatus } from '../../lib/local';
import { processStartTicks } from '../../lib/local/lock';
import { fixtureCode as code, readFixtureLog, stateDirs, tempDir } from '../support/local/fixtures';

let tmp: { dir: string; cleanup: () => void };
let log: string;
beforeEach(() => {
  tmp = tempDir('rundir');
  log = path.join(tmp.dir, 'fixture.log');
});
afterEach(() => tmp.cleanup());

function pipeline(): Pipeline {
  const p = new Pipeline('two');
  const a = Step.script('a', { code, entry: 'record.sh', outputs: ['data'], env: { CONTENT: 'fresh' } });
  p.addStep(a, Step.script('b', { code, entry: 'copy-input.sh', inputs: { data: a.output('data') }, outputs: ['data'] }));
  return p;
}

const run = (options: Parameters<typeof runLocally>[1] = {}) => runLocally(pipeline(), { ...stateDirs(tmp.dir), env: { ...process.env, FIXTURE_LOG: log }, ...options });

test('a run directory holds run.json, state.json, and per step its logs and result; no temporary files stay', async () => {
  const report = await run();
  const files: string[] = [];
  const walk = (dir: string, rel = '') => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        walk(path.join(dir, e.name), r);
      } else {
        files.push(r);
      }
    }
  };
  walk(report.runDir);
  expect(files.sort()).toEqual([
    'run.json',
    'state.json',
    'steps/a/logs/attempt-1.log',
    'steps/a/result/outputs/data/data.txt',
    'steps/a/state.json',
    'steps/b/logs/attempt-1.log',
    'steps/b/result/outputs/data/data.txt',
    'steps/b/state.json',
  ]);
  const info = JSON.parse(fs.readFileSync(path.join(report.runDir, 'run.json'), 'utf8'));
  expect(info).toEqual({ format: 'mlops-local-run/1', runId: report.runId, pipeline: 'two', createdAt: expect.any(String), parameters: {}, cacheMode: 'policy', steps: ['a', 'b'] });
  expect(report.runId).toMatch(/^\d{8}-\d{6}-[0-9a-f]{6}$/);
  expect(path.basename(report.runDir)).toBe(report.runId);
});

test('a result directory that state.json does not call succeeded is not trusted on resume', async () => {
  const first = await run();
  // As after a crash between renaming b's result into place and recording it: the state says running.
  const stateFile = path.join(first.runDir, 'state.json');
  fs.writeFileSync(stateFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(stateFile, 'utf8')), status: 'running' }));
  const bFile = path.join(first.runDir, 'steps', 'b', 'state.json');
  fs.writeFileSync(bFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(bFile, 'utf8')), state: 'running' }));
  fs.writeFileSync(path.join(first.runDir, 'steps', 'b', 'result', 'outputs', 'data', 'data.txt'), 'half-written');
  fs.mkdirSync(path.join(first.runDir, 'steps', 'b', '.tmp-attempt-2-1-abcd'));
  fs.writeFileSync(path.join(first.runDir, 'steps', 'b', '.tmp-state.json-1-abcd'), '{"half');

  const resumed = await run({ resume: first.runId });

  expect(resumed.status).toBe(RunStatus.SUCCEEDED);
  expect(resumed.steps.map((s) => [s.name, s.attempts])).toEqual([['a', 1], ['b', 2]]);
  expect(fs.readFileSync(path.join(resumed.steps[1].outputs!.data, 'data.txt'), 'utf8')).toBe('a fresh\nthen b\n');
  expect(fs.readdirSync(path.join(first.runDir, 'steps', 'b')).sort()).toEqual(['logs', 'result', 'state.json']);
  expect(readFixtureLog(log).map((e) => `${e.step} ${e.event}`)).toEqual(['a start', 'a end', 'b ran', 'b ran']);
});

test('a succeeded step whose result vanished runs again on resume', async () => {
  const first = await run();
  const stateFile = path.join(first.runDir, 'state.json');
  fs.writeFileSync(stateFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(stateFile, 'utf8')), status: 'failed' }));
  fs.rmSync(path.join(first.runDir, 'steps', 'a', 'result'), { recursive: true });
  const notices: string[] = [];
  const resumed = await run({ resume: first.runId, reporter: { notice: (m) => notices.push(m), runStarted: () => {}, stepChanged: () => {}, stepOutput: () => {}, runFinished: () => {} } });
  expect(resumed.status).toBe(RunStatus.SUCCEEDED);
  expect(notices).toEqual(["step 'a' was recorded as finished but its result directory is missing; it runs again"]);
  expect(resumed.steps[0].attempts).toBe(2);
});

test('resuming a run that already succeeded changes nothing', async () => {
  const first = await run();
  const stateBefore = fs.readFileSync(path.join(first.runDir, 'state.json'), 'utf8');
  const resumed = await run({ resume: first.runId });
  expect(resumed.status).toBe(RunStatus.SUCCEEDED);
  expect(resumed.resumes).toBe(0);
  expect(resumed.durationMs).toBe(Date.parse(first.finishedAt!) - Date.parse(first.startedAt));
  expect(fs.readFileSync(path.join(first.runDir, 'state.json'), 'utf8')).toBe(stateBefore);
  expect(readFixtureLog(log)).toHaveLength(3);
});

test('a run that a live process holds cannot be resumed at the same time', async () => {
  const first = await run();
  const lock = path.join(first.runDir, 'lock');
  fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, startTicks: processStartTicks(process.pid), purpose: 'test', since: '2026-01-01T00:00:00Z' }));
  await expect(run({ resume: first.runId })).rejects.toThrow(`run '${first.runId}' is being run right now by process ${process.pid} (since 2026-01-01T00:00:00Z)`);
  // A lock left by a dead process is taken over.
  fs.writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 17, purpose: 'test', since: '2026-01-01T00:00:00Z' }));
  expect((await run({ resume: first.runId })).status).toBe(RunStatus.SUCCEEDED);
  expect(fs.existsSync(lock)).toBe(false);
});

test('a run that was started with other steps cannot be resumed with this pipeline', async () => {
  const first = await run();
  const info = path.join(first.runDir, 'run.json');
  fs.writeFileSync(info, JSON.stringify({ ...JSON.parse(fs.readFileSync(info, 'utf8')), steps: ['a', 'b', 'c'] }));
  await expect(run({ resume: first.runId })).rejects.toThrow(`run '${first.runId}' was started with steps 'a', 'b', 'c'; pipeline 'two' now has 'a', 'b', so its results do not fit`);
});

test('a forEach step whose item failed reruns only that item on resume', async () => {
  const p = new Pipeline('fan');
  const each = Step.script('each', { code, entry: 'fail-on-item.sh', forEach: ['a', 'b', 'c'], outputs: ['data'] });
  p.addStep(each, Step.script('after', { code, entry: 'record.sh', dependsOn: [each] }));
  const options = { ...stateDirs(tmp.dir), maxParallel: 1 };

  const failed = await runLocally(p, { ...options, env: { ...process.env, FIXTURE_LOG: log, FAIL_ITEM: 'b' } });
  expect(failed.status).toBe(RunStatus.FAILED);
  expect(failed.error).toBe("step 'each' (item 'b') exited with code 5");
  expect(failed.steps[0].items!.map((i) => i.state)).toEqual(['succeeded', 'failed', 'pending']);

  const resumed = await runLocally(p, { ...options, resume: failed.runId, env: { ...process.env, FIXTURE_LOG: log, FAIL_ITEM: 'none' } });
  expect(resumed.status).toBe(RunStatus.SUCCEEDED);
  expect(resumed.steps[0].items!.map((i) => [i.item, i.state, i.attempts])).toEqual([['a', 'succeeded', 1], ['b', 'succeeded', 2], ['c', 'succeeded', 1]]);
  expect(readFixtureLog(log).map((e) => `${e.step} ${e.event}`)).toEqual(['each[a] ran', 'each[b] ran', 'each[b] ran', 'each[c] ran', 'after start', 'after end']);
});

test('a resume runs with the parameters the run started with, also those without a default', async () => {
  const p = new Pipeline('required', { parameters: { who: Parameter.string() } });
  const gate = Step.script('gate', { code, entry: 'fail-on-item.sh', forEach: ['x'], outputs: ['data'] });
  p.addStep(gate, Step.script('greet', { code, entry: 'contract.py', params: { who: p.parameter('who') }, outputs: ['seen'], dependsOn: [gate] }));
  const options = { ...stateDirs(tmp.dir) };
  const failed = await runLocally(p, { ...options, parameters: { who: 'ada' }, env: { ...process.env, FIXTURE_LOG: log, FAIL_ITEM: 'x' } });
  expect(failed.status).toBe(RunStatus.FAILED);
  const resumed = await runLocally(p, { ...options, resume: failed.runId, env: { ...process.env, FIXTURE_LOG: log, FAIL_ITEM: 'none' } });
  expect(resumed.status).toBe(RunStatus.SUCCEEDED);
  expect(resumed.parameters).toEqual({ who: 'ada' });
  const seen = JSON.parse(fs.readFileSync(path.join(resumed.steps[1].outputs!.seen, 'seen.json'), 'utf8'));
  expect(seen.env.MLOPS_PARAM_WHO).toBe('ada');
});
