import type { ContainerStep } from '../../../pipeline/steps/container-step';
import * as contract from '../../../pipeline/contract';
import { outputVariable } from '../../../runtime/launch';
import { PyExpr, PyValue } from '../python';

/** The run's data interval, for steps that write one partition per interval (backfills). */
export const DATA_INTERVAL = { start: '{{ data_interval_start }}', end: '{{ data_interval_end }}' };

/**
 * A step's entry in the python executor's STEPS table: only what is its own. The task (run_step in
 * the DAG file) builds the rest of the environment when it runs, from its context: the run's
 * folder DATA_ROOT/DAG_ID/<run_id>, MLOPS_ENGINE, _PIPELINE, _STEP, _RUN_ID, _DATA_INTERVAL_*,
 * _METRICS_FILE, then adds
 *   inputs   {name: "<step>/<port>" in the run's folder, or an absolute path} as MLOPS_INPUT_<NAME>
 *   outputs  [port] as MLOPS_OUTPUT_<PORT> (model: the port of MLOPS_MODEL_DIR), in <step>/<port>
 *   params   {name: text} as MLOPS_PARAM_<NAME>
 *   env      every other variable as is (the user's env, MLFLOW_TRACKING_URI, snapshot versions)
 */
export interface StepEntry {
  readonly arguments: string[];
  readonly inputs?: { [name: string]: string };
  readonly outputs?: string[];
  readonly model?: string;
  readonly params?: { [name: string]: string };
  readonly env?: { [name: string]: string };
}

/** Names whose variable Python's str.upper() spells as JavaScript's toUpperCase() does. */
const ASCII_NAME = /^[A-Za-z0-9_]+$/;
/** A path under the run's folder that Jinja renders as itself and that needs no quoting. */
const RUN_RELATIVE = /^\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/**
 * The entry for a step's launch values (`environment` as launchInvocation gives it on the python
 * executor, run paths as `RUN_DIR + "/..."`), such that run_step gives the launcher exactly the
 * same arguments and variables; undefined when a value is neither text nor a run path (the task
 * then takes its values inline).
 */
export function stepEntry(step: ContainerStep, pipelineName: string, args: PyValue[], environment: { [name: string]: PyValue }): StepEntry | undefined {
  // run_step always sets these variables: the step must have each (it does on the python executor).
  const always = [contract.ENGINE_VAR, contract.PIPELINE_VAR, contract.STEP_VAR, contract.RUN_ID_VAR, contract.DATA_INTERVAL_START_VAR, contract.DATA_INTERVAL_END_VAR, contract.METRICS_FILE_VAR];
  if (!args.every((a): a is string => typeof a === 'string') || always.some((v) => environment[v] === undefined)) {
    return undefined;
  }
  const derived = new Map<string, string>([
    [contract.ENGINE_VAR, 'airflow'],
    [contract.PIPELINE_VAR, pipelineName],
    [contract.STEP_VAR, step.name],
    [contract.RUN_ID_VAR, '{{ run_id }}'],
    [contract.DATA_INTERVAL_START_VAR, DATA_INTERVAL.start],
    [contract.DATA_INTERVAL_END_VAR, DATA_INTERVAL.end],
  ]);
  const byVariable = (names: string[], variable: (name: string) => string) =>
    new Map(names.filter((n) => ASCII_NAME.test(n)).map((n) => [variable(n), n]));
  const inputNames = byVariable(Object.keys(step.inputs()), contract.inputVar);
  const ports = Object.entries(step.outputPorts()).filter(([port]) => ASCII_NAME.test(port));
  const outputPorts = new Map(ports.map(([port, type]) => [outputVariable(step, port, type), port]));
  const paramNames = byVariable(Object.keys(step.params), contract.paramVar);
  const inputs: { [name: string]: string } = {};
  const outputs: string[] = [];
  let model: string | undefined;
  const params: { [name: string]: string } = {};
  const env: { [name: string]: string } = {};
  for (const [variable, given] of Object.entries(environment)) {
    const value = textOf(given);
    if (value === undefined || derived.get(variable) === value) {
      continue;
    }
    const inRun = runRelative(value);
    if (variable === contract.METRICS_FILE_VAR && inRun === `/${step.name}/metrics/${contract.METRICS_FILE_NAME}`) {
      continue;
    }
    const input = inputNames.get(variable);
    if (input !== undefined && inRun !== undefined) {
      inputs[input] = inRun.slice(1);
      continue;
    }
    if (input !== undefined && typeof value === 'string' && value.startsWith('/')) {
      inputs[input] = value;
      continue;
    }
    const port = outputPorts.get(variable);
    if (port !== undefined && inRun === `/${step.name}/${port}` && variable === contract.MODEL_DIR_VAR) {
      model = port;
      continue;
    }
    if (port !== undefined && inRun === `/${step.name}/${port}` && variable === contract.outputVar(port)) {
      outputs.push(port);
      continue;
    }
    if (typeof value !== 'string') {
      return undefined;
    }
    const param = paramNames.get(variable);
    if (param !== undefined) {
      params[param] = value;
    } else {
      env[variable] = value;
    }
  }
  return {
    arguments: args,
    ...(Object.keys(inputs).length > 0 ? { inputs } : {}),
    ...(outputs.length > 0 ? { outputs } : {}),
    ...(model !== undefined ? { model } : {}),
    ...(Object.keys(params).length > 0 ? { params } : {}),
    ...(Object.keys(env).length > 0 ? { env } : {}),
  };
}

/** A string literal written as a Python expression (a file input's path) as the text it is. */
function textOf(value: PyValue): PyValue {
  const m = value instanceof PyExpr ? /^"(?:[^"\\]|\\.)*"$/.exec(value.code) : null;
  return m ? (JSON.parse(m[0]) as string) : value;
}

/** `/<path>` of a value `RUN_DIR + "/<path>"` when the path is plain, else undefined. */
function runRelative(value: PyValue): string | undefined {
  if (!(value instanceof PyExpr)) {
    return undefined;
  }
  const m = /^RUN_DIR \+ ("(?:[^"\\]|\\.)*")$/.exec(value.code);
  const path = m ? (JSON.parse(m[1]) as string) : undefined;
  return path !== undefined && RUN_RELATIVE.test(path) ? path : undefined;
}
