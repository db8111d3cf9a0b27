import * as fs from 'fs';
import * as path from 'path';
import { LocalRunPlan } from './planned';
import { RunDirectory } from './run-directory';
import { RunStatus, StepRecord, TaskRecord, TaskState } from './state';

/** One step (or forEach item) in the run report. */
export interface TaskReport {
  readonly state: TaskState;
  readonly item?: string;
  readonly attempts: number;
  readonly cached: boolean;
  readonly durationMs?: number;
  readonly metrics?: { readonly [name: string]: unknown };
  /** Output directories by output name (script steps that succeeded). */
  readonly outputs?: { readonly [name: string]: string };
  /** The model directory (training steps that succeeded). */
  readonly model?: string;
  /** Log files, one per attempt. */
  readonly logs: string[];
  readonly error?: string;
  readonly logTail?: string[];
}

export interface StepReport extends TaskReport {
  readonly name: string;
  readonly kind: string;
  readonly outcome?: string;
  readonly registered?: { readonly group: string; readonly version: number; readonly path: string };
  readonly items?: TaskReport[];
}

/** The machine-readable account of a run (`mlops run --json`). */
export interface RunReport {
  readonly runId: string;
  readonly pipeline: string;
  readonly status: RunStatus;
  readonly parameters: { readonly [name: string]: unknown };
  readonly runDir: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly durationMs?: number;
  readonly resumes: number;
  readonly error?: string;
  /** Steps in the order they were planned (a topological order). */
  readonly steps: StepReport[];
  readonly warnings: string[];
}

export function buildReport(plan: LocalRunPlan, run: RunDirectory, startedAtMs: number): RunReport {
  const state = run.state;
  const finished = state.finishedAt ? Date.parse(state.finishedAt) : undefined;
  return {
    runId: run.runId,
    pipeline: run.info.pipeline,
    status: state.status,
    parameters: run.info.parameters,
    runDir: run.directory,
    startedAt: state.startedAt,
    finishedAt: state.finishedAt,
    durationMs: finished !== undefined ? finished - startedAtMs : undefined,
    resumes: state.resumes,
    error: state.error,
    warnings: plan.warnings,
    steps: plan.steps.map((ps): StepReport => {
      const record: StepRecord = state.steps[ps.name];
      return {
        name: ps.name,
        kind: ps.kind,
        ...taskReport(run, ps.name, undefined, record, ps.ports),
        outcome: record.outcome,
        registered: record.registered,
        items: record.items?.map((item, i) => taskReport(run, ps.name, i, item, ps.ports)),
      };
    }),
  };
}

/** `ports`: where each directory port lives in the result; the model directory is reported as `model`, the others as outputs. */
function taskReport(run: RunDirectory, step: string, item: number | undefined, record: TaskRecord, ports: { readonly [port: string]: string }): TaskReport {
  const outputs = Object.keys(ports).filter((port) => ports[port] !== 'model');
  const hasModel = Object.values(ports).includes('model');
  const done = record.state === TaskState.SUCCEEDED || record.state === TaskState.CACHED;
  const result = run.resultDir(step, item);
  const hasResult = done && fs.existsSync(result);
  const logs: string[] = [];
  for (let n = 1; n <= record.attempts; n++) {
    const file = run.logFile(step, item, n);
    if (fs.existsSync(file)) {
      logs.push(file);
    }
  }
  return {
    state: record.state,
    item: record.item,
    attempts: record.attempts,
    cached: record.state === TaskState.CACHED,
    durationMs: record.durationMs,
    metrics: record.metrics,
    outputs: hasResult && outputs.length ? Object.fromEntries(outputs.map((o) => [o, path.join(result, ...ports[o].split('/'))])) : undefined,
    model: hasResult && hasModel ? path.join(result, 'model') : undefined,
    logs,
    error: record.error,
    logTail: record.logTail,
  };
}
