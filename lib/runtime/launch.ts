import { ArtifactType, DataSource } from '../pipeline/artifacts';
import { isA } from '../pipeline/brand';
import { FeatureSnapshot, SNAPSHOT_FLAG, snapshotVersionVar } from '../pipeline/feature-snapshot';
import { ContainerStep } from '../pipeline/steps/container-step';
import * as contract from '../pipeline/contract';
import { RetryPolicy } from '../pipeline/policies';
import { StepKind } from '../pipeline/step';
import { LiteralValue, ParameterRef, ValueType } from '../pipeline/values';

/**
 * What an engine supplies to start a container step through the launcher: where each directory
 * is, and how it writes values only known at run time (its placeholders, or expressions of type
 * V such as SageMaker's `{ Get: ... }`). Everything else (which variables, which flags, in which
 * order) is the one launch contract below, the same on every engine.
 */
export interface LaunchTarget<V = never> {
  /** MLOPS_ENGINE: 'sagemaker', 'argo', 'kubeflow', 'airflow' or 'local'. */
  readonly engine: string;
  readonly pipelineName: string;
  /** MLOPS_STEP, where the engine passes it in (a template shared by steps of one shape). @default the step's name */
  readonly stepName?: string | V;
  /** The directory input `name` is found in. */
  readonly inputPath: (name: string, source: DataSource) => string | V;
  /** The directory output port `port` is written to (a script's output, a training step's model). */
  readonly outputPath: (port: string, type: ArtifactType) => string | V;
  readonly metricsFile: string | V;
  /** The run's id; leave it out where the engine cannot give it without defeating its cache. */
  readonly runId?: string | V;
  /** forEach steps: the item this run handles. */
  readonly item?: string | V;
  /** A pipeline parameter's value as text at run time. */
  readonly parameter: (ref: ParameterRef, param: string) => string | V;
  /**
   * The text of the pipeline parameter that gives feature snapshot input `input` its version.
   * Engines without it refuse such inputs at synth time (their snapshot resolver does).
   */
  readonly snapshotVersion?: (input: string, ref: ParameterRef) => string | V;
  /** Where the contract variables go: the container's environment, or `--env` launcher flags
   * (engines that substitute placeholders only in arguments). @default 'environment' */
  readonly contractVariables?: 'environment' | 'arguments';
  /** The user's `env` too as `--env` flags (KFP: its cache key covers arguments, not env). @default false */
  readonly userEnvInArguments?: boolean;
  /** The code root, when the launcher is not run from inside the code archive (local runs). */
  readonly codeDir?: string;
  /** Retry failed attempts inside the launcher (engines whose own retries cannot see a script's exit). */
  readonly retryInLauncher?: RetryPolicy;
  /** A file per metric that the launcher writes the metric's value to (Argo, KFP output parameters). */
  readonly metricFile?: (metric: string) => string;
  /** Print numeric metrics as '[mlops-metric] name=value' lines (SageMaker training jobs). */
  readonly echoMetrics?: boolean;
  /** True for inputs whose directory holds model tarballs to unpack (SageMaker models). */
  readonly unpack?: (name: string, source: DataSource) => boolean;
  /** Launcher flags that only this engine knows, placed before the script's own arguments. */
  readonly extraArguments?: string[];
  /** MLFLOW_TRACKING_URI of every step, unless the step's own env sets it. @default none */
  readonly trackingUri?: string;
  /** The run's data interval (MLOPS_DATA_INTERVAL_START/END), where the engine has one. @default none */
  readonly dataInterval?: { readonly start: string | V; readonly end: string | V };
}

/** The launcher invocation of one container step. */
export interface LaunchInvocation<V = never> {
  /** The launcher's arguments (what follows `python3 <launcher or code archive>`). */
  readonly arguments: (string | V)[];
  /** Variables for the container's environment: the contract's (unless given as flags), then the user's env. */
  readonly environment: [string, string | V][];
}

/**
 * The launcher command line and MLOPS_* environment of a container step on any engine. Pipeline-
 * wide additions to the step contract go here once.
 */
export function launchInvocation<V = never>(step: ContainerStep, target: LaunchTarget<V>): LaunchInvocation<V> {
  const vars: [string, string | V][] = [
    [contract.ENGINE_VAR, target.engine],
    [contract.PIPELINE_VAR, target.pipelineName],
    [contract.STEP_VAR, target.stepName ?? step.name],
  ];
  if (target.runId !== undefined) {
    vars.push([contract.RUN_ID_VAR, target.runId]);
  }
  if (target.dataInterval !== undefined) {
    vars.push([contract.DATA_INTERVAL_START_VAR, target.dataInterval.start], [contract.DATA_INTERVAL_END_VAR, target.dataInterval.end]);
  }
  const inputs = step.inputs();
  for (const name of Object.keys(inputs)) {
    vars.push([contract.inputVar(name), target.inputPath(name, inputs[name])]);
  }
  const snapshots = Object.entries(inputs).filter((entry): entry is [string, FeatureSnapshot] => isA(entry[1], FeatureSnapshot));
  for (const [name, source] of snapshots) {
    const version = snapshotVersionText(source, name, target);
    if (version !== undefined) {
      vars.push([snapshotVersionVar(name), version]);
    }
  }
  for (const [port, type] of Object.entries(step.outputPorts())) {
    vars.push([outputVariable(step, port, type), target.outputPath(port, type)]);
  }
  vars.push([contract.METRICS_FILE_VAR, target.metricsFile]);
  for (const [name, value] of Object.entries(step.params)) {
    vars.push([contract.paramVar(name), isA(value, ParameterRef) ? target.parameter(value, name) : contract.paramText((value as LiteralValue).value)]);
  }
  if (step.forEach !== undefined) {
    if (target.item === undefined) {
      throw new Error(`internal: ${target.engine} gave no item placeholder for forEach step '${step.name}'`);
    }
    vars.push([contract.ITEM_VAR, target.item]);
  }
  if (target.trackingUri !== undefined && step.env[contract.TRACKING_URI_VAR] === undefined) {
    vars.push([contract.TRACKING_URI_VAR, target.trackingUri]);
  }
  const userEnv: [string, string][] = Object.entries(step.env);

  const args: (string | V)[] = ['--entry', step.entry];
  if (target.codeDir !== undefined) {
    args.push('--code', target.codeDir);
  }
  const env: [string, string | V][] = [];
  const asFlags = (list: [string, string | V][]) => list.forEach(([name, value]) => args.push('--env', `${name}=${value as string}`));
  if (target.contractVariables === 'arguments') {
    if (vars.some(([, value]) => typeof value !== 'string')) {
      throw new Error(`internal: ${target.engine} passes contract variables as flags, but not all of them are text`);
    }
    asFlags(vars);
  } else {
    env.push(...vars);
  }
  if (target.userEnvInArguments) {
    asFlags(userEnv);
  } else {
    env.push(...userEnv);
  }
  const retry = target.retryInLauncher;
  if (retry && retry.maxRetries > 0) {
    args.push('--retries', String(retry.maxRetries), '--interval', String(retry.intervalSeconds), '--backoff', String(retry.backoffRate));
  }
  const metricTypes = step.metricTypes();
  for (const [metric, type] of Object.entries(metricTypes)) {
    args.push(type === ValueType.STRING ? '--string-metric' : '--metric', metric);
  }
  if (target.metricFile) {
    for (const metric of Object.keys(metricTypes)) {
      args.push('--metric-file', `${metric}=${target.metricFile(metric)}`);
    }
  }
  if (target.echoMetrics && Object.values(metricTypes).includes(ValueType.NUMBER)) {
    args.push('--echo-metrics');
  }
  for (const name of Object.keys(inputs)) {
    if (target.unpack?.(name, inputs[name])) {
      args.push('--unpack', name);
    }
  }
  for (const [name, source] of snapshots) {
    args.push(SNAPSHOT_FLAG, `${name}=${source.table}`);
  }
  args.push(...(target.extraArguments ?? []));
  if (step.arguments.length > 0) {
    args.push('--', ...step.arguments);
  }
  return { arguments: args, environment: env };
}

/**
 * A snapshot input's version: its literal, or the parameter's text where the engine passes it.
 * Undefined where it does not (that engine's resolver refuses the input; the launcher refuses a
 * snapshot input without a version).
 */
function snapshotVersionText<V>(source: FeatureSnapshot, input: string, target: LaunchTarget<V>): string | V | undefined {
  if (isA(source.version, ParameterRef)) {
    return target.snapshotVersion?.(input, source.version);
  }
  return (source.version as LiteralValue).value as string;
}

/** The variable an output port is found through: MLOPS_MODEL_DIR for a training step's model. */
export function outputVariable(step: ContainerStep, port: string, type: ArtifactType): string {
  return step.kind === StepKind.TRAINING && type === ArtifactType.MODEL ? contract.MODEL_DIR_VAR : contract.outputVar(port);
}
