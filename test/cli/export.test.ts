import * as fs from 'fs';
import * as path from 'path';
import { dagAst, execDagFile } from '../support/airflow';
import { runMlops } from '../support/local/cli';
import { FIXTURE_PIPELINES, tempDir } from '../support/local/fixtures';

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => {
  tmp = tempDir('cli-export');
});
afterEach(() => tmp.cleanup());

test('mlops export --engine airflow writes a DAGs folder: the DAG file, its code and the launcher, with the schedule and data root asked for', async () => {
  const dags = path.join(tmp.dir, 'dags');
  const data = path.join(tmp.dir, 'data');
  const r = await runMlops(['export', path.join(FIXTURE_PIPELINES, 'train-register.ts'), '--engine', 'airflow', '--out', dags, '--cache', 'run-always', '--data-root', data, '--cron', '0 6 * * *', '--start-date', '2026-11-01', '--catchup']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^Wrote DAG 'train-register' for Airflow 2\.10 to .*train-register\.py \(\d+ files\)\n/);
  expect(r.stdout).toContain("note: step 'train': cache policy ignored (Airflow has no step cache)");
  const file = path.join(dags, 'train-register.py');
  const ast = dagAst(fs.readFileSync(file, 'utf8'));
  expect(Object.keys(ast.tasks).sort()).toEqual(['evaluate', 'gate', 'register', 'too-weak', 'train']);
  expect(fs.existsSync(path.join(dags, 'train-register', '.airflowignore'))).toBe(true);
  expect(fs.readdirSync(path.join(dags, 'train-register')).sort()).toEqual(expect.arrayContaining(['_mlops_launcher.py']));
  const declared = execDagFile(file);
  expect(JSON.stringify(declared)).toContain(data);
  expect(JSON.stringify(declared)).toContain('0 6 * * *');
  for (const script of ['record.sh']) {
    expect(fs.readFileSync(path.join(dags, 'train-register', 'code-1', script), 'utf8')).toBe(fs.readFileSync(path.join(FIXTURE_PIPELINES, '..', 'steps', script), 'utf8'));
  }
});

test('a missing engine or folder, an unknown Airflow version, a bad date or a cached step without --cache are clear errors', async () => {
  const pipeline = path.join(FIXTURE_PIPELINES, 'train-register.ts');
  const out = ['--out', path.join(tmp.dir, 'dags')];
  expect((await runMlops(['export', pipeline, ...out])).stderr).toContain('mlops export: --engine is missing\n  fix: give --engine airflow');
  expect((await runMlops(['export', pipeline, '--engine', 'airflow'])).stderr).toContain('--out is missing');
  expect((await runMlops(['export', pipeline, '--engine', 'airflow', ...out, '--airflow-version', '2.9'])).stderr).toContain("--airflow-version '2.9' is not supported (supported: 2.10, 3)");
  expect((await runMlops(['export', pipeline, '--engine', 'airflow', ...out, '--start-date', 'soon', '--cache', 'run-always'])).stderr).toContain("--start-date 'soon' is not a date");
  const cached = await runMlops(['export', pipeline, '--engine', 'airflow', ...out]);
  expect(cached.code).toBe(1);
  expect(cached.stderr).toContain("step 'train'");
  expect(cached.stderr).toContain('cache');
});
