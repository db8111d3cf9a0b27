import type { DataSource } from '../../../pipeline/artifacts';
import type { Step } from '../../../pipeline/step';
import type { AirflowCompilation } from '../compilation';
import type { PyExpr } from '../python';

/**
 * How Airflow reads one kind of data source: the directory the step finds input `input` in
 * (MLOPS_INPUT_<NAME>), as a Python expression, or undefined after adding a problem that names
 * the step and the input.
 */
export interface AirflowSourceResolver {
  resolve(compilation: AirflowCompilation, step: Step, input: string, source: DataSource): PyExpr | undefined;
}
