import * as fs from 'fs';
import { RUN_ID_VAR } from '../pipeline/contract';
import { PlannedStep } from './planned';
import { RunDirectory } from './run-directory';
import { FINISHED_STATES, RunStatus, TaskRecord, TaskState } from './state';

/**
 * Prepares an earlier run for `--resume`: stops step processes a killed runner left behind, keeps
 * what finished (when its result is really there), and sets everything else back to pending.
 * Returns notices for the user. A run that already succeeded is left as it is.
 */
export function prepareResume(run: RunDirectory, steps: PlannedStep[]): string[] {
  const state = run.state;
  if (state.status === RunStatus.SUCCEEDED) {
    return [`run ${run.runId} already succeeded; there is nothing to resume`];
  }
  const notices: string[] = [];
  stopOrphans(run);
  state.status = RunStatus.RUNNING;
  state.resumes++;
  state.error = undefined;
  state.finishedAt = undefined;
  for (const step of steps) {
    const record = state.steps[step.name];
    const isContainer = step.handler.runsAs === 'process';
    if (FINISHED_STATES.has(record.state) && record.state !== TaskState.SKIPPED && isContainer && !record.items && !fs.existsSync(run.resultDir(step.name))) {
      notices.push(`step '${step.name}' was recorded as finished but its result directory is missing; it runs again`);
      record.state = TaskState.PENDING;
    }
    const lost = FINISHED_STATES.has(record.state) ? (record.items ?? []).findIndex((item, i) => item.state !== TaskState.SKIPPED && !fs.existsSync(run.resultDir(step.name, i))) : -1;
    if (lost >= 0) {
      notices.push(`step '${step.name}' was recorded as finished but the result directory of item ${lost} ('${record.items![lost].item}') is missing; the items without a result run again`);
      record.state = TaskState.PENDING;
    }
    if (FINISHED_STATES.has(record.state)) {
      continue;
    }
    reset(record);
    record.outcome = undefined;
    record.registered = undefined;
    record.items?.forEach((item, i) => {
      const resultMissing = item.state !== TaskState.SKIPPED && !fs.existsSync(run.resultDir(step.name, i));
      if (!FINISHED_STATES.has(item.state) || resultMissing) {
        reset(item);
      }
    });
  }
  steps.forEach((step) => run.saveStep(step.name));
  run.save();
  return notices;
}

function reset(record: TaskRecord): void {
  record.state = TaskState.PENDING;
  record.error = undefined;
  record.logTail = undefined;
  record.detail = undefined;
  record.pid = undefined;
}

/**
 * A runner killed with SIGKILL leaves its step processes running. Stops those of this run, found
 * by their recorded pid and checked to be this run's by MLOPS_RUN_ID in their environment (so a
 * reused pid is never hit). Linux only (/proc); elsewhere they run to their end, harmlessly: their
 * attempt directories are never promoted.
 */
function stopOrphans(run: RunDirectory): void {
  const records = Object.values(run.state.steps).flatMap((r) => [r, ...(r.items ?? [])]);
  stopProcessesOfRun(records.filter((r) => r.state === TaskState.RUNNING).map((r) => r.pid), run.runId);
}

/** Kills the process groups of `pids` that still belong to run `runId` (pids may be reused). */
export function stopProcessesOfRun(pids: (number | undefined)[], runId: string): void {
  for (const pid of pids) {
    if (pid && belongsToRun(pid, runId)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }
}

function belongsToRun(pid: number, runId: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`${RUN_ID_VAR}=${runId}`);
  } catch {
    return false;
  }
}
