import * as fs from 'fs';
import * as path from 'path';
import { ContainerStep } from '../pipeline/steps/container-step';
import * as contract from '../pipeline/contract';
import { removeTree, tempName } from './atomic';
import { CacheStore } from './cache';
import { CacheKey, CacheKeys } from './cache-key';
import { directoryFingerprint } from './fingerprint';
import { interpreterFor, Interpreters } from './interpreters';
import { Interruption } from './interruption';
import { PlannedStep } from './planned';
import { startProcess } from './process';
import { RunReporter } from './reporter';
import { RunDirectory } from './run-directory';
import { RunProgress, Task } from './run-progress';
import { SourceRunContext } from './sources';
import { TaskState } from './state';

/** What running process tasks needs from the run. */
export interface ProcessTaskContext {
  readonly pipeline: string;
  readonly run: RunDirectory;
  readonly progress: RunProgress;
  readonly interruption: Interruption;
  readonly reporter: RunReporter;
  readonly cache: CacheStore;
  readonly cacheKeys: CacheKeys;
  readonly interpreters: Interpreters;
  readonly sources: SourceRunContext;
  /** The environment steps inherit. */
  readonly env: NodeJS.ProcessEnv;
  readonly dataInterval?: { readonly start: string; readonly end: string };
  readonly logTailLines?: number;
  /** The run's --max-parallel (steps that run several processes keep within it). */
  readonly maxParallel?: number;
}

type AttemptOutcome = 'stopped' | { ok: true } | { ok: false; reason: string; tail: string[] };

/**
 * Runs one task of a process step (the step, or one forEach item): its result from the cache when
 * the key matches, else attempts of the launcher process with the step's retries and timeout,
 * each in a private directory renamed into place only on success, then published to the cache.
 */
export async function runProcessTask(task: Task, context: ProcessTaskContext): Promise<void> {
  const { step, record, index } = task;
  const { progress, run } = context;
  const started = Date.now();
  record.state = TaskState.RUNNING;
  record.startedAt = new Date(started).toISOString();
  if (index !== undefined) {
    const parent = progress.record(step.name);
    parent.state = TaskState.RUNNING;
    parent.startedAt ??= record.startedAt;
  }
  record.error = undefined;
  record.logTail = undefined;
  record.detail = undefined;
  // Not saved yet: until the process runs (and its pid is recorded), a crash leaves the task
  // pending, which a resume treats the same way.
  run.clearTask(step.name, index);

  let cacheKey: CacheKey | undefined;
  if (step.cache) {
    cacheKey = keyOf(step, record.item, context);
    record.cacheKey = cacheKey.key;
    const { hit, rejected } = context.cache.check(cacheKey.key, step.cache.expireAfterHours);
    if (rejected !== undefined) {
      const which = record.item !== undefined ? `'${step.name}' (item '${record.item}')` : `'${step.name}'`;
      context.reporter.notice(`cache entry for ${which} ${rejected}; running the step again`);
    }
    if (hit && context.cache.restore(hit, run.resultDir(step.name, index))) {
      record.metrics = hit.metadata.metrics;
      record.fingerprints = { ...hit.metadata.artifactFingerprints };
      record.detail = `result of run ${hit.metadata.runId}`;
      progress.finishTask(task, TaskState.CACHED, started);
      return;
    }
  }

  const maxAttempts = step.retry.maxRetries + 1;
  for (let attempt = 1; ; attempt++) {
    record.attempts++;
    record.detail = maxAttempts > 1 ? `attempt ${attempt}/${maxAttempts}` : undefined;
    const outcome = await runAttempt(task, record.attempts, Date.now(), context);
    if (outcome === 'stopped') {
      record.state = TaskState.PENDING;
      record.pid = undefined;
      record.detail = 'interrupted';
      progress.changed(step);
      return;
    }
    if (outcome.ok) {
      if (cacheKey && step.cache) {
        publish(task, cacheKey, step.cache.expireAfterHours, context);
      }
      record.detail = attempt > 1 ? `after ${attempt} attempts` : undefined;
      progress.finishTask(task, TaskState.SUCCEEDED, started);
      return;
    }
    record.logTail = outcome.tail;
    if (attempt >= maxAttempts || context.interruption.interrupted || progress.failure !== undefined) {
      const attempts = attempt > 1 ? ` after ${attempt} attempts` : '';
      record.error = `${outcome.reason}${attempts}`;
      progress.finishTask(task, TaskState.FAILED, started);
      const which = record.item !== undefined ? `step '${step.name}' (item '${record.item}')` : `step '${step.name}'`;
      progress.fail(`${which} ${record.error}`);
      return;
    }
    const delay = step.retry.intervalSeconds * Math.pow(step.retry.backoffRate, attempt - 1);
    record.detail = `${outcome.reason}; retry ${attempt} of ${step.retry.maxRetries} in ${delay}s`;
    progress.changed(step);
    context.reporter.stepOutput(step.name, `[mlops] ${outcome.reason}; retrying in ${delay}s (retry ${attempt} of ${step.retry.maxRetries})`, record.item);
    if (!(await context.interruption.sleep(delay * 1000))) {
      record.state = TaskState.PENDING;
      record.detail = 'interrupted';
      progress.changed(step);
      return;
    }
  }
}

async function runAttempt(task: Task, attempt: number, started: number, context: ProcessTaskContext): Promise<AttemptOutcome> {
  const { step, record, index } = task;
  const { run, interruption } = context;
  const taskDir = run.taskDir(step.name, index);
  const attemptDir = path.join(taskDir, tempName(`attempt-${attempt}`));
  const workDir = path.join(attemptDir, 'work');
  fs.mkdirSync(workDir, { recursive: true });
  // Inputs assembled for this attempt (collections) live beside it, never in its result.
  const scratchDirs: string[] = [];
  const scratch = () => {
    const dir = path.join(taskDir, tempName(`input-${attempt}`));
    fs.mkdirSync(dir);
    scratchDirs.push(dir);
    return dir;
  };
  try {
    const inputDirs = new Map(step.inputs.map((input) => [input.name, input.read.directory(context.sources, scratch)]));
    const launch = step.handler.launch!(step, {
      pipeline: context.pipeline,
      runId: run.runId,
      base: context.env,
      attemptDir,
      inputDirectory: (name) => inputDirs.get(name)!,
      item: record.item,
      dataInterval: context.dataInterval,
    });
    const interpreter = interpreterFor(step, context.interpreters);
    const proc = startProcess({
      command: interpreter,
      args: launch.args,
      cwd: workDir,
      env: launch.env,
      logFile: run.logFile(step.name, index, attempt),
      timeoutSeconds: step.timeoutSeconds,
      tailLines: context.logTailLines,
      // A successful attempt's directory becomes the result directory: show paths as they will be.
      onLine: (line) => context.reporter.stepOutput(step.name, line.split(attemptDir).join(run.resultDir(step.name, index)), record.item),
    });
    interruption.processes.add(proc);
    record.pid = proc.pid;
    context.progress.changed(step, started);
    if (interruption.interrupted) {
      proc.stop();
    }
    const result = await proc.result;
    interruption.processes.delete(proc);
    record.pid = undefined;
    if (result.logError) {
      removeTree(attemptDir);
      throw result.logError;
    }
    if (result.stopped && interruption.interrupted) {
      removeTree(attemptDir);
      return 'stopped';
    }
    if (result.spawnError) {
      removeTree(attemptDir);
      return { ok: false, reason: `could not be started (${interpreter}: ${result.spawnError.message})`, tail: result.tail };
    }
    if (result.exitCode !== 0) {
      removeTree(attemptDir);
      // The launcher explains broken contracts (no metrics file, ...) in one line: lift it into the reason.
      const contractProblem = result.tail.find((line) => line.startsWith('[mlops] step contract: '))?.slice('[mlops] step contract: '.length);
      const reason = result.timedOut
        ? `timed out after ${step.timeoutSeconds}s`
        : result.signal
          ? `was killed by ${result.signal}`
          : `exited with code ${result.exitCode}${contractProblem ? ` (${contractProblem})` : ''}`;
      const diskFull = result.tail.some((line) => /No space left on device|ENOSPC|Disk quota exceeded/.test(line));
      const hint = diskFull ? `; its output says the disk is full: free space on the file system that holds ${run.directory} (df -h ${run.directory}), then resume the run` : '';
      return { ok: false, reason: reason + hint, tail: result.tail };
    }
    record.metrics = readMetrics(path.join(attemptDir, contract.METRICS_FILE_NAME));
    removeDirectory(workDir);
    fs.renameSync(attemptDir, run.resultDir(step.name, index));
    return { ok: true };
  } finally {
    scratchDirs.forEach(removeTree);
  }
}

function keyOf(step: PlannedStep, item: string | undefined, context: ProcessTaskContext): CacheKey {
  const inputs = Object.fromEntries(step.inputs.map((input) => [input.name, input.read.fingerprint(context.sources)]));
  return context.cacheKeys.keyOf(step, step.step as ContainerStep, item, inputs);
}

function publish(task: Task, { key, material }: CacheKey, expireAfterHours: number | undefined, context: ProcessTaskContext): void {
  const { step, record, index } = task;
  const result = context.run.resultDir(step.name, index);
  const fingerprints: { [artifact: string]: string } = {};
  for (const at of Object.values(step.ports)) {
    fingerprints[at] = directoryFingerprint(path.join(result, ...at.split('/')));
  }
  record.fingerprints = fingerprints;
  try {
    context.cache.publish(result, {
      key,
      pipeline: context.pipeline,
      step: step.name,
      item: record.item,
      runId: context.run.runId,
      metrics: record.metrics,
      artifactFingerprints: fingerprints,
      keyMaterial: material,
    }, expireAfterHours);
  } catch (e) {
    context.reporter.notice(`could not store the result of step '${step.name}' in the cache (${(e as Error).message}); the run goes on`);
  }
}

/** Removes a directory; the common case (the script left its scratch directory empty) is one rmdir. */
function removeDirectory(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch {
    removeTree(dir);
  }
}

/** The metrics file of a successful attempt, when the step wrote one (the launcher has checked it). */
function readMetrics(file: string): { [name: string]: unknown } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
