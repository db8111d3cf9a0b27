/**
 * The python executor's STEPS table: each step's own launch values in one JSON text inside a raw
 * triple-quoted string, read by run_step when the task runs. Whatever the values hold, the file
 * compiles and the launcher gets exactly the values given (the fake airflow records each launch).
 */
import { Code, Pipeline, Step } from '../../../lib';
import { compileAirflow } from '../../../lib/compile/airflow';
import { FIXTURE_CODE } from '../../conformance/features';
import { execDag, pyCompileProblems } from '../../support/airflow';

const code: Code = FIXTURE_CODE;

test('quotes, triple quotes, backslashes, line breaks and non-ASCII text in step values reach the task unchanged', () => {
  const tricky = 'a """quoted""" value \\ with \\" escapes \\\\\nand a second line, ünïcödé, \u2028 and a trailing backslash \\';
  const p = new Pipeline('tricky');
  const a = Step.script('a', { code, entry: 'noop.py', env: { TRICKY: tricky }, arguments: ['--x', tricky], outputs: ['out'] });
  p.addStep(a, Step.script('b', { code, entry: 'noop.py', inputs: { data: a.output('out') } }));
  const dag = compileAirflow(p, { executor: 'python' });
  expect(dag.source).toContain('    a = run_step.override(task_id="a", retries=0)(step="a")\n');
  expect(pyCompileProblems(dag.source)).toBe('');
  const declared = execDag(dag.source);
  expect(declared.tasks.a.call).toEqual({ step: 'a' });
  expect(Object.keys(declared.tasks)).toEqual(['a', 'b']);
  const run = execDag(dag.source, { record_launches: true, run_id: 'manual__1' }).run;
  expect(run.states).toEqual({ a: 'success', b: 'success' });
  const [first, second] = run.launches;
  expect(first.env.TRICKY).toBe(tricky);
  expect(first.argv).toEqual(['--entry', 'noop.py', '--code', 'tricky/code-1', '--', '--x', tricky]);
  // The table holds the input as "a/out"; the task makes it a path in this run's folder.
  expect(second.env.MLOPS_INPUT_DATA).toBe('/opt/airflow/mlops-data/tricky/manual__1/a/out');
});
