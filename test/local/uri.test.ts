import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { ArtifactType, CachePolicy, Code, DataSource, Pipeline, PipelineValidationError, Step } from '../../lib';
import { LocalModelRegistry, planLocalRun, runLocally, RunReport, RunStatus } from '../../lib/local';
import { stateDirs, tempDir } from '../support/local/fixtures';

/** Data that exists before the run (DataSource.fromUri): local paths read in place. */
const code = Code.fromDirectory(path.join(__dirname, 'steps'));

let tmp: { dir: string; cleanup: () => void };
let data: string;
beforeEach(() => {
  tmp = tempDir('uri');
  data = path.join(tmp.dir, 'data');
  fs.mkdirSync(path.join(data, 'part'), { recursive: true });
  fs.writeFileSync(path.join(data, 'part', 'rows.csv'), 'a,b\n');
});
afterEach(() => tmp.cleanup());

function reader(uri: string): Pipeline {
  const p = new Pipeline('external', { defaultCache: CachePolicy.enabled() });
  p.addStep(Step.script('read', { code, entry: 'tree.sh', inputs: { raw: DataSource.fromUri(uri) }, outputs: ['seen'] }));
  return p;
}

const run = (p: Pipeline) => runLocally(p, stateDirs(tmp.dir));
const seen = (r: RunReport) => fs.readFileSync(path.join(r.steps[0].outputs!.seen, 'tree.txt'), 'utf8');

test('an absolute path is read in place, and its content is in the cache key', async () => {
  const first = await run(reader(data));
  expect(first.status).toBe(RunStatus.SUCCEEDED);
  expect(seen(first)).toBe('MLOPS_INPUT_RAW part/rows.csv: a,b\n');
  expect(first.steps[0].state).toBe('succeeded');
  expect((await run(reader(data))).steps[0].state).toBe('cached');

  fs.appendFileSync(path.join(data, 'part', 'rows.csv'), '1,2\n');
  const changed = await run(reader(data));
  expect(changed.steps[0].state).toBe('succeeded');
  expect(seen(changed)).toBe('MLOPS_INPUT_RAW part/rows.csv: a,b\n1,2\n');
});

test('a file:// URI names the same directory: same content, same key', async () => {
  const uri = pathToFileURL(data).href;
  expect(uri.startsWith('file:///')).toBe(true);
  const first = await run(reader(uri));
  expect(seen(first)).toBe('MLOPS_INPUT_RAW part/rows.csv: a,b\n');
  expect((await run(reader(data))).steps[0].state).toBe('cached');
});

test('a path that does not exist is refused before anything runs', async () => {
  const missing = path.join(tmp.dir, 'nothing-here');
  await expect(run(reader(missing))).rejects.toThrow(
    `Pipeline 'external' (local runner): step 'read': input 'raw' reads ${missing}, but ${missing} does not exist on this machine; create it, or point DataSource.fromUri at an existing directory`,
  );
  expect(fs.existsSync(path.join(tmp.dir, 'runs'))).toBe(false);
});

test('a file is refused: inputs are directories', () => {
  const file = path.join(data, 'part', 'rows.csv');
  expect(() => planLocalRun(reader(file))).toThrow(`input 'raw' reads ${file}, which is a file; inputs are directories (MLOPS_INPUT_RAW)`);
});

test('s3:// and other schemes are refused at plan time: the local runner reads local paths only', () => {
  const plan = () => planLocalRun(reader('s3://example-data/iris/'));
  expect(plan).toThrow(PipelineValidationError);
  expect(plan).toThrow(
    "step 'read': input 'raw' reads s3://example-data/iris/, which is not on this machine: the local runner reads local paths only (an absolute path or a file:// URI); copy the data to this machine and read it with DataSource.fromUri('/path/to/data'), or run the pipeline on an engine that reads s3:// URIs",
  );
  expect(() => planLocalRun(reader('gs://bucket/data'))).toThrow(/reads gs:\/\/bucket\/data, which is not on this machine: the local runner reads local paths only/);
});

test('a register-model step registers a model read from a local path', async () => {
  const p = new Pipeline('register-external');
  p.addStep(Step.registerModel('register', { model: DataSource.fromUri(data, { type: ArtifactType.MODEL }), group: 'external-models' }));
  const report = await run(p);
  expect(report.status).toBe(RunStatus.SUCCEEDED);
  const version = new LocalModelRegistry(path.join(tmp.dir, 'registry')).versions('external-models')[0];
  expect(version.metadata).toEqual(expect.objectContaining({ version: 1, registeredBy: 'register', sourceStep: data }));
  expect(fs.readFileSync(path.join(version.path, 'model', 'part', 'rows.csv'), 'utf8')).toBe('a,b\n');
});
