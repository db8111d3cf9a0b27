import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { PlannedStep, RunDirectory, RunStatus, StepRecord, TaskState } from '../../lib/local';
import { prepareResume } from '../../lib/local/resume';
import { isProcessAlive, tempDir, waitFor } from '../support/local/fixtures';

/**
 * prepareResume on its own: which records a resume trusts, which it sets back to pending and
 * what it clears, told by the state files it leaves on disk (what the resumed runner reads).
 */

let tmp: { dir: string; cleanup: () => void };
let run: RunDirectory;
const children: number[] = [];
beforeEach(() => {
  tmp = tempDir('resume');
});
afterEach(() => {
  run?.unlock();
  for (const pid of children.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already stopped
    }
  }
  tmp.cleanup();
});

const processStep = (name: string): PlannedStep => ({ name, handler: { runsAs: 'process' } }) as unknown as PlannedStep;
const inlineStep = (name: string): PlannedStep => ({ name, handler: { runsAs: 'inline' } }) as unknown as PlannedStep;

/** A run of `records` (by step name), its state saved as the runner would have left it. */
function runOf(records: { [step: string]: Partial<StepRecord> }, status = RunStatus.FAILED): RunDirectory {
  const steps = Object.fromEntries(Object.entries(records).map(([name, r]) => [name, { kind: 'script', state: TaskState.PENDING, attempts: 0, ...r } as StepRecord]));
  run = RunDirectory.create(path.join(tmp.dir, 'runs'), { pipeline: 'p', parameters: {}, cacheMode: 'policy', steps: Object.keys(steps) }, steps);
  run.state.status = status;
  run.state.error = 'step b failed';
  run.state.finishedAt = new Date().toISOString();
  run.save();
  return run;
}

function withResult(step: string, item?: number): void {
  fs.mkdirSync(path.join(run.resultDir(step, item), 'outputs', 'data'), { recursive: true });
}

const onDisk = (step: string) => JSON.parse(fs.readFileSync(path.join(run.directory, 'steps', step, 'state.json'), 'utf8')) as StepRecord;
const runOnDisk = () => JSON.parse(fs.readFileSync(path.join(run.directory, 'state.json'), 'utf8'));

test('finished steps with their results are kept as they are; the others are set back to pending, cleared', () => {
  runOf({
    done: { state: TaskState.SUCCEEDED, attempts: 2, metrics: { score: 1 }, detail: 'after 2 attempts', cacheKey: 'k1' },
    cached: { state: TaskState.CACHED, attempts: 0, detail: 'result of run x' },
    failed: { state: TaskState.FAILED, attempts: 3, error: 'exited with code 1', logTail: ['boom'], detail: 'after 3 attempts', metrics: { score: 0 } },
    running: { state: TaskState.RUNNING, attempts: 1, pid: 2 ** 22 + 1, detail: 'attempt 1/2' },
  });
  withResult('done');
  withResult('cached');
  withResult('failed');
  const notices = prepareResume(run, ['done', 'cached', 'failed', 'running'].map(processStep));
  expect(notices).toEqual([]);
  expect(onDisk('done')).toEqual({ kind: 'script', state: 'succeeded', attempts: 2, metrics: { score: 1 }, detail: 'after 2 attempts', cacheKey: 'k1' });
  expect(onDisk('cached')).toEqual({ kind: 'script', state: 'cached', attempts: 0, detail: 'result of run x' });
  // Attempts and metrics stay (log files are numbered by attempts); the reasons of the last end go.
  expect(onDisk('failed')).toEqual({ kind: 'script', state: 'pending', attempts: 3, metrics: { score: 0 } });
  expect(onDisk('running')).toEqual({ kind: 'script', state: 'pending', attempts: 1 });
});

test('the run is set running again, its resumes counted, its error and end cleared', () => {
  runOf({ a: { state: TaskState.FAILED } });
  const before = runOnDisk();
  expect(before).toEqual(expect.objectContaining({ status: 'failed', error: 'step b failed', resumes: 0 }));
  prepareResume(run, [processStep('a')]);
  const after = runOnDisk();
  expect(after.status).toBe('running');
  expect(after.resumes).toBe(1);
  expect(after).not.toHaveProperty('error');
  expect(after).not.toHaveProperty('finishedAt');
  expect(run.state.resumes).toBe(1);
  prepareResume(run, [processStep('a')]);
  expect(runOnDisk().resumes).toBe(2);
});

test('a run that already succeeded is left as it is: nothing is saved, nothing reset', () => {
  runOf({ a: { state: TaskState.SUCCEEDED } }, RunStatus.SUCCEEDED);
  const stateBefore = fs.readFileSync(path.join(run.directory, 'state.json'), 'utf8');
  // Its result is gone, which would make a resume rerun it: a succeeded run is not resumed at all.
  const notices = prepareResume(run, [processStep('a')]);
  expect(notices).toEqual([`run ${run.runId} already succeeded; there is nothing to resume`]);
  expect(fs.readFileSync(path.join(run.directory, 'state.json'), 'utf8')).toBe(stateBefore);
  expect(run.state.resumes).toBe(0);
  expect(onDisk('a').state).toBe('succeeded');
});

test('a finished process step whose result is missing runs again, with a notice; skipped and inline steps have none to miss', () => {
  runOf({
    lost: { state: TaskState.SUCCEEDED, attempts: 1, detail: 'kept?', outcome: 'then' },
    lostCached: { state: TaskState.CACHED },
    skipped: { state: TaskState.SKIPPED },
    decided: { state: TaskState.SUCCEEDED, outcome: 'then' },
    registered: { state: TaskState.SUCCEEDED, registered: { group: 'g', version: 1, path: '/r/g/1' } },
  });
  const notices = prepareResume(run, [processStep('lost'), processStep('lostCached'), processStep('skipped'), inlineStep('decided'), inlineStep('registered')]);
  expect(notices).toEqual([
    "step 'lost' was recorded as finished but its result directory is missing; it runs again",
    "step 'lostCached' was recorded as finished but its result directory is missing; it runs again",
  ]);
  expect(onDisk('lost')).toEqual({ kind: 'script', state: 'pending', attempts: 1 });
  expect(onDisk('lostCached').state).toBe('pending');
  expect(onDisk('skipped').state).toBe('skipped');
  expect(onDisk('decided')).toEqual(expect.objectContaining({ state: 'succeeded', outcome: 'then' }));
  expect(onDisk('registered').registered).toEqual({ group: 'g', version: 1, path: '/r/g/1' });
});

test('an unfinished inline step loses its outcome and registration, so it decides again', () => {
  runOf({
    gate: { state: TaskState.FAILED, outcome: 'otherwise', error: 'no metric' },
    register: { state: TaskState.RUNNING, registered: { group: 'g', version: 2, path: '/r/g/2' } },
  });
  prepareResume(run, [inlineStep('gate'), inlineStep('register')]);
  expect(onDisk('gate')).toEqual({ kind: 'script', state: 'pending', attempts: 0 });
  expect(onDisk('register')).toEqual({ kind: 'script', state: 'pending', attempts: 0 });
});

describe('forEach items', () => {
  const item = (state: TaskState, extra: object = {}) => ({ state, attempts: 1, ...extra });

  test('of an unfinished step: finished items with a result are kept, the others reset', () => {
    runOf({
      fan: {
        state: TaskState.FAILED,
        error: "item 'c': exited with code 1",
        items: [
          item(TaskState.SUCCEEDED, { item: 'a', metrics: { n: 1 } }),
          item(TaskState.CACHED, { item: 'b' }),
          item(TaskState.FAILED, { item: 'c', error: 'exited with code 1', logTail: ['x'], detail: 'after 1 attempts' }),
          item(TaskState.SUCCEEDED, { item: 'd' }),
          item(TaskState.RUNNING, { item: 'e', pid: 2 ** 22 + 3 }),
        ] as StepRecord['items'],
      },
    });
    withResult('fan', 0);
    withResult('fan', 1);
    withResult('fan', 2);
    expect(prepareResume(run, [processStep('fan')])).toEqual([]);
    const fan = onDisk('fan');
    expect(fan.state).toBe('pending');
    expect(fan.error).toBeUndefined();
    expect(fan.items).toEqual([
      { state: 'succeeded', attempts: 1, item: 'a', metrics: { n: 1 } },
      { state: 'cached', attempts: 1, item: 'b' },
      { state: 'pending', attempts: 1, item: 'c' },
      { state: 'pending', attempts: 1, item: 'd' }, // succeeded, but its result is gone
      { state: 'pending', attempts: 1, item: 'e' },
    ]);
  });

  test('of a finished step: an item whose result is missing sets the step back to pending, with a notice', () => {
    runOf({
      fan: { state: TaskState.SUCCEEDED, items: [item(TaskState.SUCCEEDED, { item: 'a' }), item(TaskState.SUCCEEDED, { item: 'b' })] as StepRecord['items'] },
      whole: { state: TaskState.CACHED, items: [item(TaskState.CACHED, { item: 'x' })] as StepRecord['items'] },
    });
    withResult('fan', 0);
    withResult('whole', 0);
    expect(prepareResume(run, [processStep('fan'), processStep('whole')])).toEqual([
      "step 'fan' was recorded as finished but the result directory of item 1 ('b') is missing; the items without a result run again",
    ]);
    expect(onDisk('fan').state).toBe('pending');
    expect(onDisk('fan').items!.map((i) => i.state)).toEqual(['succeeded', 'pending']);
    expect(onDisk('whole').state).toBe('cached');
  });

  test('the first item counts too: a finished step whose item 0 lost its result runs that item again', () => {
    runOf({ fan: { state: TaskState.SUCCEEDED, items: [item(TaskState.SUCCEEDED, { item: 'a' }), item(TaskState.SUCCEEDED, { item: 'b' })] as StepRecord['items'] } });
    withResult('fan', 1);
    expect(prepareResume(run, [processStep('fan')])).toEqual([
      "step 'fan' was recorded as finished but the result directory of item 0 ('a') is missing; the items without a result run again",
    ]);
    expect(onDisk('fan').items!.map((i) => i.state)).toEqual(['pending', 'succeeded']);
  });

  test('skipped items have no result to miss', () => {
    runOf({
      fan: { state: TaskState.FAILED, items: [item(TaskState.SKIPPED, { item: 'a' }), item(TaskState.FAILED, { item: 'b' })] as StepRecord['items'] },
      done: { state: TaskState.SUCCEEDED, items: [item(TaskState.SKIPPED, { item: 'a' }), item(TaskState.SUCCEEDED, { item: 'b' })] as StepRecord['items'] },
    });
    withResult('done', 1);
    expect(prepareResume(run, [processStep('fan'), processStep('done')])).toEqual([]);
    expect(onDisk('fan').items!.map((i) => i.state)).toEqual(['skipped', 'pending']);
    expect(onDisk('done').state).toBe('succeeded');
    expect(onDisk('done').items!.map((i) => i.state)).toEqual(['skipped', 'succeeded']);
  });
});

describe('processes a killed runner left behind', () => {
  function orphan(env: NodeJS.ProcessEnv): number {
    const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore', env: { ...process.env, ...env } });
    child.unref();
    children.push(child.pid!);
    return child.pid!;
  }

  /** The pids in process group `pgid` (field 5 of /proc/<pid>/stat). */
  function groupMembers(pgid: number): number[] {
    return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((pid) => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2] === String(pgid);
      } catch {
        return false;
      }
    }).map(Number);
  }

  test('the whole group is stopped with SIGKILL: a script that ignores SIGTERM and the processes it started', async () => {
    runOf({ a: { state: TaskState.RUNNING } });
    const child = spawn('sh', ['-c', 'trap "" TERM; sleep 60 & wait'], { detached: true, stdio: 'ignore', env: { ...process.env, MLOPS_RUN_ID: run.runId } });
    child.unref();
    children.push(child.pid!);
    await waitFor('the script and its sleep', () => groupMembers(child.pid!).length === 2);
    const members = groupMembers(child.pid!);
    run.state.steps.a.pid = child.pid;
    prepareResume(run, [processStep('a')]);
    await waitFor('the group to be stopped', () => members.every((pid) => !isProcessAlive(pid)), 5000);
  });

  test("a running record's process (and its group) is stopped when its environment names this run", async () => {
    runOf({ a: { state: TaskState.RUNNING }, fan: { state: TaskState.RUNNING, items: [{ state: TaskState.RUNNING, attempts: 1, item: 'x' }] } });
    const mine = orphan({ MLOPS_RUN_ID: run.runId });
    const myItem = orphan({ MLOPS_RUN_ID: run.runId });
    run.state.steps.a.pid = mine;
    run.state.steps.fan.items![0].pid = myItem;
    await waitFor('the orphans to start', () => fs.readFileSync(`/proc/${mine}/environ`, 'utf8').includes('MLOPS_RUN_ID') && fs.readFileSync(`/proc/${myItem}/environ`, 'utf8').includes('MLOPS_RUN_ID'));
    prepareResume(run, [processStep('a'), processStep('fan')]);
    await waitFor('the orphans to be stopped', () => !isProcessAlive(mine) && !isProcessAlive(myItem), 5000);
    expect(onDisk('a').pid).toBeUndefined();
  });

  test("a pid reused by another process, or one of another run, or of a record that is not running, is not touched", async () => {
    runOf({ a: { state: TaskState.RUNNING }, b: { state: TaskState.FAILED }, c: { state: TaskState.RUNNING } });
    const stranger = orphan({ MLOPS_RUN_ID: 'another-run' });
    const unrelated = orphan({});
    const finished = orphan({ MLOPS_RUN_ID: run.runId });
    run.state.steps.a.pid = stranger;
    run.state.steps.c.pid = unrelated;
    run.state.steps.b.pid = finished;
    await waitFor('the processes to start', () => [stranger, unrelated, finished].every((pid) => fs.existsSync(`/proc/${pid}/environ`) && fs.readFileSync(`/proc/${pid}/environ`, 'utf8').length > 0));
    prepareResume(run, ['a', 'b', 'c'].map(processStep));
    await new Promise((r) => setTimeout(r, 200));
    expect([stranger, unrelated, finished].map(isProcessAlive)).toEqual([true, true, true]);
  });
});
