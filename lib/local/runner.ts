import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConditionStep } from '../pipeline/condition-step';
import { ContainerStep } from '../pipeline/container-step';
import * as contract from '../pipeline/contract';
import { FailStep } from '../pipeline/fail-step';
import { Pipeline } from '../pipeline/pipeline';
import { RegisterModelStep } from '../pipeline/register-model-step';
import { ScriptStep } from '../pipeline/script-step';
import { StepKind } from '../pipeline/step';
import { StepArtifact } from '../pipeline/values';
import { LAUNCHER_PATH } from '../runtime/paths';
import { removeTree, tempName } from './atomic';
import { CacheStore } from './cache';
import { CacheKey, CacheKeys } from './cache-key';
import { ConditionError, evaluateCondition } from './conditions';
import { LocalRunError } from './errors';
import { directoryFingerprint } from './fingerprint';
import { findProjectDir, interpreterFor, Interpreters, prepareInterpreters } from './interpreters';
import { CacheMode, LocalRunPlan, planLocalRun, PlannedStep } from './plan';
import { RunningProcess, startProcess } from './process';
import { LocalModelRegistry } from './registry';
import { buildReport, RunReport } from './report';
import { RunReporter, SilentReporter, StepView } from './reporter';
import { prepareResume } from './resume';
import { RunDirectory } from './run-directory';
import { FINISHED_STATES, RunStatus, StepRecord, TaskRecord, TaskState } from './state';
import { stepEnvironment } from './step-environment';
import { defaultStateDirs, LocalRunOptions } from './options';

/**
 * Runs a pipeline on this machine with the same meaning as the cloud engines, and returns the run
 * report. A failed step or fail step gives a report with status 'failed' (not an exception);
 * invalid pipelines, bad parameters and an unusable environment throw before anything runs.
 */
export async function runLocally(pipeline: Pipeline, options: LocalRunOptions = {}): Promise<RunReport> {
  return new LocalRun(pipeline, options).run();
}

interface Task {
  readonly step: PlannedStep;
  readonly record: TaskRecord;
  /** forEach item index. */
  readonly index?: number;
}

class LocalRun {
  private readonly options: LocalRunOptions;
  private readonly reporter: RunReporter;
  private readonly dirs: { runsDir: string; cacheDir: string; registryDir: string };
  private readonly projectDir: string;
  private readonly maxParallel: number;
  private plan!: LocalRunPlan;
  private run_!: RunDirectory;
  private readonly cache: CacheStore;
  private readonly registry: LocalModelRegistry;
  private interpreters: Interpreters = {};
  private cacheKeys!: CacheKeys;
  private readonly queue: Task[] = [];
  /** Steps whose tasks are queued or running (their records say pending until a task starts). */
  private readonly queued = new Set<string>();
  private readonly running = new Map<Task, Promise<void>>();
  private readonly processes = new Set<RunningProcess>();
  private failure?: string;
  private interrupted = false;
  private startedAtMs = Date.now();
  private wakeUp?: () => void;

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
  }

  public async run(): Promise<RunReport> {
    const resumed = this.options.resume !== undefined;
    if (resumed && this.options.parameters && Object.keys(this.options.parameters).length > 0) {
      throw new LocalRunError(
        `a resumed run keeps the parameters it started with; got ${Object.keys(this.options.parameters).map((p) => `'${p}'`).join(', ')}`,
        'drop --param to resume, or start a new run with the new values',
      );
    }
    if (resumed) {
      // The steps come from the graph: the run's own parameters are only known once it is open.
      const steps = this.pipeline.graph().nodes.map((n) => n.step.name);
      this.run_ = RunDirectory.open(this.dirs.runsDir, this.options.resume!, this.pipeline.name, steps);
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
    } else {
      this.plan = planLocalRun(this.pipeline, { parameters: this.options.parameters, cacheMode: this.options.cacheMode });
    }
    this.cacheKeys = new CacheKeys(this.pipeline.name);
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
      prepareResume(this.run_, this.plan.steps).forEach((notice) => this.reporter.notice(notice));
    } else {
      this.run_ = RunDirectory.create(
        this.dirs.runsDir,
        {
          pipeline: this.pipeline.name,
          parameters: { ...this.plan.parameters },
          cacheMode: this.options.cacheMode ?? CacheMode.POLICY,
          steps: this.plan.steps.map((s) => s.name),
        },
        Object.fromEntries(this.plan.steps.map((s) => [s.name, newStepRecord(s)])),
      );
    }
    const onAbort = () => this.interrupt();
    this.options.signal?.addEventListener('abort', onAbort);
    try {
      this.startedAtMs = Date.now();
      this.reporter.runStarted({
        runId: this.run_.runId,
        pipeline: this.pipeline.name,
        runDir: this.run_.directory,
        resumed,
        steps: this.plan.steps.map((s) => this.view(s)),
        warnings: this.plan.warnings,
      });
      if (this.options.signal?.aborted) {
        this.interrupt();
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

  // ---- scheduling ----

  private async loop(): Promise<void> {
    for (;;) {
      this.schedule();
      if (this.running.size === 0) {
        return;
      }
      await new Promise<void>((resolve) => {
        this.wakeUp = resolve;
        void Promise.race(this.running.values()).then(resolve);
      });
      this.wakeUp = undefined;
    }
  }

  /** Starts what is ready, until nothing more can start now. Steps without a process finish here. */
  private schedule(): void {
    let progress = true;
    while (progress && !this.stopping) {
      progress = false;
      for (const step of this.plan.steps) {
        const record = this.record(step.name);
        if (record.state !== TaskState.PENDING || this.queued.has(step.name)) {
          continue;
        }
        const readiness = this.readiness(step);
        if (readiness === 'skip') {
          this.setState(step, record, TaskState.SKIPPED);
          progress = true;
        } else if (readiness === 'ready') {
          progress = true;
          if (step.step instanceof ContainerStep) {
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
    while (this.queue.length > 0 && this.running.size < this.maxParallel) {
      const task = this.queue.shift()!;
      const done = this.runContainerTask(task)
        .catch((e) => this.failTask(task, `the local runner failed: ${(e as Error).message}`))
        .finally(() => this.running.delete(task));
      this.running.set(task, done);
    }
  }

  private get stopping(): boolean {
    return this.interrupted || this.failure !== undefined;
  }

  private readiness(step: PlannedStep): 'ready' | 'wait' | 'skip' {
    for (const { condition, branch } of step.scope) {
      const decided = this.record(condition);
      if (decided.state === TaskState.SKIPPED || (decided.state === TaskState.SUCCEEDED && decided.outcome !== branch)) {
        return 'skip';
      }
      if (decided.state !== TaskState.SUCCEEDED) {
        return 'wait';
      }
    }
    for (const name of step.upstream) {
      const state = this.record(name).state;
      if (state === TaskState.SKIPPED) {
        return 'skip';
      }
      if (state !== TaskState.SUCCEEDED && state !== TaskState.CACHED) {
        return 'wait';
      }
    }
    return 'ready';
  }

  /** Queues a ready container step's tasks; they stay pending until a slot is free. */
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
        this.completeForEach(step, record);
      }
    } else {
      this.queue.push({ step, record });
    }
  }

  // ---- steps that run in the runner itself ----

  private runInline(step: PlannedStep, record: StepRecord): void {
    const started = Date.now();
    record.startedAt = new Date(started).toISOString();
    record.attempts = 1;
    const s = step.step;
    try {
      if (s instanceof ConditionStep) {
        const holds = evaluateCondition(s.when, {
          parameters: this.plan.parameters,
          metricsOf: (name) => this.record(name).metrics,
        });
        record.outcome = holds ? 'then' : 'otherwise';
        record.detail = `${s.when} is ${holds} -> ${record.outcome}`;
        this.finishRecord(step, record, TaskState.SUCCEEDED, started);
      } else if (s instanceof FailStep) {
        record.error = s.message;
        this.finishRecord(step, record, TaskState.FAILED, started);
        this.failure ??= `fail step '${s.name}' stopped the run: ${s.message}`;
      } else if (s instanceof RegisterModelStep) {
        const source = s.model as StepArtifact;
        const registered = this.registry.register(path.join(this.run_.resultDir(source.producer.name), 'model'), {
          group: s.group,
          pipeline: this.pipeline.name,
          sourceRun: this.run_.runId,
          registeredBy: s.name,
          sourceStep: source.producer.name,
          approvalStatus: s.approval,
          metrics: this.runMetrics(),
          image: s.image,
          contentTypes: s.contentTypes,
          responseTypes: s.responseTypes,
        });
        record.registered = { group: registered.group, version: registered.version, path: registered.path };
        record.detail = `${registered.group} version ${registered.version}`;
        this.finishRecord(step, record, TaskState.SUCCEEDED, started);
      } else {
        throw new Error(`the local runner cannot run ${s.kind} steps`);
      }
    } catch (e) {
      const message = e instanceof ConditionError ? `condition ${s.name}: ${e.message}` : (e as Error).message;
      record.error = message;
      this.finishRecord(step, record, TaskState.FAILED, started);
      this.failure ??= `step '${s.name}' failed: ${message}`;
    }
  }

  private runMetrics(): { [step: string]: { [name: string]: unknown } } {
    const out: { [step: string]: { [name: string]: unknown } } = {};
    for (const step of this.plan.steps) {
      const metrics = this.record(step.name).metrics;
      if (metrics && Object.keys(metrics).length > 0) {
        out[step.name] = metrics;
      }
    }
    return out;
  }

  // ---- container steps ----

  private async runContainerTask(task: Task): Promise<void> {
    const { step, record, index } = task;
    const container = step.step as ContainerStep;
    const started = Date.now();
    record.state = TaskState.RUNNING;
    record.startedAt = new Date(started).toISOString();
    if (index !== undefined) {
      const parent = this.record(step.name);
      parent.state = TaskState.RUNNING;
      parent.startedAt ??= record.startedAt;
    }
    record.error = undefined;
    record.logTail = undefined;
    record.detail = undefined;
    // Not saved yet: until the process runs (and its pid is recorded), a crash leaves the task
    // pending, which a resume treats the same way.
    this.run_.clearTask(step.name, index);

    let cacheKey: CacheKey | undefined;
    if (step.cache) {
      cacheKey = this.cacheKey(step, container, record.item);
      record.cacheKey = cacheKey.key;
      const hit = this.cache.lookup(cacheKey.key, step.cache.expireAfterHours);
      if (hit && this.cache.restore(hit, this.run_.resultDir(step.name, index))) {
        record.metrics = hit.metadata.metrics;
        record.fingerprints = { ...hit.metadata.artifactFingerprints };
        record.detail = `result of run ${hit.metadata.runId}`;
        this.finishTask(task, TaskState.CACHED, started);
        return;
      }
    }

    const maxAttempts = step.retry.maxRetries + 1;
    for (let attempt = 1; ; attempt++) {
      record.attempts++;
      record.detail = maxAttempts > 1 ? `attempt ${attempt}/${maxAttempts}` : undefined;
      const attemptStarted = Date.now();
      const outcome = await this.runAttempt(task, container, record.attempts, attemptStarted);
      if (outcome === 'stopped') {
        record.state = TaskState.PENDING;
        record.pid = undefined;
        record.detail = 'interrupted';
        this.save(step);
        this.report(step);
        return;
      }
      if (outcome.ok) {
        if (cacheKey && step.cache) {
          this.publish(task, container, cacheKey, step.cache.expireAfterHours);
        }
        record.detail = attempt > 1 ? `after ${attempt} attempts` : undefined;
        this.finishTask(task, TaskState.SUCCEEDED, started);
        return;
      }
      record.logTail = outcome.tail;
      if (attempt >= maxAttempts || this.stopping) {
        const attempts = attempt > 1 ? ` after ${attempt} attempts` : '';
        record.error = `${outcome.reason}${attempts}`;
        this.finishTask(task, TaskState.FAILED, started);
        const which = record.item !== undefined ? `step '${step.name}' (item '${record.item}')` : `step '${step.name}'`;
        this.failure ??= `${which} ${record.error}`;
        return;
      }
      const delay = step.retry.intervalSeconds * Math.pow(step.retry.backoffRate, attempt - 1);
      record.detail = `${outcome.reason}; retry ${attempt} of ${step.retry.maxRetries} in ${delay}s`;
      this.save(step);
      this.report(step);
      this.reporter.stepOutput(step.name, `[mlops] ${outcome.reason}; retrying in ${delay}s (retry ${attempt} of ${step.retry.maxRetries})`, record.item);
      if (!(await this.sleep(delay * 1000))) {
        record.state = TaskState.PENDING;
        record.detail = 'interrupted';
        this.save(step);
        this.report(step);
        return;
      }
    }
  }

  private async runAttempt(task: Task, container: ContainerStep, attempt: number, started: number): Promise<'stopped' | { ok: true } | { ok: false; reason: string; tail: string[] }> {
    const { step, record, index } = task;
    const taskDir = this.run_.taskDir(step.name, index);
    const attemptDir = path.join(taskDir, tempName(`attempt-${attempt}`));
    const workDir = path.join(attemptDir, 'work');
    fs.mkdirSync(workDir, { recursive: true });
    const env = stepEnvironment(step, container, {
      pipeline: this.pipeline.name,
      runId: this.run_.runId,
      base: this.options.env ?? process.env,
      attemptDir,
      artifactDir: (source) => this.artifactDir(source),
      item: record.item,
    });
    const logFile = this.run_.logFile(step.name, index, attempt);
    const metricFlags = Object.entries(container.metricTypes()).flatMap(([name, type]) => [type === 'string' ? '--string-metric' : '--metric', name]);
    const interpreter = interpreterFor(step, this.interpreters);
    const proc = startProcess({
      command: interpreter,
      args: [LAUNCHER_PATH, '--code', container.code.directory, '--entry', container.entry, ...metricFlags, '--', ...container.arguments],
      cwd: workDir,
      env,
      logFile,
      timeoutSeconds: step.timeoutSeconds,
      tailLines: this.options.logTailLines,
      onLine: (line) => this.reporter.stepOutput(step.name, line, record.item),
    });
    this.processes.add(proc);
    record.pid = proc.pid;
    this.save(step);
    this.report(step, started);
    if (this.interrupted) {
      proc.stop();
    }
    const result = await proc.result;
    this.processes.delete(proc);
    record.pid = undefined;
    if (result.stopped && this.interrupted) {
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
      return { ok: false, reason, tail: result.tail };
    }
    record.metrics = readMetrics(path.join(attemptDir, contract.METRICS_FILE_NAME));
    removeDirectory(workDir);
    fs.renameSync(attemptDir, this.run_.resultDir(step.name, index));
    return { ok: true };
  }

  private artifactDir(source: StepArtifact): string {
    const result = this.run_.resultDir(source.producer.name);
    return source.isModel ? path.join(result, 'model') : path.join(result, 'outputs', source.name);
  }

  // ---- cache ----

  private cacheKey(step: PlannedStep, container: ContainerStep, item: string | undefined): CacheKey {
    const inputs = Object.fromEntries(Object.entries(container.inputs()).map(([name, source]) => [name, this.artifactFingerprint(source as StepArtifact)]));
    return this.cacheKeys.keyOf(step, container, item, inputs);
  }

  /** The content fingerprint of an upstream artifact, computed once and kept in its producer's record. */
  private artifactFingerprint(source: StepArtifact): string {
    const record = this.record(source.producer.name);
    const id = source.isModel ? 'model' : `outputs/${source.name}`;
    record.fingerprints ??= {};
    record.fingerprints[id] ??= directoryFingerprint(this.artifactDir(source));
    return record.fingerprints[id];
  }

  private publish(task: Task, container: ContainerStep, { key, material }: CacheKey, expireAfterHours: number | undefined): void {
    const { step, record, index } = task;
    const result = this.run_.resultDir(step.name, index);
    const fingerprints: { [artifact: string]: string } = {};
    for (const output of container instanceof ScriptStep ? container.outputNames : []) {
      fingerprints[`outputs/${output}`] = directoryFingerprint(path.join(result, 'outputs', output));
    }
    if (step.kind === StepKind.TRAINING) {
      fingerprints.model = directoryFingerprint(path.join(result, 'model'));
    }
    record.fingerprints = fingerprints;
    try {
      this.cache.publish(result, {
        key,
        pipeline: this.pipeline.name,
        step: step.name,
        item: record.item,
        runId: this.run_.runId,
        metrics: record.metrics,
        artifactFingerprints: fingerprints,
        keyMaterial: material,
      }, expireAfterHours);
    } catch (e) {
      this.reporter.notice(`could not store the result of step '${step.name}' in the cache (${(e as Error).message}); the run goes on`);
    }
  }

  // ---- state ----

  private record(step: string): StepRecord {
    return this.run_.state.steps[step];
  }

  private finishTask(task: Task, state: TaskState, started: number): void {
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
      this.save(step);
      this.report(step);
    }
  }

  private completeForEach(step: PlannedStep, record: StepRecord): void {
    const all = record.items!;
    const state = all.every((item) => item.state === TaskState.CACHED) ? TaskState.CACHED : TaskState.SUCCEEDED;
    record.attempts = all.reduce((n, item) => n + item.attempts, 0);
    this.finishRecord(step, record, state, Date.parse(record.startedAt ?? new Date().toISOString()));
  }

  private finishRecord(step: PlannedStep, record: StepRecord, state: TaskState, started: number): void {
    record.state = state;
    record.finishedAt = new Date().toISOString();
    record.durationMs = Date.now() - started;
    record.pid = undefined;
    this.save(step);
    this.report(step);
  }

  private failTask(task: Task, message: string): void {
    task.record.error = message;
    this.finishTask(task, TaskState.FAILED, Date.parse(task.record.startedAt ?? new Date().toISOString()));
    this.failure ??= `step '${task.step.name}' ${message}`;
  }

  private setState(step: PlannedStep, record: StepRecord, state: TaskState): void {
    record.state = state;
    this.save(step);
    this.report(step);
  }

  /** Writes one step's state file (each step has its own, so a save costs the same in any pipeline size). */
  private save(step: PlannedStep): void {
    this.run_.saveStep(step.name);
  }

  private report(step: PlannedStep, attemptStarted?: number): void {
    this.reporter.stepChanged(this.view(step, attemptStarted));
  }

  private view(step: PlannedStep, attemptStarted?: number): StepView {
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

  private finish(): void {
    const state = this.run_.state;
    const unfinished = this.plan.steps.filter((s) => !FINISHED_STATES.has(this.record(s.name).state));
    if (this.interrupted) {
      state.status = RunStatus.INTERRUPTED;
      state.error = 'interrupted';
      for (const step of unfinished) {
        const record = this.record(step.name);
        if (record.state === TaskState.RUNNING) {
          record.state = TaskState.PENDING;
          record.items?.forEach((item) => {
            if (item.state === TaskState.RUNNING) {
              item.state = TaskState.PENDING;
            }
          });
        }
      }
    } else if (this.failure !== undefined) {
      state.status = RunStatus.FAILED;
      state.error = this.failure;
    } else if (unfinished.length > 0) {
      state.status = RunStatus.FAILED;
      state.error = `internal: steps ${unfinished.map((s) => `'${s.name}'`).join(', ')} never became ready`;
    } else {
      state.status = RunStatus.SUCCEEDED;
      state.error = undefined;
    }
    state.finishedAt = new Date().toISOString();
    this.plan.steps.forEach((step) => this.save(step));
    this.run_.save();
  }

  // ---- interruption ----

  private interrupt(): void {
    if (this.interrupted) {
      return;
    }
    this.interrupted = true;
    for (const proc of this.processes) {
      proc.stop();
    }
    this.wakeUp?.();
    this.sleepers.forEach((wake) => wake());
  }

  private readonly sleepers = new Set<() => void>();

  /** Waits; false when the run was interrupted meanwhile. */
  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.sleepers.delete(wake);
        resolve(!this.interrupted);
      }, ms);
      this.sleepers.add(wake);
    });
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

function newStepRecord(step: PlannedStep): StepRecord {
  return { kind: step.kind, state: TaskState.PENDING, attempts: 0 };
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

