import * as fs from 'fs';
import * as path from 'path';
import { CachePolicy, Code, Pipeline, Step } from '../../lib';
import { CacheStore, runLocally, RunReport, RunReporter } from '../../lib/local';
import { shareTree } from '../../lib/local/share';
import { FIXTURE_STEPS, readFixtureLog, stateDirs, tempDir } from '../support/local/fixtures';
import { clearFaults, errno, injectFault } from '../support/local/fs-faults';

jest.mock('fs', () => require('../support/local/fs-faults').faultyFs());

let tmp: { dir: string; cleanup: () => void };
let log: string;
let notices: string[];
beforeEach(() => {
  tmp = tempDir('cache-verify');
  log = path.join(tmp.dir, 'fixture.log');
  notices = [];
});
afterEach(() => {
  clearFaults();
  tmp.cleanup();
});

/** produce -> consume, both cached; produce writes outputs/data/data.txt and a model. */
function build(): Pipeline {
  const code = Code.fromDirectory(FIXTURE_STEPS);
  const p = new Pipeline('verified', { defaultCache: CachePolicy.enabled() });
  const produce = Step.script('produce', { code, entry: 'record.sh', outputs: ['data'], metrics: ['score'], env: { METRICS_JSON: '{"score": 1}' } });
  const consume = Step.script('consume', { code, entry: 'copy-input.sh', inputs: { data: produce.output('data') }, outputs: ['data'] });
  p.addStep(produce, consume);
  return p;
}

const reporter: RunReporter = {
  notice: (m) => notices.push(m),
  runStarted: () => {},
  stepChanged: () => {},
  stepOutput: () => {},
  runFinished: () => {},
};

function run(): Promise<RunReport> {
  return runLocally(build(), { ...stateDirs(tmp.dir), env: { ...process.env, FIXTURE_LOG: log }, reporter });
}

const states = (r: RunReport) => r.steps.map((s) => s.state);
const executions = () => readFixtureLog(log).filter((e) => e.event === 'start' || e.event === 'ran').map((e) => e.step);
const producedFile = (r: RunReport) => path.join(r.steps[0].outputs!.data, 'data.txt');
function entryOf(r: RunReport, step: string): string {
  const key = JSON.parse(fs.readFileSync(path.join(r.runDir, 'steps', step, 'state.json'), 'utf8')).cacheKey as string;
  return path.join(tmp.dir, 'cache', 'entries', key);
}

test("a hit shares the entry's files by hard link, read-only, instead of copying them", async () => {
  const first = await run();
  const second = await run();
  expect(states(second)).toEqual(['cached', 'cached']);
  const stored = path.join(entryOf(first, 'produce'), 'result', 'outputs', 'data', 'data.txt');
  const inFirst = fs.statSync(producedFile(first));
  const inSecond = fs.statSync(producedFile(second));
  // One file on disk: the first run's result, the entry and the second run's result.
  expect(inSecond.ino).toBe(fs.statSync(stored).ino);
  expect(inFirst.ino).toBe(inSecond.ino);
  expect(inSecond.nlink).toBe(3);
  expect(inSecond.mode & 0o777).toBe(0o444);
  // Directories are the run's own: a step can add files to its run without touching the cache.
  expect(fs.statSync(second.steps[0].outputs!.data).ino).not.toBe(fs.statSync(path.dirname(stored)).ino);
  expect(fs.readFileSync(producedFile(second), 'utf8')).toBe('produce \n');
  expect(notices).toEqual([]);
});

test('a cached file changed through a link is a miss, reported, and the step runs again', async () => {
  const first = await run();
  // Root ignores the read-only mode, and anyone can chmod it back: write through the link.
  fs.chmodSync(producedFile(first), 0o644);
  fs.writeFileSync(producedFile(first), 'tampered\n');
  const second = await run();
  expect(notices).toEqual(["cache entry for 'produce' was changed since it was stored (outputs/data/data.txt); running the step again"]);
  // produce runs again and writes what it always writes, so consume's key is the same and it hits.
  expect(states(second)).toEqual(['succeeded', 'cached']);
  expect(executions()).toEqual(['produce', 'consume', 'produce']);
  expect(fs.readFileSync(producedFile(second), 'utf8')).toBe('produce \n');
  // The changed entry was replaced by the new result: the third run hits without a notice.
  notices.length = 0;
  expect(states(await run())).toEqual(['cached', 'cached']);
  expect(notices).toEqual([]);
  expect(fs.readFileSync(path.join(entryOf(second, 'produce'), 'result', 'outputs', 'data', 'data.txt'), 'utf8')).toBe('produce \n');
});

test('a same-size change that keeps the mtime is caught by the inode; a touch with the same bytes still hits', async () => {
  const first = await run();
  const file = producedFile(first);
  const { atime, mtime } = fs.statSync(file);
  // Replaced by another file of the same size and mtime (cp -p of other bytes over it).
  const other = path.join(tmp.dir, 'other.txt');
  fs.writeFileSync(other, 'PRODUCE \n');
  fs.utimesSync(other, atime, mtime);
  const entryFile = path.join(entryOf(first, 'produce'), 'result', 'outputs', 'data', 'data.txt');
  fs.renameSync(other, entryFile);
  expect(states(await run())).toEqual(['succeeded', 'cached']);
  expect(notices).toEqual(["cache entry for 'produce' was changed since it was stored (outputs/data/data.txt); running the step again"]);

  notices.length = 0;
  const stored = path.join(entryOf(first, 'produce'), 'result', 'outputs', 'data', 'data.txt');
  fs.utimesSync(stored, new Date(), new Date(Date.now() + 60_000));
  expect(states(await run())).toEqual(['cached', 'cached']);
  expect(notices).toEqual([]);
});

test('a partial entry (a file or the whole result removed) and an added file are misses, each reported', async () => {
  const first = await run();
  const result = path.join(entryOf(first, 'produce'), 'result');
  fs.rmSync(path.join(result, 'outputs', 'data', 'data.txt'));
  expect(states(await run())).toEqual(['succeeded', 'cached']);
  expect(notices).toEqual(["cache entry for 'produce' was changed since it was stored (outputs/data/data.txt is missing); running the step again"]);

  notices.length = 0;
  fs.writeFileSync(path.join(result, 'outputs', 'data', 'extra.txt'), 'x');
  expect(states(await run())).toEqual(['succeeded', 'cached']);
  expect(notices).toEqual(["cache entry for 'produce' was changed since it was stored (outputs/data/extra.txt was added); running the step again"]);

  notices.length = 0;
  fs.rmSync(result, { recursive: true });
  expect(states(await run())).toEqual(['succeeded', 'cached']);
  expect(notices).toEqual(["cache entry for 'produce' is incomplete (its result/ directory is missing); running the step again"]);

  notices.length = 0;
  fs.writeFileSync(path.join(entryOf(first, 'produce'), 'entry.json'), '{"half');
  expect(states(await run())).toEqual(['succeeded', 'cached']);
  expect(notices).toEqual([expect.stringMatching(/^cache entry for 'produce' is unreadable \(.*entry\.json is not valid JSON .*\); running the step again$/)]);
});

test('across devices (link fails with EXDEV) the result is copied, and the hit is still verified', async () => {
  const first = await run();
  let refused = 0;
  injectFault((call, args) => (call === 'linkSync' ? (refused++, errno('EXDEV', 'link', args[0])) : undefined));
  const second = await run();
  expect(refused).toBeGreaterThan(0);
  expect(states(second)).toEqual(['cached', 'cached']);
  expect(fs.statSync(producedFile(second)).ino).not.toBe(fs.statSync(producedFile(first)).ino);
  expect(fs.readFileSync(producedFile(second), 'utf8')).toBe('produce \n');
});

test('shareTree links files, recreates symlinks as they are, keeps executable bits, and counts what it copied', () => {
  const source = path.join(tmp.dir, 'source');
  fs.mkdirSync(path.join(source, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(source, 'sub', 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
  fs.writeFileSync(path.join(source, 'data.txt'), 'data');
  fs.symlinkSync('sub/run.sh', path.join(source, 'latest'));
  expect(shareTree(source, path.join(tmp.dir, 'linked'), { readOnly: true })).toEqual({ linked: 2, copied: 0 });
  expect(fs.statSync(path.join(source, 'sub', 'run.sh')).mode & 0o777).toBe(0o555);
  expect(fs.statSync(path.join(tmp.dir, 'linked', 'data.txt')).mode & 0o777).toBe(0o444);
  expect(fs.readlinkSync(path.join(tmp.dir, 'linked', 'latest'))).toBe('sub/run.sh');

  injectFault((call, args) => (call === 'linkSync' ? errno('EMLINK', 'link', args[0]) : undefined));
  expect(shareTree(source, path.join(tmp.dir, 'copied'), { readOnly: true })).toEqual({ linked: 0, copied: 2 });
  expect(fs.readFileSync(path.join(tmp.dir, 'copied', 'sub', 'run.sh'), 'utf8')).toBe('#!/bin/sh\n');
  injectFault((call, args) => (call === 'linkSync' ? errno('EACCES', 'link', args[0]) : undefined));
  expect(() => shareTree(source, path.join(tmp.dir, 'refused'), { readOnly: false })).toThrow('EACCES');
});

test('CacheStore.check says why an existing entry is not served; an expired one is a plain miss', async () => {
  const first = await run();
  const store = new CacheStore(path.join(tmp.dir, 'cache'));
  const key = path.basename(entryOf(first, 'produce'));
  expect(store.check(key, undefined).hit?.metadata.step).toBe('produce');
  expect(store.check('0'.repeat(64), undefined)).toEqual({});
  expect(store.check(key, 1, Date.now() + 2 * 3600_000)).toEqual({});
  fs.rmSync(path.join(entryOf(first, 'produce'), 'result', 'metrics.json'));
  expect(store.check(key, undefined)).toEqual({ rejected: 'was changed since it was stored (metrics.json is missing)' });
  expect(store.lookup(key, undefined)).toBeUndefined();
});
