import { Scalar } from '../pipeline/values';

/** Where one step (or one forEach item) is. */
export enum TaskState {
  PENDING = 'pending',
  RUNNING = 'running',
  SUCCEEDED = 'succeeded',
  /** Succeeded by reusing a cached result. */
  CACHED = 'cached',
  FAILED = 'failed',
  /** In a condition branch that was not taken. */
  SKIPPED = 'skipped',
}

export enum RunStatus {
  RUNNING = 'running',
  SUCCEEDED = 'succeeded',
  FAILED = 'failed',
  /** Stopped by Ctrl-C (or a signal); resumable. */
  INTERRUPTED = 'interrupted',
}

/** States after which a step never runs again in this run (a resume keeps them). */
export const FINISHED_STATES: ReadonlySet<string> = new Set([TaskState.SUCCEEDED, TaskState.CACHED, TaskState.SKIPPED]);

/** One unit of execution: a step, or one item of a forEach step. */
export interface TaskRecord {
  state: TaskState;
  /** Attempts started so far (log files are numbered by them). */
  attempts: number;
  item?: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  cacheKey?: string;
  /** What the step wrote to its metrics file; undefined when it wrote none. */
  metrics?: { [name: string]: unknown };
  /** Content fingerprints of the result's artifacts ('outputs/<name>', 'model'), once computed. */
  fingerprints?: { [artifact: string]: string };
  error?: string;
  /** The last log lines of a failed attempt. */
  logTail?: string[];
  /** The process running the step (its group leader), while it runs. */
  pid?: number;
  /** Free text shown next to the state: 'retry 1 of 2 in 5s', 'cache hit', ... */
  detail?: string;
}

export interface StepRecord extends TaskRecord {
  kind: string;
  /** Condition steps: the branch taken. */
  outcome?: 'then' | 'otherwise';
  /** Register-model steps: the version created. */
  registered?: { group: string; version: number; path: string };
  /** forEach steps: one record per item, in item order. */
  items?: TaskRecord[];
}

/** run.json: what a run is, written once when it starts. */
export interface RunInfo {
  format: string;
  runId: string;
  pipeline: string;
  createdAt: string;
  parameters: { [name: string]: Scalar };
  cacheMode: string;
  /** Step names in the order the run planned them. */
  steps: string[];
  /** The data interval the run covers (--interval, --backfill). */
  dataInterval?: { start: string; end: string };
}

/** Where a run is: state.json (the run) and steps/<step>/state.json (each step), replaced atomically on every change. */
export interface RunState {
  format: string;
  runId: string;
  status: RunStatus;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
  error?: string;
  /** How often this run was resumed. */
  resumes: number;
  steps: { [name: string]: StepRecord };
}

export const RUN_FORMAT = 'mlops-local-run/1';

/** state.json holds the run's fields; each step's record is in steps/<step>/state.json. */
export type RunStateFile = Omit<RunState, 'steps'>;

/** Problems with a parsed state.json, so a tampered or truncated file is never trusted. */
export function runStateProblems(value: unknown, info: RunInfo): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return ['it is not a JSON object'];
  }
  const s = value as Partial<RunStateFile>;
  const problems: string[] = [];
  if (s.format !== RUN_FORMAT) {
    problems.push(`format is ${JSON.stringify(s.format)}, expected '${RUN_FORMAT}'`);
  }
  if (s.runId !== info.runId) {
    problems.push(`it belongs to run ${JSON.stringify(s.runId)}, not '${info.runId}'`);
  }
  if (!Object.values(RunStatus).includes(s.status as RunStatus)) {
    problems.push(`status ${JSON.stringify(s.status)} is not a run status`);
  }
  if (!Number.isSafeInteger(s.resumes)) {
    problems.push(`resumes is ${JSON.stringify(s.resumes)}`);
  }
  return problems;
}

/** Problems with a parsed steps/<step>/state.json. */
export function stepRecordProblems(value: unknown, step: string): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return [`step '${step}' has a record that is not a JSON object`];
  }
  const record = value as StepRecord;
  const problems = taskProblems(record, `step '${step}'`);
  if (record.items !== undefined && !Array.isArray(record.items)) {
    problems.push(`step '${step}' has items that are not a list`);
  }
  for (const [i, item] of (Array.isArray(record.items) ? record.items : []).entries()) {
    problems.push(...taskProblems(item, `step '${step}' item ${i}`));
  }
  return problems;
}

function taskProblems(record: TaskRecord, at: string): string[] {
  const problems: string[] = [];
  if (!Object.values(TaskState).includes(record?.state)) {
    problems.push(`${at} has state ${JSON.stringify(record?.state)}`);
  }
  if (!Number.isSafeInteger(record?.attempts) || record.attempts < 0) {
    problems.push(`${at} has attempts ${JSON.stringify(record?.attempts)}`);
  }
  return problems;
}
