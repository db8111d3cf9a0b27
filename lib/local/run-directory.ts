import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { readJsonFile, TEMP_PREFIX, writeJsonAtomic } from './atomic';
import { DiskFullError, isDiskFull, LocalRunError } from './errors';
import { tryLock } from './lock';
import { RUN_FORMAT, RunInfo, RunState, RunStateFile, RunStatus, runStateProblems, StepRecord, stepRecordProblems, TaskState } from './state';

const RUN_FILE = 'run.json';
const STATE_FILE = 'state.json';
const LOCK_FILE = 'lock';
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * A run's directory:
 *
 *     <runs>/<run-id>/
 *       run.json                 what the run is (pipeline, parameters, steps); written once
 *       state.json               the run's status, times and error
 *       lock                     the runner's pid while it runs
 *       steps/<step>/state.json  the step's state, attempts, timings, metrics, cache key, error
 *       steps/<step>/result/     the step's outputs/<name>/, model/ and metrics.json, renamed into
 *                                place only when the step succeeded
 *       steps/<step>/logs/attempt-<n>.log
 *       steps/<step>/items/<i>/  result/ and logs/ per forEach item (their records are in the step's)
 *
 * Every state file is replaced atomically (temporary file, then rename), one step at a time, so a
 * save costs the same in a pipeline of any size. Only what a step's state calls succeeded is
 * trusted: a result directory without that record (a crash between the rename and the state
 * write) is discarded and the step runs again.
 */
export class RunDirectory {
  /**
   * Creates a new run directory with a fresh id (never reusing an existing one). run.json is
   * written first and state.json last, so a run whose creation stopped half way (a full disk) has
   * either no directory or a run.json and can be resumed. A full disk throws DiskFullError.
   */
  public static create(runsDir: string, info: Omit<RunInfo, 'runId' | 'format' | 'createdAt'>, steps: { [name: string]: StepRecord }): RunDirectory {
    const { dir, runId } = RunDirectory.newDirectory(runsDir);
    const now = new Date().toISOString();
    const run = new RunDirectory(dir, { format: RUN_FORMAT, runId, createdAt: now, ...info }, {
      format: RUN_FORMAT,
      runId,
      status: RunStatus.RUNNING,
      startedAt: now,
      updatedAt: now,
      resumes: 0,
      steps,
    });
    let described = false;
    try {
      run.takeLock();
      writeJsonAtomic(path.join(dir, RUN_FILE), run.info);
      described = true;
      Object.keys(steps).forEach((step) => run.saveStep(step));
      run.save();
      return run;
    } catch (e) {
      run.unlock();
      if (!described) {
        fs.rmSync(dir, { recursive: true, force: true });
      }
      throw isDiskFull(e) ? new DiskFullError(e, runsDir, described ? runId : undefined) : e;
    }
  }

  private static newDirectory(runsDir: string): { dir: string; runId: string } {
    for (;;) {
      const runId = newRunId();
      const dir = path.join(runsDir, runId);
      try {
        fs.mkdirSync(runsDir, { recursive: true });
        fs.mkdirSync(dir);
        return { dir, runId };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST' && fs.statSync(runsDir).isDirectory()) {
          continue;
        }
        throw isDiskFull(e) ? new DiskFullError(e, runsDir) : e;
      }
    }
  }

  /**
   * Opens an earlier run to resume it. Refuses, saying why, a directory that is not a run, a run of
   * another pipeline or with other steps, a corrupt state file, or a run another process is running.
   */
  public static open(runsDir: string, runId: string, pipeline: string, steps: string[], kinds: { readonly [step: string]: string } = {}): RunDirectory {
    const fix = `start a new run (without --resume)`;
    if (!RUN_ID.test(runId)) {
      throw new LocalRunError(`'${runId}' is not a run id (run ids are names in ${runsDir}, like 20260101-120000-a1b2c3)`, `pass an id that 'ls ${runsDir}' lists`);
    }
    const dir = path.join(runsDir, runId);
    if (!fs.existsSync(dir)) {
      const known = listRuns(runsDir);
      throw new LocalRunError(
        `there is no run '${runId}' in ${runsDir} (${known.length ? `latest runs: ${known.slice(0, 5).join(', ')}` : 'it holds no runs'})`,
        'pass the id of a run in that directory, or point --runs-dir at the directory that holds it',
      );
    }
    let info: RunInfo | undefined;
    try {
      info = readJsonFile(path.join(dir, RUN_FILE)) as RunInfo | undefined;
    } catch (e) {
      throw new LocalRunError(`run '${runId}' is corrupt: ${(e as Error).message}; it cannot be resumed safely`, fix);
    }
    if (info === undefined || typeof info !== 'object') {
      throw new LocalRunError(`${dir} is not a run directory of mlops (it has no ${RUN_FILE})`, fix);
    }
    if (info.format !== RUN_FORMAT || info.runId !== runId || !Array.isArray(info.steps) || typeof info.parameters !== 'object' || info.parameters === null) {
      throw new LocalRunError(`${dir}/${RUN_FILE} is not a run description this version of mlops wrote (format ${JSON.stringify(info.format)}, run id ${JSON.stringify(info.runId)}); it cannot be resumed`, fix);
    }
    if (info.pipeline !== pipeline) {
      throw new LocalRunError(`run '${runId}' is a run of pipeline '${info.pipeline}', not of '${pipeline}'`, `resume it with the module that defines '${info.pipeline}', or ${fix}`);
    }
    if (info.steps.join('\n') !== steps.join('\n')) {
      throw new LocalRunError(
        `run '${runId}' was started with steps ${info.steps.map((s) => `'${s}'`).join(', ')}; pipeline '${pipeline}' now has ${steps.map((s) => `'${s}'`).join(', ')}, so its results do not fit`,
        fix,
      );
    }
    const corrupt = (what: string) => new LocalRunError(`run '${runId}' is corrupt: ${what}; it cannot be resumed safely`, fix);
    let runState: unknown;
    try {
      runState = readJsonFile(path.join(dir, STATE_FILE));
    } catch (e) {
      throw corrupt((e as Error).message);
    }
    if (runState === undefined) {
      // state.json is written last when a run is created: without it, no step ever started.
      if (!steps.every((step) => kinds[step] !== undefined)) {
        throw new LocalRunError(`run '${runId}' has no ${STATE_FILE}; it cannot be resumed`, fix);
      }
      const now = new Date().toISOString();
      const fresh: RunState = {
        format: RUN_FORMAT,
        runId,
        status: RunStatus.RUNNING,
        startedAt: info.createdAt ?? now,
        updatedAt: now,
        resumes: 0,
        steps: Object.fromEntries(steps.map((step) => [step, { kind: kinds[step], state: TaskState.PENDING, attempts: 0 }])),
      };
      const run = new RunDirectory(dir, info, fresh);
      run.takeLock();
      return run;
    }
    const problems = runStateProblems(runState, info).map((p) => `${STATE_FILE}: ${p}`);
    const records: { [name: string]: StepRecord } = {};
    for (const step of steps) {
      const file = path.join(dir, 'steps', step, STATE_FILE);
      let record: unknown;
      try {
        record = readJsonFile(file);
      } catch (e) {
        throw corrupt((e as Error).message);
      }
      if (record === undefined) {
        problems.push(`steps/${step}/${STATE_FILE} is missing`);
        continue;
      }
      problems.push(...stepRecordProblems(record, step).map((p) => `steps/${step}/${STATE_FILE}: ${p}`));
      records[step] = record as StepRecord;
    }
    if (problems.length > 0) {
      throw corrupt(problems.join('; '));
    }
    const state: RunState = { ...(runState as RunStateFile), steps: records };
    const run = new RunDirectory(dir, info, state);
    run.takeLock();
    return run;
  }

  private releaseLock?: () => void;
  private readonly stepDirs = new Set<string>();

  private constructor(
    public readonly directory: string,
    public readonly info: RunInfo,
    public readonly state: RunState,
  ) {}

  public get runId(): string {
    return this.info.runId;
  }

  /** A step's directory, or one forEach item's. */
  public taskDir(step: string, item?: number): string {
    const stepDir = path.join(this.directory, 'steps', step);
    return item === undefined ? stepDir : path.join(stepDir, 'items', String(item));
  }

  public resultDir(step: string, item?: number): string {
    return path.join(this.taskDir(step, item), 'result');
  }

  public logFile(step: string, item: number | undefined, attempt: number): string {
    return path.join(this.taskDir(step, item), 'logs', `attempt-${attempt}.log`);
  }

  /** Writes the run's state.json (without the steps) atomically. */
  public save(): void {
    this.state.updatedAt = new Date().toISOString();
    const { steps: _steps, ...run } = this.state;
    writeJsonAtomic(path.join(this.directory, STATE_FILE), run);
  }

  /** Writes one step's state.json atomically. */
  public saveStep(step: string): void {
    const dir = this.taskDir(step);
    if (!this.stepDirs.has(step)) {
      fs.mkdirSync(dir, { recursive: true });
      this.stepDirs.add(step);
    }
    writeJsonAtomic(path.join(dir, STATE_FILE), this.state.steps[step]);
  }

  /** Removes what an interrupted attempt left in a task's directory: temp dirs and an untrusted result. */
  public clearTask(step: string, item?: number): void {
    const dir = this.taskDir(step, item);
    fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
    for (const name of fs.readdirSync(dir)) {
      if (name.startsWith(TEMP_PREFIX) || name === 'result') {
        fs.rmSync(path.join(dir, name), { recursive: true, force: true });
      }
    }
  }

  public unlock(): void {
    this.releaseLock?.();
    this.releaseLock = undefined;
  }

  private takeLock(): void {
    const got = tryLock(path.join(this.directory, LOCK_FILE), `run ${this.info.runId}`);
    if ('heldBy' in got) {
      throw new LocalRunError(
        `run '${this.info.runId}' is being run right now by process ${got.heldBy.pid} (since ${got.heldBy.since})`,
        `wait for it to finish, or stop it (kill ${got.heldBy.pid}) and resume again`,
      );
    }
    this.releaseLock = got.release;
  }
}

/** Run ids sort by start time: 20260101-120000-a1b2c3 (UTC). */
function newRunId(): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${t}-${randomBytes(3).toString('hex')}`;
}

/** Run ids in a runs directory, newest first. */
export function listRuns(runsDir: string): string[] {
  try {
    return fs
      .readdirSync(runsDir)
      .filter((name) => RUN_ID.test(name) && fs.existsSync(path.join(runsDir, name, RUN_FILE)))
      .sort()
      .reverse();
  } catch {
    return [];
  }
}
