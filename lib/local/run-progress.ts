import { PlannedStep } from './planned';
import { RunReporter, StepView } from './reporter';
import { RunDirectory } from './run-directory';
import { FINISHED_STATES, StepRecord, TaskRecord, TaskState } from './state';

/** One unit of execution of a process step: the step, or one of its forEach items. */
export interface Task {
  readonly step: PlannedStep;
  readonly record: TaskRecord;
  /** forEach item index. */
  readonly index?: number;
}

/**
 * The run's state as it changes: each step's record, saved (one state file per step) and
 * reported on every change, and the first failure, which stops the run from starting anything new.
 */
export class RunProgress {
  /** Why the run failed, once something failed. */
  public failure?: string;

  constructor(private readonly run: RunDirectory, private readonly reporter: RunReporter) {}

  public record(step: string): StepRecord {
    return this.run.state.steps[step];
  }

  /** Records the first failure of the run (later ones do not replace it). */
  public fail(message: string): void {
    this.failure ??= message;
  }

  public finishTask(task: Task, state: TaskState, started: number): void {
    const { step, record } = task;
    record.state = state;
    record.finishedAt = new Date().toISOString();
    record.durationMs = Date.now() - started;
    record.pid = undefined;
    if (task.index === undefined) {
      this.finishRecord(step, record as StepRecord, state, started);
      return;
    }
    const parent = this.record(step.name);
    if (parent.items!.every((item) => FINISHED_STATES.has(item.state))) {
      this.completeForEach(step, parent);
    } else if (state === TaskState.FAILED) {
      parent.error = `item '${record.item}': ${record.error}`;
      this.finishRecord(step, parent, TaskState.FAILED, Date.parse(parent.startedAt ?? record.startedAt!));
    } else {
      this.changed(step);
    }
  }

  /** A forEach step whose items all finished: cached when every item was. */
  public completeForEach(step: PlannedStep, record: StepRecord): void {
    const all = record.items!;
    const state = all.every((item) => item.state === TaskState.CACHED) ? TaskState.CACHED : TaskState.SUCCEEDED;
    record.attempts = all.reduce((n, item) => n + item.attempts, 0);
    this.finishRecord(step, record, state, Date.parse(record.startedAt ?? new Date().toISOString()));
  }

  public finishRecord(step: PlannedStep, record: StepRecord, state: TaskState, started: number): void {
    record.state = state;
    record.finishedAt = new Date().toISOString();
    record.durationMs = Date.now() - started;
    record.pid = undefined;
    this.changed(step);
  }

  /** Fails a task for a reason of the runner's own (not the script's). */
  public failTask(task: Task, message: string): void {
    task.record.error = message;
    this.finishTask(task, TaskState.FAILED, Date.parse(task.record.startedAt ?? new Date().toISOString()));
    this.fail(`step '${task.step.name}' ${message}`);
  }

  public setState(step: PlannedStep, record: StepRecord, state: TaskState): void {
    record.state = state;
    this.changed(step);
  }

  /** Saves the step's state file and reports it. */
  public changed(step: PlannedStep, attemptStarted?: number): void {
    this.save(step);
    this.report(step, attemptStarted);
  }

  /** Writes one step's state file (each step has its own, so a save costs the same in any pipeline size). */
  public save(step: PlannedStep): void {
    this.run.saveStep(step.name);
  }

  public report(step: PlannedStep, attemptStarted?: number): void {
    this.reporter.stepChanged(this.view(step, attemptStarted));
  }

  public view(step: PlannedStep, attemptStarted?: number): StepView {
    const record = this.record(step.name);
    const items = record.items;
    return {
      name: step.name,
      kind: step.kind,
      depth: step.scope.length,
      state: record.state,
      startedAtMs: attemptStarted ?? (record.startedAt ? Date.parse(record.startedAt) : undefined),
      durationMs: record.durationMs,
      detail: record.state === TaskState.FAILED ? record.error : record.detail,
      items: items ? { done: items.filter((i) => FINISHED_STATES.has(i.state)).length, total: items.length } : undefined,
    };
  }
}
