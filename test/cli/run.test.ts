import * as fs from 'fs';
import * as path from 'path';
import { FIXTURE_PIPELINES, isProcessAlive, readFixtureLog, tempDir, waitFor } from '../support/local/fixtures';
import { runMlops, startMlops } from '../support/local/cli';

let tmp: { dir: string; cleanup: () => void };
let dirs: string[];
beforeEach(() => {
  tmp = tempDir('cli-run');
  dirs = ['--runs-dir', path.join(tmp.dir, 'runs'), '--cache-dir', path.join(tmp.dir, 'cache'), '--registry-dir', path.join(tmp.dir, 'registry')];
});
afterEach(() => tmp.cleanup());

const fixture = (name: string) => path.join(FIXTURE_PIPELINES, name);

describe('bad input', () => {
  test('an unknown parameter is named with the ones the pipeline defines; nothing runs', async () => {
    const r = await runMlops(['run', 'examples/iris', '--local', '--param', 'minAcuracy=0.95', ...dirs]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("mlops run: Pipeline 'iris': unknown parameter 'minAcuracy' (defined: 'minAccuracy', 'nEstimators')");
    expect(fs.existsSync(path.join(tmp.dir, 'runs'))).toBe(false);
  });

  test('with --json, bad input is also answered as JSON on stdout', async () => {
    const r = await runMlops(['run', 'examples/iris', '--local', '--json', '--param', 'nEstimators=many', ...dirs]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ status: 'error', error: expect.stringContaining("parameter 'nEstimators': 'many' is not an integer") });
  });

  test('a parameter of the wrong type says which type it needs', async () => {
    const r = await runMlops(['run', 'examples/iris', '--local', '--param', 'nEstimators=many', ...dirs]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("parameter 'nEstimators': 'many' is not an integer; give an integer, e.g. nEstimators=100");
  });

  test('a --param without "=" is refused', async () => {
    const r = await runMlops(['run', 'examples/iris', '--local', '--param', 'minAccuracy', ...dirs]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--param "minAccuracy" is not name=value');
  });

  test('an unknown pipeline module lists where it looked', async () => {
    const r = await runMlops(['run', 'examples/irs', '--local', ...dirs]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("mlops run: cannot find the pipeline module 'examples/irs' (looked for examples/irs, examples/irs.ts, examples/irs.js, examples/irs.cjs, examples/irs.json)");
    expect(r.stderr).toContain('fix: pass a module file that exports a Pipeline, a pipeline document (.json), a manifest cdk8s synthesized (.k8s.yaml), or a directory holding pipeline.ts, e.g. examples/iris');
  });

  test('a module exporting no pipeline lists its exports and how to export one', async () => {
    const r = await runMlops(['run', fixture('exports-nothing.ts'), '--local', ...dirs]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/module .*exports-nothing\.ts exports no Pipeline \(its exports: answer, buildSomething\)/);
    expect(r.stderr).toContain("fix: export one as 'pipeline' or as the default export");
  });

  test('a module exporting two pipelines asks which one', async () => {
    const r = await runMlops(['run', fixture('two-pipelines.ts'), '--local', ...dirs]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/exports 2 pipelines \(first, second\), and none of them as 'pipeline' or default/);
  });

  test('a module that throws while loading shows the error', async () => {
    const r = await runMlops(['run', fixture('throws.ts'), '--local', ...dirs]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/loading the pipeline module .*throws\.ts failed: Pipeline 'bad name!': pipeline name "bad name!" is invalid/);
  });

  test('--max-parallel must be a whole number >= 1', async () => {
    const r = await runMlops(['run', 'examples/iris', '--local', '--max-parallel', '0', ...dirs]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('mlops run: --max-parallel "0" is not a whole number >= 1');
  });

  test('run without --local says what it does and how to run in the cloud', async () => {
    const r = await runMlops(['run', 'examples/iris', ...dirs]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('mlops run needs --local');
    expect(r.stderr).toContain('npx mlops start <pipeline-name>');
  });
});

describe('runs', () => {
  test('--json prints the run report; exit code 0 on success', async () => {
    const r = await runMlops(['run', fixture('train-register.ts'), '--local', '--json', '--param', 'epochs=5', ...dirs]);
    expect(r.stderr).not.toContain('failed');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toEqual(expect.objectContaining({ pipeline: 'train-register', status: 'succeeded', parameters: { threshold: 0.5, epochs: 5 } }));
    expect(report.steps.map((s: { name: string; state: string }) => `${s.name}:${s.state}`)).toEqual(['train:succeeded', 'evaluate:succeeded', 'gate:succeeded', 'register:succeeded', 'too-weak:skipped']);
    expect(report.steps[3].registered).toEqual({ group: 'fixture-models', version: 1, path: path.join(tmp.dir, 'registry', 'fixture-models', '1') });
    // Progress went to stderr as plain lines, so stdout is only the report.
    expect(r.stderr).toContain('train: succeeded');
  });

  test('a failing run exits 1, shows the log tail and how to resume', async () => {
    const r = await runMlops(['run', fixture('failing.ts'), '--local', ...dirs]);
    expect(r.code).toBe(1);
    const runId = /Run (\S+) failed/.exec(r.stdout)![1];
    expect(r.stdout).toContain(`Run ${runId} failed`);
    expect(r.stdout).toContain("step 'noisy' exited with code 3 after 2 attempts");
    expect(r.stdout).toMatch(/last lines of noisy \(.*attempt-2\.log\):\n {4}\| line 12 of the noisy step\n/);
    expect(r.stdout).toContain('    | line 30 of the noisy step');
    expect(r.stdout).toContain(`--resume ${runId}`);
    // Plain (non-TTY) output streams each line the step prints.
    expect(r.stdout).toContain('noisy | line 1 of the noisy step');
  });

  test('Ctrl-C stops the running step and its children, saves the state, and the run resumes', async () => {
    const log = path.join(tmp.dir, 'steps.log');
    const release = path.join(tmp.dir, 'release');
    const env = { FIXTURE_LOG: log, RELEASE_FILE: release };
    const { child, result } = startMlops(['run', fixture('resumable.ts'), '--local', ...dirs], { env });
    await waitFor('step b to start', () => readFixtureLog(log).some((e) => e.step === 'b' && e.event === 'start'));
    const b = readFixtureLog(log).find((e) => e.step === 'b')!;
    child.kill('SIGINT');
    const r = await result;

    expect(r.code).toBe(130);
    expect(r.stderr).toContain('mlops: stopping (a local run saves its state for --resume');
    const runId = /Run (\S+) was interrupted/.exec(r.stdout)![1];
    expect(r.stdout).toContain('its state is saved');
    expect(r.stdout).toContain(`--resume ${runId}`);
    expect(isProcessAlive(b.pid)).toBe(false);
    const read = (...file: string[]) => JSON.parse(fs.readFileSync(path.join(tmp.dir, 'runs', runId, ...file), 'utf8'));
    expect(read('state.json').status).toBe('interrupted');
    expect(['a', 'b', 'c'].map((step) => read('steps', step, 'state.json').state)).toEqual(['succeeded', 'pending', 'pending']);
    expect(fs.existsSync(path.join(tmp.dir, 'runs', runId, 'steps', 'b', 'result'))).toBe(false);

    fs.writeFileSync(release, '');
    const resumed = await runMlops(['run', fixture('resumable.ts'), '--local', '--resume', runId, ...dirs], { env });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`Resuming run ${runId}`);
    expect(readFixtureLog(log).map((e) => `${e.step} ${e.event}`)).toEqual(['a start', 'a end', 'b start', 'b start', 'b end', 'c ran']);
    const out = fs.readFileSync(path.join(tmp.dir, 'runs', runId, 'steps', 'c', 'result', 'outputs', 'data', 'data.txt'), 'utf8');
    expect(out).toBe('released b\nthen c\n');
  });

  test('after SIGKILL of the runner, --resume stops the orphaned step, reruns only what did not finish, and succeeds', async () => {
    const log = path.join(tmp.dir, 'steps.log');
    // The killed run's step waits for a file that never comes; the resumed one for a file that is there.
    const env = { FIXTURE_LOG: log, RELEASE_FILE: path.join(tmp.dir, 'never') };
    const { child, result } = startMlops(['run', fixture('resumable.ts'), '--local', ...dirs], { env });
    await waitFor('step b to start', () => readFixtureLog(log).some((e) => e.step === 'b' && e.event === 'start'));
    const orphan = readFixtureLog(log).find((e) => e.step === 'b')!.pid;
    child.kill('SIGKILL');
    expect((await result).signal).toBe('SIGKILL');

    const runId = fs.readdirSync(path.join(tmp.dir, 'runs'))[0];
    const runDir = path.join(tmp.dir, 'runs', runId);
    expect(JSON.parse(fs.readFileSync(path.join(runDir, 'state.json'), 'utf8')).status).toBe('running');
    expect(JSON.parse(fs.readFileSync(path.join(runDir, 'steps', 'b', 'state.json'), 'utf8')).state).toBe('running');
    expect(isProcessAlive(orphan)).toBe(true); // the step outlived its runner...
    expect(fs.existsSync(path.join(runDir, 'lock'))).toBe(true);

    fs.writeFileSync(path.join(tmp.dir, 'release'), '');
    const resumed = await runMlops(['run', fixture('resumable.ts'), '--local', '--resume', runId, '--json', ...dirs], { env: { ...env, RELEASE_FILE: path.join(tmp.dir, 'release') } });
    expect(resumed.code).toBe(0);
    expect(isProcessAlive(orphan)).toBe(false); // ...until the resume stopped it
    const report = JSON.parse(resumed.stdout);
    expect(report.status).toBe('succeeded');
    expect(report.resumes).toBe(1);
    expect(report.steps.map((s: { attempts: number }) => s.attempts)).toEqual([1, 2, 1]);
    // a ran once; b's first run never finished and was not trusted; c read the resumed b's output.
    const events = readFixtureLog(log).map((e) => `${e.step} ${e.event}`);
    expect(events.filter((e) => e.startsWith('a '))).toEqual(['a start', 'a end']);
    expect(events.filter((e) => e.startsWith('b '))).toEqual(['b start', 'b start', 'b end']);
    expect(fs.readFileSync(path.join(runDir, 'steps', 'c', 'result', 'outputs', 'data', 'data.txt'), 'utf8')).toBe('released b\nthen c\n');
    expect(fs.readdirSync(path.join(runDir, 'steps', 'b')).sort()).toEqual(['logs', 'result', 'state.json']);
    expect(fs.existsSync(path.join(runDir, 'lock'))).toBe(false);
  });

  test('two concurrent runs get their own run directories and share the cache and registry safely', async () => {
    const [one, two] = await Promise.all([
      runMlops(['run', fixture('train-register.ts'), '--local', '--json', ...dirs]),
      runMlops(['run', fixture('train-register.ts'), '--local', '--json', ...dirs]),
    ]);
    expect([one.code, two.code]).toEqual([0, 0]);
    const reports = [JSON.parse(one.stdout), JSON.parse(two.stdout)];
    expect(reports[0].runId).not.toBe(reports[1].runId);
    expect(reports[0].runDir).not.toBe(reports[1].runDir);
    expect(reports.map((r) => r.steps[3].registered.version).sort()).toEqual([1, 2]);
    for (const report of reports) {
      const model = fs.readFileSync(path.join(report.steps[0].model, 'model.txt'), 'utf8');
      expect(model).toBe('model by train\n');
    }
    // Every cache entry is whole, and a third run is served from it.
    const entries = fs.readdirSync(path.join(tmp.dir, 'cache', 'entries'));
    expect(entries).toHaveLength(2);
    for (const key of entries) {
      expect(JSON.parse(fs.readFileSync(path.join(tmp.dir, 'cache', 'entries', key, 'entry.json'), 'utf8')).key).toBe(key);
    }
    const third = JSON.parse((await runMlops(['run', fixture('train-register.ts'), '--local', '--json', ...dirs])).stdout);
    expect(third.steps.slice(0, 2).map((s: { state: string }) => s.state)).toEqual(['cached', 'cached']);
    expect(fs.readdirSync(path.join(tmp.dir, 'cache', 'tmp'))).toEqual([]);
  });
});

describe('--resume of what cannot be resumed', () => {
  async function failedRun(): Promise<string> {
    const r = await runMlops(['run', fixture('failing.ts'), '--local', '--json', ...dirs]);
    return JSON.parse(r.stdout).runId;
  }

  test('a run id that does not exist lists the latest runs', async () => {
    const id = await failedRun();
    const r = await runMlops(['run', fixture('failing.ts'), '--local', '--resume', '20200101-000000-abcdef', ...dirs]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`there is no run '20200101-000000-abcdef' in ${path.join(tmp.dir, 'runs')} (latest runs: ${id})`);
  });

  test('a corrupt state file is refused, not trusted', async () => {
    const id = await failedRun();
    const stateFile = path.join(tmp.dir, 'runs', id, 'state.json');
    fs.writeFileSync(stateFile, fs.readFileSync(stateFile, 'utf8').slice(0, 40));
    const r = await runMlops(['run', fixture('failing.ts'), '--local', '--resume', id, ...dirs]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`run '${id}' is corrupt: ${stateFile} is not valid JSON`);
    expect(r.stderr).toContain('it cannot be resumed safely');
    expect(r.stderr).toContain('fix: start a new run (without --resume)');
  });

  test('a state file with impossible states is refused', async () => {
    const id = await failedRun();
    const stateFile = path.join(tmp.dir, 'runs', id, 'steps', 'noisy', 'state.json');
    fs.writeFileSync(stateFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(stateFile, 'utf8')), state: 'half-done' }));
    const r = await runMlops(['run', fixture('failing.ts'), '--local', '--resume', id, ...dirs]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`run '${id}' is corrupt: steps/noisy/state.json: step 'noisy' has state "half-done"`);
  });

  test('a directory that is not a run is refused', async () => {
    fs.mkdirSync(path.join(tmp.dir, 'runs', 'holiday-photos'), { recursive: true });
    const r = await runMlops(['run', fixture('failing.ts'), '--local', '--resume', 'holiday-photos', ...dirs]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path.join(tmp.dir, 'runs', 'holiday-photos')} is not a run directory of mlops (it has no run.json)`);
  });

  test('a run of another pipeline is refused', async () => {
    const id = await failedRun();
    const r = await runMlops(['run', fixture('resumable.ts'), '--local', '--resume', id, ...dirs]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`run '${id}' is a run of pipeline 'failing', not of 'resumable'`);
  });

  test('a run id with path characters is refused', async () => {
    const r = await runMlops(['run', fixture('failing.ts'), '--local', '--resume', '../../etc', ...dirs]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("'../../etc' is not a run id");
  });

  test('new parameter values for a resumed run are refused', async () => {
    const id = await failedRun();
    const r = await runMlops(['run', fixture('failing.ts'), '--local', '--resume', id, '--param', 'x=1', ...dirs]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("a resumed run keeps the parameters it started with; got 'x'");
  });
});
