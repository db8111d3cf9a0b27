import * as fs from 'fs';
import * as path from 'path';
import { Code, Pipeline, Step } from '../../lib';
import { DiskFullError, runLocally, RunReport } from '../../lib/local';
import { FIXTURE_STEPS, readFixtureLog, stateDirs, tempDir } from '../support/local/fixtures';
import { clearFaults, errno, injectFault } from '../support/local/fs-faults';

jest.mock('fs', () => require('../support/local/fs-faults').faultyFs());

let tmp: { dir: string; cleanup: () => void };
let log: string;
let runsDir: string;
beforeEach(() => {
  tmp = tempDir('disk-full');
  log = path.join(tmp.dir, 'fixture.log');
  runsDir = path.join(tmp.dir, 'runs');
});
afterEach(() => {
  clearFaults();
  tmp.cleanup();
});

/** a -> b -> c, no cache. */
function build(): Pipeline {
  const code = Code.fromDirectory(FIXTURE_STEPS);
  const p = new Pipeline('full');
  const a = Step.script('a', { code, entry: 'record.sh', outputs: ['data'] });
  const b = Step.script('b', { code, entry: 'copy-input.sh', inputs: { data: a.output('data') }, outputs: ['data'] });
  const c = Step.script('c', { code, entry: 'copy-input.sh', inputs: { data: b.output('data') }, outputs: ['data'] });
  p.addStep(a, b, c);
  return p;
}

function run(options: Parameters<typeof runLocally>[1] = {}): Promise<RunReport> {
  return runLocally(build(), { ...stateDirs(tmp.dir), env: { ...process.env, FIXTURE_LOG: log }, ...options });
}

const executions = () => readFixtureLog(log).filter((e) => e.event === 'start' || e.event === 'ran').map((e) => e.step);
const states = (r: RunReport) => r.steps.map((s) => s.state);
/** Fails every write of a file whose path matches `where`. */
const fullFor = (where: RegExp) =>
  injectFault((call, args) => (['writeFileSync', 'mkdirSync', 'openSync'].includes(call) && where.test(String(args[0])) ? errno('ENOSPC', call === 'mkdirSync' ? 'mkdir' : 'open', args[0]) : undefined));

async function startError(): Promise<DiskFullError> {
  try {
    await run();
  } catch (e) {
    if (e instanceof DiskFullError) {
      return e;
    }
    throw e;
  }
  throw new Error('the run started');
}

test('a disk that fills while a new run writes its step states: the run is resumable and the resume runs everything', async () => {
  fullFor(/steps\/b\//);
  const error = await startError();
  expect(error.runId).toMatch(/^\d{8}-\d{6}-[0-9a-f]{6}$/);
  expect(error.message).toMatch(new RegExp(`^the disk is full: run '${error.runId}' could not be started \\(open ${runsDir}/${error.runId}/steps/b/\\.tmp-state\\.json-[^ ]+ failed \\(ENOSPC: no space left on device\\)\\); its directory ${runsDir}/${error.runId} is kept, and the run can be resumed\\n`));
  expect(error.fix).toBe(`free space on the file system that holds ${runsDir} (df -h ${runsDir}) and resume the run, or start a new run with --runs-dir on a disk with room`);
  const dir = path.join(runsDir, error.runId!);
  expect(fs.readdirSync(dir).sort()).toEqual(['run.json', 'steps']); // no state.json, and the lock was released
  expect(executions()).toEqual([]);

  clearFaults();
  const resumed = await run({ resume: error.runId });
  expect(resumed.status).toBe('succeeded');
  expect(states(resumed)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  expect(executions()).toEqual(['a', 'b', 'c']);
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'))).toEqual(expect.objectContaining({ status: 'succeeded', resumes: 1 }));
});

test('a disk too full for run.json leaves no run behind and says nothing can be resumed', async () => {
  fullFor(/run\.json/);
  const error = await startError();
  expect(error.runId).toBeUndefined();
  expect(error.message).toMatch(new RegExp(`^the disk is full: no run could be started in ${runsDir} \\(open ${runsDir}/\\d{8}-\\d{6}-[0-9a-f]{6}/\\.tmp-run\\.json-[^ ]+ failed \\(ENOSPC: no space left on device\\)\\); nothing was written\\n`));
  expect(error.fix).toBe(`free space on the file system that holds ${runsDir} (df -h ${runsDir}), or start the run with --runs-dir on a disk with room`);
  expect(fs.readdirSync(runsDir)).toEqual([]);
  clearFaults();
  expect((await run()).status).toBe('succeeded');
});

test('a runs directory that cannot be created on a full disk is a DiskFullError, not a stack trace', async () => {
  fullFor(/\/runs$/);
  const error = await startError();
  expect(error.runId).toBeUndefined();
  expect(error.message).toContain(`the disk is full: no run could be started in ${runsDir} (mkdir ${runsDir} failed (ENOSPC: no space left on device))`);
});

test('a disk that fills mid-run stops the run with the reason; the resume reruns only what did not finish', async () => {
  // a succeeds; saving b's state as it starts finds the disk full.
  injectFault((call, args) => (call === 'writeFileSync' && /steps\/b\/\.tmp-state\.json/.test(String(args[0])) && fs.existsSync(path.join(String(args[0]), '..', 'result')) === false && executions().includes('a') ? errno('ENOSPC', 'open', args[0]) : undefined));
  const first = await run();
  expect(first.status).toBe('failed');
  expect(first.error).toMatch(new RegExp(`^the disk is full: open ${runsDir}/${first.runId}/steps/b/\\.tmp-state\\.json-[^ ]+ failed \\(ENOSPC: no space left on device\\); the run stopped, and the steps that finished keep their results\\. Free space on the file system that holds ${runsDir} \\(df -h ${runsDir}\\), then resume the run$`));
  expect(states(first)).toEqual(['succeeded', 'pending', 'pending']);
  expect(executions()).toEqual(['a']);

  clearFaults();
  const resumed = await run({ resume: first.runId });
  expect(states(resumed)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  expect(executions()).toEqual(['a', 'b', 'c']);
});

test("a step's log that cannot be written stops the step and the run, which stays resumable", async () => {
  injectFault((call, args) => (call === 'writeSync' && Buffer.isBuffer(args[1]) && String(args[1]).includes('running a') ? errno('ENOSPC', 'write', undefined) : undefined));
  const first = await run();
  expect(first.status).toBe('failed');
  expect(first.error).toContain(`the disk is full: write ${first.runDir}/steps/a/logs/attempt-1.log failed (ENOSPC: no space left on device); the run stopped`);
  expect(states(first)).toEqual(['pending', 'pending', 'pending']);
  // a's half-done attempt left nothing that a resume could trust.
  expect(fs.existsSync(path.join(first.runDir, 'steps', 'a', 'result'))).toBe(false);
  expect(fs.readdirSync(path.join(first.runDir, 'steps', 'a')).filter((f) => f.startsWith('.tmp-'))).toEqual([]);

  clearFaults();
  const resumed = await run({ resume: first.runId });
  expect(states(resumed)).toEqual(['succeeded', 'succeeded', 'succeeded']);
});

test('a disk that is full when the run ends keeps the last states a resume accepts', async () => {
  let saves = 0;
  injectFault((call, args) => (call === 'writeFileSync' && /[/]\.tmp-state\.json/.test(String(args[0])) && executions().includes('c') && ++saves > 1 ? errno('ENOSPC', 'open', args[0]) : undefined));
  const first = await run();
  expect(first.status).toBe('failed');
  expect(first.error).toMatch(/^the disk is full: open .*\.tmp-state\.json-[^ ]+ failed/);
  clearFaults();
  const resumed = await run({ resume: first.runId });
  expect(resumed.status).toBe('succeeded');
  // c's success was saved before the disk filled up (the final saves failed): nothing runs again.
  expect(states(first)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  expect(states(resumed)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  expect(executions()).toEqual(['a', 'b', 'c']);
});
