import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { Pipeline, Step } from '../../lib';
import { runLocally } from '../../lib/local';
import { fixtureCode, stateDirs, tempDir } from '../support/local/fixtures';

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => {
  tmp = tempDir('tracking');
});
afterEach(() => tmp.cleanup());

function pipeline(env: { [name: string]: string } = {}): Pipeline {
  const p = new Pipeline('tracked');
  p.addStep(Step.script('log', { code: fixtureCode, entry: 'print-tracking.sh', outputs: ['env'], env }));
  return p;
}

async function uriSeen(p: Pipeline, options: { env?: NodeJS.ProcessEnv; trackingUri?: string } = {}): Promise<string> {
  const { MLFLOW_TRACKING_URI: _, ...base } = process.env;
  const report = await runLocally(p, { ...stateDirs(tmp.dir), env: { ...base, ...options.env }, trackingUri: options.trackingUri });
  expect(report.status).toBe('succeeded');
  return fs.readFileSync(path.join(report.steps[0].outputs!.env, 'uri.txt'), 'utf8').trim();
}

test('local steps log MLflow runs to a file store beside the registry by default', async () => {
  const registry = stateDirs(tmp.dir).registryDir;
  expect(await uriSeen(pipeline())).toBe(pathToFileURL(path.join(path.dirname(registry), 'mlruns')).href);
});

test('a given tracking URI, then the environment, then the step env win, in that order of strength', async () => {
  expect(await uriSeen(pipeline(), { trackingUri: 'http://127.0.0.1:5000' })).toBe('http://127.0.0.1:5000');
  expect(await uriSeen(pipeline(), { trackingUri: 'http://127.0.0.1:5000', env: { MLFLOW_TRACKING_URI: 'http://mine:5000' } })).toBe('http://mine:5000');
  expect(await uriSeen(pipeline({ MLFLOW_TRACKING_URI: 'http://step:5000' }), { env: { MLFLOW_TRACKING_URI: 'http://mine:5000' } })).toBe('http://step:5000');
});
