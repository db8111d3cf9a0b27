import { compileAirflow } from '../../lib/compile/airflow';
import { Pipeline } from '../../lib/pipeline/pipeline';
import { pyCompileProblems } from '../support/airflow';
import { AIRFLOW_COLUMN } from './columns/airflow';
import { describeConformance } from './features';

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
