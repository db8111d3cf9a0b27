import * as fs from 'fs';
import * as path from 'path';
import { ArtifactType } from '../pipeline/artifacts';
import * as contract from '../pipeline/contract';
import { MODEL_DIR_VAR } from '../pipeline/contract';
import { TrainingStep } from '../pipeline/steps/training-step';
import { outputVariable } from '../runtime/launch';
import { removeTree, tempName } from './atomic';
import { interpreterFor } from './interpreters';
import { PlannedRetry, PlannedStep } from './planned';
import type { ProcessTaskContext } from './process-task';
import { startProcess } from './process';
import { localInvocation } from './step-environment';
import { TrialRecord } from './tuning-state';
import { describeValues, trialParamTexts } from './tuning-search';

/** What running the trials of one tuning step needs. */
export interface TrialRunContext {
  readonly step: PlannedStep;
  readonly trial: TrainingStep;
  readonly retry: PlannedRetry;
  readonly timeoutSeconds?: number;
  readonly objectiveMetric: string;
  readonly total: number;
  readonly task: ProcessTaskContext;
  /** Called after every change of a trial's record (saves trials.json, updates the step's line). */
  readonly changed: () => void;
}

type AttemptOutcome = 'stopped' | { ok: true; metric: number } | { ok: false; reason: string; tail: string[] };

/** steps/<step>/trials/<n>/: the trial's logs/ and, once it succeeded, its result/ (model/, metrics.json). */
export function trialDir(context: TrialRunContext, trial: number): string {
  return path.join(context.task.run.taskDir(context.step.name), 'trials', String(trial));
}

export function trialResultDir(context: TrialRunContext, trial: number): string {
  return path.join(trialDir(context, trial), 'result');
}

/**
 * Runs one trial to its end: attempts of the trial's launcher process with the trial step's
 * retries and timeout, each in a private directory renamed to result/ only on success. Leaves the
 * record 'succeeded' (with the objective's value), 'failed' (with the reason), or 'pending' when
 * the run was interrupted.
 */
export async function runTrial(record: TrialRecord, context: TrialRunContext): Promise<void> {
  const started = Date.now();
  record.startedAt = new Date(started).toISOString();
  record.finishedAt = undefined;
  const dir = trialDir(context, record.trial);
  clearTrial(dir);
  const maxAttempts = context.retry.maxRetries + 1;
  for (let attempt = 1; ; attempt++) {
    record.attempts++;
    record.status = 'running';
    record.error = undefined;
    record.logTail = undefined;
    const outcome = await runAttempt(record, record.attempts, context);
    record.pid = undefined;
    if (outcome === 'stopped') {
      record.status = 'pending';
      context.changed();
      return;
    }
    if (outcome.ok) {
      record.status = 'succeeded';
      record.metric = outcome.metric;
      record.finishedAt = new Date().toISOString();
      record.durationMs = Date.now() - started;
      context.changed();
      return;
    }
    if (attempt >= maxAttempts || context.task.interruption.interrupted) {
      record.status = 'failed';
      record.error = `${outcome.reason}${attempt > 1 ? ` after ${attempt} attempts` : ''}`;
      record.logTail = outcome.tail;
      record.finishedAt = new Date().toISOString();
      record.durationMs = Date.now() - started;
      context.changed();
      return;
    }
    const delay = context.retry.intervalSeconds * Math.pow(context.retry.backoffRate, attempt - 1);
    context.task.reporter.stepOutput(context.step.name, `[mlops] trial ${record.trial}: ${outcome.reason}; retrying in ${delay}s (retry ${attempt} of ${context.retry.maxRetries})`, `trial ${record.trial}`);
    context.changed();
    if (!(await context.task.interruption.sleep(delay * 1000))) {
      record.status = 'pending';
      context.changed();
      return;
    }
  }
}

/** Removes what an interrupted start left: temporary attempt directories and an untrusted result. */
function clearTrial(dir: string): void {
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  for (const name of fs.readdirSync(dir)) {
    if (name !== 'logs') {
      removeTree(path.join(dir, name));
    }
  }
}

async function runAttempt(record: TrialRecord, attempt: number, context: TrialRunContext): Promise<AttemptOutcome> {
  const { step, trial, task } = context;
  const dir = trialDir(context, record.trial);
  const attemptDir = path.join(dir, tempName(`attempt-${attempt}`));
  const workDir = path.join(attemptDir, 'work');
  fs.mkdirSync(workDir, { recursive: true });
  const scratchDirs: string[] = [];
  const scratch = () => {
    const at = path.join(dir, tempName(`input-${attempt}`));
    fs.mkdirSync(at);
    scratchDirs.push(at);
    return at;
  };
  const label = `trial ${record.trial}`;
  try {
    const inputDirs = new Map(step.inputs.map((input) => [input.name, input.read.directory(task.sources, scratch)]));
    const launch = localInvocation(step, trial, (port, type) => path.join(attemptDir, trialPortPath(trial, port, type)), {
      pipeline: task.pipeline,
      runId: task.run.runId,
      base: task.env,
      attemptDir,
      inputDirectory: (name) => inputDirs.get(name)!,
      dataInterval: task.dataInterval,
    });
    // The search's values reach the trial like params (validation keeps their names apart).
    for (const [name, text] of Object.entries(trialParamTexts(record.params))) {
      launch.env[contract.paramVar(name)] = text;
    }
    const interpreter = interpreterFor(step, task.interpreters);
    const proc = startProcess({
      command: interpreter,
      args: launch.args,
      cwd: workDir,
      env: launch.env,
      logFile: path.join(dir, 'logs', `attempt-${attempt}.log`),
      timeoutSeconds: context.timeoutSeconds,
      tailLines: task.logTailLines,
      onLine: (line) => task.reporter.stepOutput(step.name, line.split(attemptDir).join(path.join(dir, 'result')), label),
    });
    task.interruption.processes.add(proc);
    record.pid = proc.pid;
    context.changed();
    if (task.interruption.interrupted) {
      proc.stop();
    }
    const result = await proc.result;
    task.interruption.processes.delete(proc);
    if (result.logError) {
      removeTree(attemptDir);
      throw result.logError;
    }
    if (result.stopped && task.interruption.interrupted) {
      removeTree(attemptDir);
      return 'stopped';
    }
    if (result.spawnError || result.exitCode !== 0) {
      removeTree(attemptDir);
      const contractProblem = result.tail.find((line) => line.startsWith('[mlops] step contract: '))?.slice('[mlops] step contract: '.length);
      const reason = result.spawnError
        ? `could not be started (${interpreter}: ${result.spawnError.message})`
        : result.timedOut
          ? `timed out after ${context.timeoutSeconds}s`
          : result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}${contractProblem ? ` (${contractProblem})` : ''}`;
      return { ok: false, reason, tail: result.tail };
    }
    const metric = objectiveOf(path.join(attemptDir, contract.METRICS_FILE_NAME), context.objectiveMetric);
    if (typeof metric === 'string') {
      removeTree(attemptDir);
      return { ok: false, reason: metric, tail: result.tail };
    }
    removeTree(workDir);
    fs.renameSync(attemptDir, path.join(dir, 'result'));
    return { ok: true, metric };
  } finally {
    scratchDirs.forEach(removeTree);
  }
}

/** Where the trial's output port lives in its result: 'model', or outputs/<port>. */
export function trialPortPath(trial: TrainingStep, port: string, type: ArtifactType): string {
  return outputVariable(trial, port, type) === MODEL_DIR_VAR ? 'model' : `outputs/${port}`;
}

/** The objective's value in a trial's metrics file, or why there is none. */
function objectiveOf(file: string, metric: string): number | string {
  let metrics: unknown;
  try {
    metrics = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    return `wrote no readable metrics file (${(e as Error).message})`;
  }
  const value = (metrics as { [name: string]: unknown } | null)?.[metric];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return `wrote ${JSON.stringify(value)} for the objective metric '${metric}', not a finite number`;
  }
  return value;
}

/** The log line of a finished trial. */
export function trialLine(record: TrialRecord, total: number, metric: string): string {
  const what = `[mlops] trial ${record.trial}/${total} ${describeValues(record.params)}`;
  return record.status === 'succeeded' ? `${what}: ${metric} ${record.metric}` : `${what}: failed (${record.error})`;
}
