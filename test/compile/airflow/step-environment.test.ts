/**
 * What a python-executor step receives when its task runs on the stub Airflow (exec_dag.py with
 * record_launches: subprocess.run records the launcher's arguments and the variables added to the
 * worker's environment instead of running). step-environment.before.json holds what the compiler
 * gave before run_step built the environment from the task's context (when each task took its full
 * MLOPS_* environment as arguments, with {{ run_id }} templates): the values must stay byte-identical.
 */
import * as fs from 'fs';
import * as path from 'path';
import { irisPipeline } from '../../../examples/iris/pipeline';
import { DataSource, Parameter, Pipeline, Step, Value } from '../../../lib';
import { compileAirflow } from '../../../lib/compile/airflow';
import { FIXTURE_CODE } from '../../conformance/features';
import { execDag, Json } from '../../support/airflow';

const BEFORE = JSON.parse(fs.readFileSync(path.join(__dirname, 'step-environment.before.json'), 'utf8'));

/** Each launch of a run; the DAGs folder (a temporary one, in the register step's MLOPS_INFERENCE_DIR) as '<dags folder>'. */
function launches(source: string, spec: Json): Json[] {
  const run = execDag(source, { record_launches: true, ...spec }).run;
  return JSON.parse(JSON.stringify(run.launches.map((l: Json) => ({ task: l.task, argv: l.argv, env: l.env }))).replace(/\/[^"]*\/airflow-dag-[A-Za-z0-9]+\//g, '<dags folder>/'));
}

test('iris: every step gets the same arguments and environment as before, for a scheduled run with a param set', () => {
  const dag = compileAirflow(irisPipeline(), { executor: 'python', cache: 'run-always' });
  const spec = {
    run_id: 'scheduled__2025-03-04T00:00:00+00:00',
    data_interval_start: '2025-03-04T00:00:00+00:00',
    data_interval_end: '2025-03-05T00:00:00+00:00',
    params: { nEstimators: 7 },
  };
  // The gate fails without metrics (nothing runs), so register runs in a second run given the upstream XComs.
  const all = [...launches(dag.source, spec), ...launches(dag.source, { ...spec, xcom: { extract: {}, clean: {}, train: {}, evaluate: { accuracy: 0.99 } } })];
  expect(all.map((l) => l.task)).toEqual(['extract', 'clean', 'train', 'evaluate', 'register']);
  expect(all).toEqual(BEFORE.iris);
});

test('params (boolean, string, number, literals), the user\'s env, MLFLOW_TRACKING_URI, a file input and a model: the same as before', () => {
  const code = FIXTURE_CODE;
  const p = new Pipeline('mixed', { parameters: { flag: Parameter.boolean(true), mode: Parameter.string('fast'), rate: Parameter.number(0.25) } });
  const prep = Step.script('prep', {
    code, entry: 'noop.py', env: { FOO: 'bar', MULTI: 'line one\nline two' }, arguments: ['--x', '1'],
    params: { flag: p.parameter('flag'), mode: p.parameter('mode'), size: Value.integer(3), on: Value.boolean(false), label: Value.string('a b') },
    inputs: { ext: DataSource.fromUri('file:///srv/data/ext') }, outputs: ['out', 'extra'], metrics: ['score'],
  });
  const fit = Step.training('fit', { code, entry: 'noop.py', inputs: { data: prep.output('out'), more: prep.output('extra') }, params: { rate: p.parameter('rate') }, env: { MLFLOW_TRACKING_URI: 'http://own:5000' } });
  const last = Step.script('last', { code, entry: 'noop.py', inputs: { model: fit.model() }, dependsOn: [prep] });
  p.addStep(prep, fit, last);
  const dag = compileAirflow(p, { executor: 'python', trackingUri: 'http://mlflow:5000', dataRoot: '/data/root' });
  // Every step is in the STEPS table, and takes only its name.
  for (const id of ['prep', 'fit', 'last']) {
    expect(dag.source).toContain(`    ${id} = run_step.override(task_id="${id}", retries=0)(step="${id}")\n`);
  }
  expect(dag.source).toContain('"fit": {"arguments": ["--entry", "noop.py", "--code", "mixed/code-1"], "inputs": {"data": "prep/out", "more": "prep/extra"}, "model": "model", '
    + '"params": {"rate": "{{ params.rate }}"}, "env": {"MLFLOW_TRACKING_URI": "http://own:5000"}}');
  const run = launches(dag.source, { run_id: 'manual__2025-06-01T10:00:00.123456+00:00', params: { flag: false, mode: 'slow' } });
  expect(run).toEqual(BEFORE.mixed);
});
