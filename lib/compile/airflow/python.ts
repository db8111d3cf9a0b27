/**
 * Python source text for the generated DAG file. A value is either plain data (written as a Python
 * literal) or a PyExpr (written as is), so paths like `RUN_DIR + "/train/model"` stay readable.
 */
export class PyExpr {
  constructor(public readonly code: string) {}
}

export type PyValue = string | number | boolean | null | undefined | PyExpr | PyValue[] | { [key: string]: PyValue };

/** A Python literal; JSON strings are valid Python string literals. */
export function py(value: PyValue): string {
  if (value instanceof PyExpr) {
    return value.code;
  }
  if (value === null || value === undefined) {
    return 'None';
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new Error(`internal: ${value} has no Python literal`);
    }
    return String(value);
  }
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map(py).join(', ')}]`;
  }
  return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${py(v)}`).join(', ')}}`;
}

/**
 * A call or literal spread over lines when it is long: `name(\n    a=1,\n    b=2,\n)`. Keyword
 * arguments whose value is undefined are left out.
 */
export function call(callee: string, kwargs: [string, PyValue][], indent: string): string {
  const given = kwargs.filter(([, v]) => v !== undefined);
  const inner = `${indent}    `;
  const oneLine = `${callee}(${given.map(([k, v]) => `${k}=${py(v)}`).join(', ')})`;
  if (oneLine.length + indent.length <= 100) {
    return oneLine;
  }
  return `${callee}(\n${given.map(([k, v]) => `${inner}${k}=${block(v, inner)},\n`).join('')}${indent})`;
}

/** A literal spread over lines when it is long (dicts and lists). */
export function block(value: PyValue, indent: string): string {
  const flat = py(value);
  if (flat.length + indent.length <= 90 || value instanceof PyExpr || value === null || typeof value !== 'object') {
    return flat;
  }
  const inner = `${indent}    `;
  if (Array.isArray(value)) {
    return `[\n${value.map((v) => `${inner}${block(v, inner)},\n`).join('')}${indent}]`;
  }
  return `{\n${Object.entries(value).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${block(v, inner)},\n`).join('')}${indent}}`;
}

/**
 * Names the DAG file defines or imports at module level, Python keywords and the builtins it
 * calls: a task variable of one of these names would shadow them (or not parse).
 */
const RESERVED = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif',
  'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or',
  'pass', 'raise', 'return', 'try', 'while', 'with', 'yield', 'match', 'case', '_',
  'DAG', 'Param', 'task', 'AirflowFailException', 'KubernetesPodOperator', 'CronDataIntervalTimetable',
  'DeltaDataIntervalTimetable', 'k8s', 'datetime', 'json', 'os', 'subprocess', 'sys', 'annotations', 'dag',
  'run_step', 'run_launcher', 'launch', 'register_model', 'metric', 'pod_volumes', 'SageMakerProcessingOperator', 'SageMakerTrainingOperator', 'SageMakerTuningOperator',
  'sagemaker_job_name', 'register_model_version', 'run_uri', 'job_environment', 'job_resources', 's3_input', 's3_output',
  'processing_config', 'training_config', 'channel', 'hashlib', 'dict', 'open', 'sorted', 'print', 'float', 'str', 'int',
]);

/** A Python identifier for a task id (the variable holding the task); upper-case names are the file's constants. */
export function variableName(taskId: string): string {
  const name = taskId.replace(/[^A-Za-z0-9_]/g, '_');
  if (/^[0-9]/.test(name)) {
    return `t_${name}`;
  }
  return RESERVED.has(name) || name === name.toUpperCase() ? `${name}_task` : name;
}

/** True when text would be rendered by Jinja in a templated field. */
export function hasJinja(text: string): boolean {
  return /\{\{|\{%|\{#/.test(text);
}
