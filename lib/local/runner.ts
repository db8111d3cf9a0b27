import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as contract from '../pipeline/contract';
import { Pipeline } from '../pipeline/pipeline';
import { removeTree, tempName } from './atomic';
import { CacheStore } from './cache';
import { CacheKeys } from './cache-key';
import { DiskFullError, diskFullDetail, isDiskFull, LocalRunError } from './errors';
import { findProjectDir, Interpreters, prepareInterpreters } from './interpreters';
import { Interruption } from './interruption';
import { defaultStateDirs, LocalRunOptions } from './options';
import { planLocalRun } from './plan';
import { CacheMode, LocalRunPlan, PlannedStep } from './planned';
import { ProcessTaskContext, runProcessTask } from './process-task';
import { LocalModelRegistry } from './registry';
import { buildReport, RunReport } from './report';
import { RunReporter, SilentReporter } from './reporter';
import { prepareResume } from './resume';
import { RunDirectory } from './run-directory';
import { RunProgress, Task } from './run-progress';
import { SourceRunContext } from './sources';
import { FINISHED_STATES, RunStatus, StepRecord, TaskState } from './state';
import { defaultTrackingUri, withTracking } from './step-environment';
import { metricsByStep, stepReadiness } from './step-readiness';
import { checkedInterval, DataInterval } from './data-interval';

/**
 * Runs a pipeline on this machine with the same meaning as the cloud engines, and returns the run
 * report. A failed step or fail step gives a report with status 'failed' (not an exception);
 * invalid pipelines, bad parameters and an unusable environment throw before anything runs.
 */
export async function runLocally(pipeline: Pipeline, options: LocalRunOptions = {}): Promise<RunReport> {
  return new LocalRun(pipeline, options).run();
}

/**
 * One run: opens (or resumes) its directory, then schedules the plan's steps as they become
 * ready. Process steps are queued as tasks (one per forEach item) and run up to maxParallel at
 * once; inline steps are decided here by their handler.
 */
class LocalRun {
  private readonly options: LocalRunOptions;
  private readonly reporter: RunReporter;
  private readonly dirs: { runsDir: string; cacheDir: string; registryDir: string };
  private readonly projectDir: string;
  private readonly maxParallel: number;
  private plan!: LocalRunPlan;
  private run_!: RunDirectory;
  private progress!: RunProgress;
  private readonly cache: CacheStore;
  private readonly registry: LocalModelRegistry;
  private interpreters: Interpreters = {};
  private readonly interruption = new Interruption();
  private readonly queue: Task[] = [];
  /** Steps whose tasks are queued or running (their records say pending until a task starts). */
  private readonly queued = new Set<string>();
  private readonly running = new Map<Task, Promise<void>>();
  private cacheKeys: CacheKeys;
  private dataInterval?: DataInterval;
  /** Values computed once per run (fingerprints of data read in place). */
  private readonly computed = new Map<string, string>();
  private startedAtMs = Date.now();
  /** The first write that failed because the disk is full; the run stops and stays resumable. */
  private diskFull?: NodeJS.ErrnoException;

  constructor(private readonly pipeline: Pipeline, options: LocalRunOptions) {
    this.options = options;
    this.reporter = options.reporter ?? new SilentReporter();
    const defaults = defaultStateDirs();
    this.dirs = {
      runsDir: path.resolve(options.runsDir ?? defaults.runsDir),
      cacheDir: path.resolve(options.cacheDir ?? defaults.cacheDir),
      registryDir: path.resolve(options.registryDir ?? defaults.registryDir),
    };
    this.projectDir = path.resolve(options.projectDir ?? findProjectDir(process.cwd()));
    const maxParallel = options.maxParallel ?? Math.max(2, os.availableParallelism());
    if (!Number.isSafeInteger(maxParallel) || maxParallel < 1) {
      throw new LocalRunError(`max parallel ${maxParallel} is invalid (allowed: a whole number >= 1)`);
    }
    this.maxParallel = maxParallel;
    this.cache = new CacheStore(this.dirs.cacheDir);
    this.registry = new LocalModelRegistry(this.dirs.registryDir);
    this.cacheKeys = new CacheKeys(pipeline.name);
  }

  public async run(): Promise<RunReport> {
    const resumed = this.options.resume !== undefined;
    await this.open(resumed);
    this.progress = new RunProgress(this.run_, this.reporter);
    const onAbort = () => this.interruption.interrupt();
    this.options.signal?.addEventListener('abort', onAbort);
    try {
      this.startedAtMs = Date.now();
      this.reporter.runStarted({
        runId: this.run_.runId,
        pipeline: this.pipeline.name,
        runDir: this.run_.directory,
        resumed,
        steps: this.plan.steps.map((s) => this.progress.view(s)),
        warnings: this.plan.warnings,
      });
      if (this.options.signal?.aborted) {
        this.interruption.interrupt();
      }
      if (resumed && this.run_.state.status === RunStatus.SUCCEEDED) {
        this.startedAtMs = Date.parse(this.run_.state.startedAt); // nothing to do: report the run as it was
      } else {
        await this.loop();
        this.finish();
      }
    } finally {
      this.options.signal?.removeEventListener('abort', onAbort);
      this.run_.unlock();
    }
    const report = buildReport(this.plan, this.run_, this.startedAtMs);
    this.reporter.runFinished(report);
    return report;
  }

  /** Plans the run and opens its directory: a new one, or the earlier run to resume. */
  private async open(resumed: boolean): Promise<void> {
    if (resumed && this.options.parameters && Object.keys(this.options.parameters).length > 0) {
      throw new LocalRunError(
        `a resumed run keeps the parameters it started with; got ${Object.keys(this.options.parameters).map((p) => `'${p}'`).join(', ')}`,
        'drop --param to resume, or start a new run with the new values',
      );
    }
    if (resumed) {
      // The steps come from the graph: the run's own parameters are only known once it is open.
      const nodes = this.pipeline.graph().nodes;
      const kinds = Object.fromEntries(nodes.map((n) => [n.step.name, n.step.kind]));
      this.run_ = RunDirectory.open(this.dirs.runsDir, this.options.resume!, this.pipeline.name, nodes.map((n) => n.step.name), kinds);
      // Same parameters and cache mode as the run's start, checked against the pipeline as it is now.
      const info = this.run_.info;
      try {
        this.plan = planLocalRun(this.pipeline, {
          parameters: Object.fromEntries(Object.entries(info.parameters).map(([k, v]) => [k, contract.paramText(v)])),
          cacheMode: info.cacheMode as CacheMode,
        });
      } catch (e) {
        this.run_.unlock();
        throw e;
      }
      this.dataInterval = info.dataInterval;
    } else {
      this.plan = planLocalRun(this.pipeline, { parameters: this.options.parameters, cacheMode: this.options.cacheMode });
      this.dataInterval = this.options.dataInterval && checkedInterval(this.options.dataInterval);
    }
    this.cacheKeys = new CacheKeys(this.pipeline.name, this.dataInterval);
    try {
      this.interpreters = await prepareInterpreters(this.plan.steps, {
        projectDir: this.projectDir,
        python: this.options.python,
        env: this.options.env ?? process.env,
        notice: (m) => this.reporter.notice(m),
      });
    } catch (e) {
      this.run_?.unlock();
      throw e;
    }
    if (resumed) {
      try {
        prepareResume(this.run_, this.plan.steps).forEach((notice) => this.reporter.notice(notice));
      } catch (e) {
        this.run_.unlock();
        throw isDiskFull(e) ? new DiskFullError(e, this.dirs.runsDir, this.run_.runId, 'resumed') : e;
      }
    } else {
      this.run_ = RunDirectory.create(
        this.dirs.runsDir,
        {
          pipeline: this.pipeline.name,
          parameters: { ...this.plan.parameters },
          cacheMode: this.options.cacheMode ?? CacheMode.POLICY,
          steps: this.plan.steps.map((s) => s.name),
          ...(this.dataInterval ? { dataInterval: this.dataInterval } : {}),
        },
        Object.fromEntries(this.plan.steps.map((s) => [s.name, { kind: s.kind, state: TaskState.PENDING, attempts: 0 }])),
      );
    }
  }

  // ---- scheduling ----

  private async loop(): Promise<void> {
    for (;;) {
      try {
        this.schedule();
      } catch (e) {
        this.stopIfDiskFull(e);
      }
      if (this.running.size === 0) {
        return;
      }
      await new Promise<void>((resolve) => {
        this.interruption.wakeUp = resolve;
        void Promise.race(this.running.values()).then(resolve);
      });
      this.interruption.wakeUp = undefined;
    }
  }

  /** Starts what is ready, until nothing more can start now. Inline steps finish here. */
  private schedule(): void {
    let progress = true;
    while (progress && !this.stopping) {
      progress = false;
      for (const step of this.plan.steps) {
        const record = this.progress.record(step.name);
        if (record.state !== TaskState.PENDING || this.queued.has(step.name)) {
          continue;
        }
        const readiness = stepReadiness(step, (name) => this.progress.record(name));
        if (readiness === 'skip') {
          this.progress.setState(step, record, TaskState.SKIPPED);
          progress = true;
        } else if (readiness === 'ready') {
          progress = true;
          if (step.handler.runsAs === 'process') {
            this.enqueue(step, record);
          } else {
            this.runInline(step, record);
          }
          if (this.stopping) {
            break;
          }
        }
      }
    }
    if (this.stopping) {
      this.queue.length = 0; // queued tasks never started: they stay pending, for a resume
    }
    const context = this.taskContext();
    while (this.queue.length > 0 && this.slotsInUse() + this.slotsOf(this.queue[0]) <= this.maxParallel) {
      const task = this.queue.shift()!;
      const run = task.step.handler.runTask;
      const done = (run ? run(task, context) : runProcessTask(task, context))
        .catch((e) => (isDiskFull(e) ? this.stopIfDiskFull(e) : this.progress.failTask(task, `the local runner failed: ${(e as Error).message}`)))
        // Saving the failure can find the disk full too.
        .catch((e) => (isDiskFull(e) ? this.stopIfDiskFull(e) : this.progress.fail(`the local runner failed: ${(e as Error).message}`)))
        .finally(() => this.running.delete(task));
      this.running.set(task, done);
    }
  }

  /** A task holds one slot, or what its handler asks for (a tuning step: its parallel trials). */
  private slotsOf(task: Task): number {
    return Math.min(this.maxParallel, task.step.handler.slots?.(task.step, this.maxParallel) ?? 1);
  }

  private slotsInUse(): number {
    let used = 0;
    this.running.forEach((_, task) => (used += this.slotsOf(task)));
    return used;
  }

  private get stopping(): boolean {
    return this.interruption.interrupted || this.progress.failure !== undefined;
  }

  /**
   * A full disk stops the run as Ctrl-C does (running steps stopped, nothing new started), so the
   * state on disk stays resumable; any other error is rethrown.
   */
  private stopIfDiskFull(e: unknown): void {
    if (!isDiskFull(e)) {
      throw e;
    }
    this.diskFull ??= e;
    this.interruption.interrupt();
  }

  /** Queues a ready process step's tasks; they stay pending until a slot is free. */
  private enqueue(step: PlannedStep, record: StepRecord): void {
    this.queued.add(step.name);
    if (step.items) {
      record.items ??= step.items.map((item) => ({ state: TaskState.PENDING, attempts: 0, item }));
      record.items.forEach((item, index) => {
        if (!FINISHED_STATES.has(item.state)) {
          item.state = TaskState.PENDING;
          this.queue.push({ step, record: item, index });
        }
      });
      if (record.items.every((item) => FINISHED_STATES.has(item.state))) {
        record.startedAt ??= new Date().toISOString();
        this.progress.completeForEach(step, record);
      }
    } else {
      this.queue.push({ step, record });
    }
  }

  private sharedTaskContext?: ProcessTaskContext;
  private sharedSources?: SourceRunContext;

  /** What every task of this run shares, made once the run is open (schedule() asks on every pass). */
  private taskContext(): ProcessTaskContext {
    return this.sharedTaskContext ??= {
      pipeline: this.pipeline.name,
      run: this.run_,
      progress: this.progress,
      interruption: this.interruption,
      reporter: this.reporter,
      cache: this.cache,
      cacheKeys: this.cacheKeys,
      dataInterval: this.dataInterval,
      interpreters: this.interpreters,
      sources: this.sources(),
      env: withTracking(this.options.env ?? process.env, this.options.trackingUri ?? defaultTrackingUri(this.dirs.registryDir)),
      logTailLines: this.options.logTailLines,
      maxParallel: this.maxParallel,
    };
  }

  private sources(): SourceRunContext {
    return this.sharedSources ??= {
      resultDir: (step, item) => this.run_.resultDir(step, item),
      record: (step) => this.progress.record(step),
      once: (key, compute) => {
        let value = this.computed.get(key);
        if (value === undefined) {
          value = compute();
          this.computed.set(key, value);
        }
        return value;
      },
    };
  }

  // ---- steps decided in the runner ----

  private runInline(step: PlannedStep, record: StepRecord): void {
    const started = Date.now();
    record.startedAt = new Date(started).toISOString();
    record.attempts = 1;
    const scratchDirs: string[] = [];
    const scratch = () => {
      const dir = path.join(this.run_.taskDir(step.name), tempName('input'));
      fs.mkdirSync(dir, { recursive: true });
      scratchDirs.push(dir);
      return dir;
    };
    try {
      const outcome = step.handler.decide!(step, {
        pipeline: this.pipeline.name,
        runId: this.run_.runId,
        parameters: this.plan.parameters,
        metricsOf: (name) => this.progress.record(name).metrics,
        runMetrics: () => metricsByStep(this.plan.steps, (name) => this.progress.record(name)),
        inputDirectory: (name) => step.inputs.find((i) => i.name === name)!.read.directory(this.sources(), scratch),
        registry: this.registry,
      });
      record.outcome = outcome.outcome;
      record.registered = outcome.registered;
      record.detail = outcome.detail;
      record.error = outcome.error;
      this.progress.finishRecord(step, record, outcome.succeeded ? TaskState.SUCCEEDED : TaskState.FAILED, started);
      if (!outcome.succeeded) {
        this.progress.fail(outcome.stopsRun ?? `step '${step.name}' failed: ${outcome.error}`);
      }
    } catch (e) {
      const message = (e as Error).message;
      record.error = message;
      this.progress.finishRecord(step, record, TaskState.FAILED, started);
      this.progress.fail(`step '${step.name}' failed: ${message}`);
    } finally {
      scratchDirs.forEach(removeTree);
    }
  }

  private finish(): void {
    const state = this.run_.state;
    const unfinished = this.plan.steps.filter((s) => !FINISHED_STATES.has(this.progress.record(s.name).state));
    if (this.interruption.interrupted || this.diskFull) {
      state.status = this.diskFull ? RunStatus.FAILED : RunStatus.INTERRUPTED;
      state.error = this.diskFull ? this.diskFullMessage(this.diskFull) : 'interrupted';
      for (const step of unfinished) {
        const record = this.progress.record(step.name);
        if (record.state === TaskState.RUNNING) {
          record.state = TaskState.PENDING;
          record.items?.forEach((item) => {
            if (item.state === TaskState.RUNNING) {
              item.state = TaskState.PENDING;
            }
          });
        }
      }
    } else if (this.progress.failure !== undefined) {
      state.status = RunStatus.FAILED;
      state.error = this.progress.failure;
    } else if (unfinished.length > 0) {
      state.status = RunStatus.FAILED;
      state.error = `internal: steps ${unfinished.map((s) => `'${s.name}'`).join(', ')} never became ready`;
    } else {
      state.status = RunStatus.SUCCEEDED;
      state.error = undefined;
    }
    state.finishedAt = new Date().toISOString();
    try {
      this.plan.steps.forEach((step) => this.progress.save(step));
      this.run_.save();
    } catch (e) {
      // Each state file is replaced atomically: what is on disk is a state a resume accepts.
      this.stopIfDiskFull(e);
      state.status = RunStatus.FAILED;
      state.error = this.diskFullMessage(this.diskFull!);
    }
  }

  private diskFullMessage(e: NodeJS.ErrnoException): string {
    const dir = this.dirs.runsDir;
    return `the disk is full: ${diskFullDetail(e)}; the run stopped, and the steps that finished keep their results. Free space on the file system that holds ${dir} (df -h ${dir}), then resume the run`;
  }
}
