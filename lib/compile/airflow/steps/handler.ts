import type { StepNode } from '../../../pipeline/graph';
import type { AirflowCompilation } from '../compilation';
import type { PyValue } from '../python';

/** Keyword arguments every task gets (task_id, retries, trigger_rule, ...), in a fixed order. */
export type TaskArguments = [string, PyValue][];

/** One step as Airflow code: the statements (inside `with DAG(...)`) that create its task. */
export interface AirflowTask {
  /** Python statements at the DAG body's indentation, assigning the task to its variable. */
  readonly code: string;
  /** Helper functions or constants the file needs at top level for this task, by name. */
  readonly helpers?: string[];
}

/**
 * How Airflow compiles one step kind: the task creating code, or undefined after adding a problem
 * naming the step. `variable` is the Python name the task must be bound to.
 */
export interface AirflowStepHandler {
  compile(c: AirflowCompilation, node: StepNode, variable: string, common: TaskArguments): AirflowTask | undefined;
}
