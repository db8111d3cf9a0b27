import * as fs from 'fs';
import * as path from 'path';
import { CachePolicy, Code, Parameter, Pipeline, Step } from '../../lib';
import { CacheMode, CacheStore, runLocally, RunReport } from '../../lib/local';
import { FIXTURE_STEPS, readFixtureLog, stateDirs, tempDir } from '../support/local/fixtures';

let tmp: { dir: string; cleanup: () => void };
let log: string;
let codeDir: string;
beforeEach(() => {
  tmp = tempDir('cache');
  log = path.join(tmp.dir, 'fixture.log');
  codeDir = path.join(tmp.dir, 'code');
  fs.cpSync(FIXTURE_STEPS, codeDir, { recursive: true });
});
afterEach(() => tmp.cleanup());

/** produce (reads param 'content') -> consume; both cached; 'unused' is a parameter neither reads. */
function build(options: { cache?: CachePolicy; exclude?: string[]; produceCache?: CachePolicy; produceContent?: string } = {}): Pipeline {
  const code = Code.fromDirectory(codeDir, { exclude: options.exclude });
  const p = new Pipeline('cached', {
    parameters: { content: Parameter.string('v1'), unused: Parameter.integer(1) },
    defaultCache: options.cache ?? CachePolicy.enabled(),
  });
  const produce = Step.script('produce', {
    code,
    entry: 'record.sh',
    outputs: ['data'],
    params: { content: p.parameter('content') },
    metrics: ['score'],
    env: { METRICS_JSON: '{"score": 1}', ...(options.produceContent ? { CONTENT: options.produceContent } : {}) },
    cache: options.produceCache,
  });
  const consume = Step.script('consume', { code, entry: 'copy-input.sh', inputs: { data: produce.output('data') }, outputs: ['data'] });
  p.addStep(produce, consume);
  return p;
}

function run(pipeline: Pipeline, options: Parameters<typeof runLocally>[1] = {}): Promise<RunReport> {
  return runLocally(pipeline, { ...stateDirs(tmp.dir), env: { ...process.env, FIXTURE_LOG: log }, ...options });
}

const states = (r: RunReport) => r.steps.map((s) => s.state);
const executions = () => readFixtureLog(log).filter((e) => e.event === 'start' || e.event === 'ran').map((e) => e.step);

test('an identical second run is served from the cache without running anything', async () => {
  const first = await run(build());
  const second = await run(build());
  expect(states(first)).toEqual(['succeeded', 'succeeded']);
  expect(states(second)).toEqual(['cached', 'cached']);
  expect(executions()).toEqual(['produce', 'consume']);
  // Outputs and metrics are there as if the steps had run, copied into the new run's directory.
  expect(second.steps[0].metrics).toEqual({ score: 1 });
  expect(second.steps[1].outputs!.data.startsWith(second.runDir)).toBe(true);
  expect(fs.readFileSync(path.join(second.steps[1].outputs!.data, 'data.txt'), 'utf8')).toBe('produce \nthen consume\n');
  expect(second.steps[0].attempts).toBe(0);
});

test("a change to a step's code misses; a change to an excluded file does not", async () => {
  await run(build({ exclude: ['*.md'] }));
  fs.writeFileSync(path.join(codeDir, 'NOTES.md'), 'notes are excluded from the code\n');
  expect(states(await run(build({ exclude: ['*.md'] })))).toEqual(['cached', 'cached']);
  fs.appendFileSync(path.join(codeDir, 'copy-input.sh'), '# a comment is a change\n');
  // Both steps share the code directory, so both miss; consume's input is unchanged but its code is not.
  expect(states(await run(build({ exclude: ['*.md'] })))).toEqual(['succeeded', 'succeeded']);
});

test('a new value of a parameter the step reads misses; one it does not read hits', async () => {
  await run(build());
  expect(states(await run(build(), { parameters: { unused: '2' } }))).toEqual(['cached', 'cached']);
  expect(states(await run(build(), { parameters: { content: 'v2' } }))).toEqual(['succeeded', 'cached']);
});

test("a downstream step misses when its input's content changes, and hits when an upstream rerun wrote the same bytes", async () => {
  await run(build());
  // produce is not cached this time but writes the same output: consume's key is unchanged.
  expect(states(await run(build({ produceCache: CachePolicy.disabled() })))).toEqual(['succeeded', 'cached']);
  // Now produce writes something else (its env changed): consume reads a new input and runs.
  expect(states(await run(build({ produceCache: CachePolicy.disabled(), produceContent: 'different' })))).toEqual(['succeeded', 'succeeded']);
});

test('--no-cache runs everything; --cache caches steps without a policy of their own', async () => {
  await run(build());
  expect(states(await run(build(), { cacheMode: CacheMode.NONE }))).toEqual(['succeeded', 'succeeded']);
  const uncached = build({ cache: CachePolicy.disabled() });
  expect(states(await run(uncached))).toEqual(['succeeded', 'succeeded']);
  // The pipeline's default says disabled, which --cache respects (it only fills in missing policies).
  expect(states(await run(uncached, { cacheMode: CacheMode.ALL }))).toEqual(['succeeded', 'succeeded']);
  const noPolicy = new Pipeline('no-policy');
  noPolicy.addStep(Step.script('only', { code: Code.fromDirectory(codeDir), entry: 'record.sh' }));
  expect(states(await run(noPolicy, { cacheMode: CacheMode.ALL }))).toEqual(['succeeded']);
  expect(states(await run(noPolicy, { cacheMode: CacheMode.ALL }))).toEqual(['cached']);
  expect(states(await run(noPolicy))).toEqual(['succeeded']);
});

test('an expired entry is a miss and is replaced; an unreadable one too', async () => {
  const first = await run(build({ cache: CachePolicy.enabled({ expireAfterHours: 1 }) }));
  const store = new CacheStore(path.join(tmp.dir, 'cache'));
  const key = JSON.parse(fs.readFileSync(path.join(first.runDir, 'steps', 'produce', 'state.json'), 'utf8')).cacheKey as string;
  expect(store.lookup(key, 1)).toBeDefined();
  expect(store.lookup(key, 1, Date.now() + 2 * 3600_000)).toBeUndefined();
  expect(store.lookup(key, undefined, Date.now() + 1000 * 3600_000)).toBeDefined();

  // Age the entry by two hours: the next run misses it and publishes a fresh one.
  const entryFile = path.join(tmp.dir, 'cache', 'entries', key, 'entry.json');
  const entry = JSON.parse(fs.readFileSync(entryFile, 'utf8'));
  fs.writeFileSync(entryFile, JSON.stringify({ ...entry, createdAt: new Date(Date.now() - 2 * 3600_000).toISOString() }));
  const second = await run(build({ cache: CachePolicy.enabled({ expireAfterHours: 1 }) }));
  expect(states(second)[0]).toBe('succeeded');
  expect(JSON.parse(fs.readFileSync(entryFile, 'utf8')).runId).toBe(second.runId);

  fs.writeFileSync(entryFile, '{"half');
  const third = await run(build({ cache: CachePolicy.enabled({ expireAfterHours: 1 }) }));
  expect(states(third)[0]).toBe('succeeded');
  expect(JSON.parse(fs.readFileSync(entryFile, 'utf8')).runId).toBe(third.runId);
});

test('the cache entry records the key material in the clear', async () => {
  const first = await run(build());
  const key = JSON.parse(fs.readFileSync(path.join(first.runDir, 'steps', 'consume', 'state.json'), 'utf8')).cacheKey as string;
  const entry = JSON.parse(fs.readFileSync(path.join(tmp.dir, 'cache', 'entries', key, 'entry.json'), 'utf8'));
  expect(entry.keyMaterial).toEqual(expect.objectContaining({
    pipeline: 'cached',
    step: 'consume',
    kind: 'script',
    entry: 'copy-input.sh',
    outputs: ['data'],
    params: {},
    inputs: { data: expect.stringMatching(/^[0-9a-f]{64}$/) },
    code: expect.stringMatching(/^[0-9a-f]{64}$/),
  }));
  expect(Object.keys(entry.artifactFingerprints)).toEqual(['outputs/data']);
});
