import * as fs from 'fs';
import * as path from 'path';
import { BEST_PARAMETERS_FILE, BEST_PARAMETERS_PORT, TuneStep } from '../pipeline/steps/tune-step';
import { AlgorithmName } from '../pipeline/tuning';
import { copyDirectory, removeTree, tempName, writeJsonAtomic } from './atomic';
import { canonicalJson } from './fingerprint';
import type { ProcessTaskContext } from './process-task';
import { stopProcessesOfRun } from './resume';
import type { Task } from './run-progress';
import { StepRecord, TaskState } from './state';
import { describeValues, freshSeed, planTrials, runLimited } from './tuning-search';
import { loadTrials, saveTrials, TRIALS_FORMAT, TrialRecord, TrialsFile } from './tuning-state';
import { runTrial, TrialRunContext, trialLine, trialResultDir } from './tuning-trials';

/**
 * Runs a tuning step: plans its trials (or takes those of an earlier start of this run, when
 * resumed), runs the unfinished ones `parallel` at a time, then publishes the best trial's model,
 * parameters.json and objective metric as the step's result. trials.json in the step's directory
 * records every trial after every change, so a resume keeps finished trials and reruns the rest.
 */
export async function runSearch(task: Task, context: ProcessTaskContext, parallel: number): Promise<void> {
  const { step: planned } = task;
  const record = task.record as StepRecord;
  const step = planned.step as TuneStep;
  const { run, progress, reporter } = context;
  const started = Date.now();
  record.state = TaskState.RUNNING;
  record.startedAt = new Date(started).toISOString();
  record.error = undefined;
  record.logTail = undefined;
  record.detail = undefined;
  record.metrics = undefined;
  record.attempts++;
  run.clearTask(planned.name);
  const stepDir = run.taskDir(planned.name);
  // The search's own log (one line per trial, each trial's output is in trials/<n>/logs/).
  const logFile = run.logFile(planned.name, undefined, record.attempts);
  const log = (line: string) => {
    fs.appendFileSync(logFile, line + '\n');
    reporter.stepOutput(planned.name, line);
  };

  const search = openSearch(step, stepDir, run.runId, (m) => reporter.notice(m));
  const save = () => saveTrials(stepDir, search);
  const metric = step.objective.metric;
  const total = search.trials.length;
  const finished = () => search.trials.filter((t) => t.status === 'succeeded' || t.status === 'failed');
  const failed = () => search.trials.filter((t) => t.status === 'failed');
  const tooManyFailed = () => step.maxFailedTrials !== undefined && failed().length > step.maxFailedTrials;
  const show = () => {
    const best = bestTrial(step, search.trials);
    record.detail = `${finished().length}/${total} trials${best ? `, best ${metric} ${best.metric} (trial ${best.trial})` : ''}`;
    progress.changed(planned);
  };
  save();
  show();
  log(`[mlops] ${step.algorithm.name} search${search.seed !== undefined ? ` (seed ${search.seed})` : ''}: ${total} trials, ${parallel} at a time, ${step.objective}`);

  const trialContext: TrialRunContext = {
    step: planned,
    trial: step.trial,
    retry: planned.retry,
    timeoutSeconds: planned.timeoutSeconds,
    objectiveMetric: metric,
    total,
    task: context,
    changed: () => {
      save();
      show();
    },
  };
  const todo = search.trials.filter((t) => t.status === 'pending');
  await runLimited(todo.length, parallel, async (i) => {
    const trial = todo[i];
    await runTrial(trial, trialContext);
    if (trial.status !== 'pending') {
      log(trialLine(trial, total, metric));
    }
    search.best = bestTrial(step, search.trials)?.trial;
    trialContext.changed();
  }, () => context.interruption.interrupted || progress.failure !== undefined || tooManyFailed());

  if (search.trials.some((t) => t.status === 'pending' || t.status === 'running') && !tooManyFailed()) {
    // Interrupted (or another step failed): the finished trials stay in trials.json for a resume.
    record.state = TaskState.PENDING;
    record.detail = context.interruption.interrupted ? 'interrupted' : `${finished().length}/${total} trials; stopped: the run failed`;
    progress.changed(planned);
    return;
  }
  const best = bestTrial(step, search.trials);
  // The trial that failed last in time (trials end out of order when they run in parallel).
  const lastFailed = [...failed()].sort((a, b) => (Date.parse(b.finishedAt ?? '') || 0) - (Date.parse(a.finishedAt ?? '') || 0) || b.trial - a.trial)[0];
  const failure = tooManyFailed()
    ? `${failed().length} of its ${total} trials failed, more than maxFailedTrials (${step.maxFailedTrials}); the last: ${describeFailure(lastFailed)}`
    : best === undefined ? `every one of its ${total} trials failed; the last: ${describeFailure(lastFailed)}` : undefined;
  if (failure !== undefined) {
    log(`[mlops] ${failure}`);
    record.error = failure;
    record.logTail = lastFailed.logTail;
    progress.finishRecord(planned, record, TaskState.FAILED, started);
    progress.fail(`step '${planned.name}' failed: ${failure}`);
    return;
  }
  publishBest(step, best!, path.join(stepDir, 'result'), trialResultDir(trialContext, best!.trial));
  record.metrics = { [metric]: best!.metric };
  record.detail = `best of ${total} trials: trial ${best!.trial}, ${describeValues(best!.params)}, ${metric} ${best!.metric}`;
  log(`[mlops] ${record.detail}`);
  progress.finishRecord(planned, record, TaskState.SUCCEEDED, started);
}

function describeFailure(trial: TrialRecord): string {
  return `trial ${trial.trial} (${describeValues(trial.params)}) ${trial.error}`;
}

/** The best succeeded trial; ties go to the earlier trial. */
export function bestTrial(step: TuneStep, trials: TrialRecord[]): TrialRecord | undefined {
  let best: TrialRecord | undefined;
  for (const trial of trials) {
    if (trial.status === 'succeeded' && (best === undefined || step.objective.isBetter(trial.metric!, best.metric!))) {
      best = trial;
    }
  }
  return best;
}

/**
 * The trials of this start: those of an earlier start of the run when they are the ones the
 * search plans now (a resume), else a new plan. Interrupted trials run again; finished ones whose
 * result is there are kept, so none is lost or counted twice.
 */
function openSearch(step: TuneStep, stepDir: string, runId: string, notice: (message: string) => void): TrialsFile {
  const earlier = loadTrials(stepDir, step.name);
  const random = step.algorithm.name === AlgorithmName.RANDOM;
  const seed = random ? step.seed ?? earlier?.seed ?? freshSeed() : undefined;
  const values = planTrials(step, seed ?? 0);
  const objective = { goal: step.objective.goal, metric: step.objective.metric };
  const same = earlier !== undefined && earlier.algorithm === step.algorithm.name && earlier.seed === seed
    && canonicalJson(earlier.objective) === canonicalJson(objective)
    && canonicalJson(earlier.trials.map((t) => t.params)) === canonicalJson(values);
  if (earlier !== undefined) {
    stopOrphans(earlier.trials, runId);
  }
  if (same) {
    for (const trial of earlier!.trials) {
      const lost = trial.status === 'succeeded' && !fs.existsSync(path.join(stepDir, 'trials', String(trial.trial), 'result'));
      if (trial.status === 'running' || trial.status === 'pending' || lost) {
        trial.status = 'pending';
        trial.metric = undefined;
        trial.error = undefined;
        trial.pid = undefined;
      }
    }
    const kept = earlier!.trials.filter((t) => t.status !== 'pending').length;
    if (kept > 0) {
      notice(`step '${step.name}': ${kept} of ${values.length} trials finished before the resume and are kept; the other ${values.length - kept} run now`);
    }
    return earlier!;
  }
  if (earlier !== undefined) {
    notice(`step '${step.name}': the trials of its earlier start are not the ones its search plans now; the search starts over`);
  }
  removeTree(path.join(stepDir, 'trials'));
  return {
    format: TRIALS_FORMAT,
    step: step.name,
    algorithm: step.algorithm.name,
    ...(seed !== undefined ? { seed } : {}),
    objective,
    trials: values.map((params, i) => ({ trial: i + 1, params, status: 'pending', attempts: 0 })),
  };
}

/** The step's result: model/ (the best trial's), outputs/parameters/parameters.json and metrics.json, renamed into place whole. */
function publishBest(step: TuneStep, best: TrialRecord, resultDir: string, bestResult: string): void {
  const building = path.join(path.dirname(resultDir), tempName('result'));
  try {
    copyDirectory(path.join(bestResult, 'model'), path.join(building, 'model'));
    const parameters = path.join(building, 'outputs', BEST_PARAMETERS_PORT);
    fs.mkdirSync(parameters, { recursive: true });
    writeJsonAtomic(path.join(parameters, BEST_PARAMETERS_FILE), best.params);
    writeJsonAtomic(path.join(building, 'metrics.json'), { [step.objective.metric]: best.metric });
    fs.renameSync(building, resultDir);
  } catch (e) {
    removeTree(building);
    throw e;
  }
}

/**
 * A runner killed with SIGKILL leaves trial processes running: stop those of this run (checked
 * by MLOPS_RUN_ID in their environment, so a reused pid is never hit). Linux only (/proc).
 */
function stopOrphans(trials: TrialRecord[], runId: string): void {
  stopProcessesOfRun(trials.filter((t) => t.status === 'running').map((t) => t.pid), runId);
}
