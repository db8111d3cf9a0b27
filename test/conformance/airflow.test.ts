import { compileAirflow } from '../../lib/compile/airflow';
import { Pipeline } from '../../lib/pipeline/pipeline';
import { dagAst, pyCompileProblems } from '../support/airflow';
import { AIRFLOW_COLUMN } from './columns/airflow';
import { describeConformance, FEATURES } from './features';

/** Compiles for Airflow 2.10 with the python executor and insists on a DAG file Python compiles. */
function compile(pipeline: Pipeline) {
  const dag = compileAirflow(pipeline, { executor: 'python' });
  const problems = pyCompileProblems(dag.source);
  if (problems !== '') {
    throw new Error(`DAG file for '${pipeline.name}' does not compile:\n${problems}`);
  }
  return dag;
}

describeConformance('Airflow', AIRFLOW_COLUMN, compile);

test("cache: with cache 'run-always' the cached step compiles, runs in every DAG run, and the file says so", () => {
  const dag = compileAirflow(FEATURES.find((f) => f.id === 'cache')!.build(), { executor: 'python', cache: 'run-always' });
  expect(pyCompileProblems(dag.source)).toBe('');
  expect(dag.notes).toEqual(["step 'cached': cache policy ignored (Airflow has no step cache); the step runs in every DAG run"]);
  expect(dag.source).toContain("# Note: step 'cached': cache policy ignored (Airflow has no step cache); the step runs in every DAG run");
});

test('fan-out: the task is mapped over the items, one MLOPS_ITEM each', () => {
  const ast = dagAst(compile(FEATURES.find((f) => f.id === 'fan-out')!.build()).source);
  expect(ast.tasks.each.mapped).toBe(true);
  expect(ast.tasks.each.expand.environment.map((env: { MLOPS_ITEM: string }) => env.MLOPS_ITEM)).toEqual(['a', 'b', 'c']);
});
