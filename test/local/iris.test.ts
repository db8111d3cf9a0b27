import * as fs from 'fs';
import * as path from 'path';
import { LocalModelRegistry } from '../../lib/local';
import { runMlops, startMlops } from '../support/local/cli';
import { tempDir } from '../support/local/fixtures';

/**
 * The Iris example for real: pandas and scikit-learn in the project venv (.ci/run creates it; the
 * runner would create it otherwise), trained, evaluated, gated and registered; then run again and
 * served from the cache (the pipeline caches its container steps by default).
 */
let tmp: { dir: string; cleanup: () => void };
beforeAll(() => {
  tmp = tempDir('iris');
});
afterAll(() => tmp.cleanup());

test('npx mlops run examples/iris --local trains, evaluates and registers the model; a second run comes from the cache', async () => {
  const dirs = ['--runs-dir', path.join(tmp.dir, 'runs'), '--cache-dir', path.join(tmp.dir, 'cache'), '--registry-dir', path.join(tmp.dir, 'registry')];
  const cold = await runMlops(['run', 'examples/iris', '--local', '--json', '--param', 'minAccuracy=0.8', ...dirs]);
  expect(cold.stderr).not.toMatch(/failed/);
  expect(cold.code).toBe(0);
  const first = JSON.parse(cold.stdout);
  expect(first.steps.map((s: { name: string; state: string }) => `${s.name}:${s.state}`)).toEqual([
    'extract:succeeded', 'clean:succeeded', 'train:succeeded', 'evaluate:succeeded', 'accuracy-gate:succeeded', 'register:succeeded', 'too-inaccurate:skipped',
  ]);
  const evaluate = first.steps.find((s: { name: string }) => s.name === 'evaluate');
  expect(evaluate.metrics.accuracy).toBeGreaterThanOrEqual(0.8);
  expect(evaluate.metrics.accuracy).toBeLessThanOrEqual(1);
  expect(fs.readFileSync(path.join(first.steps[0].outputs.raw, 'iris.csv'), 'utf8').trim().split('\n')).toHaveLength(151);
  expect(fs.existsSync(path.join(first.steps[2].model, 'model.joblib'))).toBe(true);
  expect(JSON.parse(fs.readFileSync(path.join(evaluate.outputs.report, 'report.json'), 'utf8'))).toHaveProperty('macro avg');

  const registry = new LocalModelRegistry(path.join(tmp.dir, 'registry'));
  const [version] = registry.versions('iris-classifier');
  expect(version.version).toBe(1);
  expect(version.metadata).toEqual(expect.objectContaining({
    approvalStatus: 'Approved',
    sourceRun: first.runId,
    sourceStep: 'train',
    metrics: { train: { trainAccuracy: expect.any(Number) }, evaluate: { accuracy: evaluate.metrics.accuracy, f1Macro: evaluate.metrics.f1Macro } },
  }));
  expect(fs.statSync(path.join(version.path, 'model', 'model.joblib')).size).toBeGreaterThan(1000);
  expect(version.metadata.inference).toEqual({ entry: 'inference.py', env: {} });
  expect(fs.readFileSync(path.join(version.path, 'code', 'inference.py'), 'utf8')).toBe(fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'iris', 'steps', 'inference.py'), 'utf8'));

  const warm = await runMlops(['run', 'examples/iris', '--local', '--json', '--param', 'minAccuracy=0.8', ...dirs]);
  expect(warm.code).toBe(0);
  const second = JSON.parse(warm.stdout);
  expect(second.steps.slice(0, 4).map((s: { state: string; attempts: number }) => [s.state, s.attempts])).toEqual([['cached', 0], ['cached', 0], ['cached', 0], ['cached', 0]]);
  expect(second.steps.find((s: { name: string }) => s.name === 'evaluate').metrics).toEqual(evaluate.metrics);
  // Registering is not cached (as on SageMaker): the second run adds version 2 of the same model.
  expect(registry.versions('iris-classifier').map((v) => v.metadata.sourceRun)).toEqual([first.runId, second.runId]);
}, 240_000);

test('an accuracy threshold above what the model reaches fails the run with the fail step message', async () => {
  const dirs = ['--runs-dir', path.join(tmp.dir, 'runs'), '--cache-dir', path.join(tmp.dir, 'cache'), '--registry-dir', path.join(tmp.dir, 'registry2')];
  // The cache from the first test makes this quick: only the gate decides differently.
  const r = await runMlops(['run', 'examples/iris', '--local', '--param', 'minAccuracy=1.01', ...dirs]);
  expect(r.code).toBe(1);
  expect(r.stdout).toContain("fail step 'too-inaccurate' stopped the run: Test accuracy is below minAccuracy; the model was not registered");
  expect(r.stdout).toContain('register: skipped');
  expect(r.stdout).not.toContain('--resume'); // the fail step decided; a resume would decide the same
  expect(fs.existsSync(path.join(tmp.dir, 'registry2'))).toBe(false);
}, 240_000);

test('npx mlops serve iris-classifier --local answers predictions from the registered model, through its inference.py', async () => {
  const { child, result } = startMlops(['serve', 'iris-classifier/1', '--local', '--port', '0', '--registry-dir', path.join(tmp.dir, 'registry')]);
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const found = /^Serving iris-classifier version 1 at (http:\/\/127\.0\.0\.1:\d+) \(POST .*\/invocations, GET .*\/ping\); Ctrl-C stops it$/m.exec(out);
        if (found) {
          resolve(found[1]);
        }
      });
      child.on('close', () => reject(new Error(`mlops serve exited before serving: ${out}`)));
    });
    expect((await fetch(`${url}/ping`)).status).toBe(200);
    // A setosa (class 0) and a virginica (class 2) flower from the Iris data set.
    const rows = '5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n';
    const csv = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'Content-Type': 'text/csv', Accept: 'text/csv' }, body: rows });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await csv.text()).toBe('0\n2\n');
    const json = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify([[5.9, 3.0, 4.2, 1.5]]) });
    expect(await json.json()).toEqual([1]);
    const bad = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: '1,2\n' });
    expect(bad.status).toBe(500);
  } finally {
    child.kill('SIGINT');
  }
  const done = await result;
  expect(done.code).toBe(0);
  expect(done.stderr).toContain('POST /invocations 200');
}, 120_000);
