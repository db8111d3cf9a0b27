import * as path from 'path';
import { Pipeline, PipelineValidationError, StepKind } from '../../lib/pipeline';
import { backfillIntervals, CacheMode, DataInterval, defaultStateDirs, DiskFullError, findProjectDir, LocalRunError, parseInterval, PlainReporter, RunReporter, runLocally, RunStatus, succeededRunFor, TaskState, TtyReporter } from '../../lib/local';
import { FEATURE_STORE_VAR } from '../../lib/local/sources/feature-snapshot';
import { CliError } from './errors';
import { CliIO } from './io';
import { loadPipeline } from './load-pipeline';
import { parseParams } from './params';
import { checkDirectoryOption, checkExecutable } from './paths';

export interface RunCommandOptions {
  readonly local?: boolean;
  readonly param: string[];
  readonly resume?: string;
  readonly maxParallel?: number;
  readonly json?: boolean;
  readonly runsDir?: string;
  readonly cacheDir?: string;
  readonly registryDir?: string;
  /** The local feature snapshot store. @default $MLOPS_FEATURE_STORE, else .mlops/feature-store */
  readonly featureStore?: string;
  /** true: --cache, false: --no-cache, undefined: each step's policy. */
  readonly cache?: boolean;
  readonly python?: string;
  /** `<start>/<end>`: the data interval of this run. */
  readonly interval?: string;
  /** `<from>..<to>`: one run per interval of `every`, oldest first, skipping those done. */
  readonly backfill?: string;
  readonly every?: string;
}

/** Exit codes of `mlops run`. */
export const EXIT = { SUCCEEDED: 0, FAILED: 1, BAD_INPUT: 2, INTERRUPTED: 130 } as const;

/**
 * `mlops run <pipeline> --local`: loads the pipeline module, runs it on this machine and reports.
 * `signal` aborts the run (the bin wires it to Ctrl-C).
 */
export async function runCommand(spec: string, options: RunCommandOptions, io: CliIO, signal?: AbortSignal): Promise<number> {
  // The local runner finds its feature snapshot store through the variable (lib/local/sources/feature-snapshot.ts).
  const previousStore = process.env[FEATURE_STORE_VAR];
  if (options.featureStore !== undefined || previousStore === undefined) {
    process.env[FEATURE_STORE_VAR] = path.resolve(io.cwd, options.featureStore ?? path.join('.mlops', 'feature-store'));
  }
  try {
    return await run(spec, options, io, signal);
  } catch (e) {
    if (options.json) {
      // Scripts reading --json get an answer on stdout too; people read the message on stderr.
      io.stdout.write(JSON.stringify({ status: 'error', error: (e as Error).message }, null, 2) + '\n');
    }
    throw e;
  } finally {
    if (previousStore === undefined) {
      delete process.env[FEATURE_STORE_VAR];
    } else {
      process.env[FEATURE_STORE_VAR] = previousStore;
    }
  }
}

async function run(spec: string, options: RunCommandOptions, io: CliIO, signal?: AbortSignal): Promise<number> {
  if (!options.local) {
    throw new CliError(
      'mlops run needs --local: it runs the pipeline on this machine',
      `npx mlops run ${spec} --local; to run in the cloud, deploy the pipeline and use: npx mlops start <pipeline-name>`,
    );
  }
  const resolve = (dir: string | undefined) => (dir === undefined ? undefined : path.resolve(io.cwd, dir));
  const defaults = defaultStateDirs(io.cwd);
  const dirs = { runsDir: resolve(options.runsDir) ?? defaults.runsDir, cacheDir: resolve(options.cacheDir) ?? defaults.cacheDir, registryDir: resolve(options.registryDir) ?? defaults.registryDir };
  checkDirectoryOption('--runs-dir', options.runsDir ?? path.relative(io.cwd, dirs.runsDir), dirs.runsDir);
  checkDirectoryOption('--cache-dir', options.cacheDir ?? path.relative(io.cwd, dirs.cacheDir), dirs.cacheDir);
  checkDirectoryOption('--registry-dir', options.registryDir ?? path.relative(io.cwd, dirs.registryDir), dirs.registryDir);
  const python = options.python !== undefined && /[\\/]/.test(options.python) ? path.resolve(io.cwd, options.python) : options.python;
  if (options.python !== undefined) {
    checkExecutable('--python', options.python, python!);
  }
  if (options.backfill !== undefined && (options.interval !== undefined || options.resume !== undefined)) {
    throw new CliError('--backfill runs one run per interval itself; it takes neither --interval nor --resume', 'drop --interval and --resume (a backfill skips the intervals that already succeeded)');
  }
  if (options.every !== undefined && options.backfill === undefined) {
    throw new CliError('--every sets the interval size of --backfill', 'give --backfill <from>..<to> too, or drop --every');
  }
  const localError = (e: unknown) => (e instanceof LocalRunError ? new CliError(e.message, undefined, EXIT.BAD_INPUT) : e);
  let intervals: (DataInterval | undefined)[];
  try {
    intervals = options.backfill !== undefined ? backfillIntervals(options.backfill, options.every) : [options.interval === undefined ? undefined : parseInterval(options.interval)];
  } catch (e) {
    throw localError(e);
  }
  const { pipeline, file } = loadPipeline(spec, io.cwd);
  if (options.backfill === undefined) {
    return runOnce(spec, options, io, signal, { pipeline, file, dirs, python, dataInterval: intervals[0] });
  }
  const out = options.json ? io.stderr : io.stdout;
  const done: { interval: DataInterval; runId?: string; skipped?: boolean; status?: string }[] = [];
  let code: number = EXIT.SUCCEEDED;
  for (const interval of intervals as DataInterval[]) {
    const earlier = succeededRunFor(dirs.runsDir, pipeline.name, interval);
    if (earlier !== undefined) {
      out.write(`Interval ${interval.start}/${interval.end}: done in run ${earlier}, skipped\n`);
      done.push({ interval, runId: earlier, skipped: true });
      continue;
    }
    out.write(`Interval ${interval.start}/${interval.end}:\n`);
    code = await runOnce(spec, { ...options, json: false }, options.json ? { ...io, stdout: io.stderr } : io, signal, { pipeline, file, dirs, python, dataInterval: interval });
    done.push({ interval, status: code === EXIT.SUCCEEDED ? 'succeeded' : 'failed' });
    if (code !== EXIT.SUCCEEDED) {
      out.write(`Backfill stopped at ${interval.start}/${interval.end}; run the same command again to go on from there\n`);
      break;
    }
  }
  if (options.json) {
    io.stdout.write(JSON.stringify({ backfill: done }, null, 2) + '\n');
  }
  return code;
}

interface LoadedRun {
  readonly pipeline: Pipeline;
  readonly file: string;
  readonly dirs: { runsDir: string; cacheDir: string; registryDir: string };
  readonly python?: string;
  readonly dataInterval?: DataInterval;
}

async function runOnce(spec: string, options: RunCommandOptions, io: CliIO, signal: AbortSignal | undefined, run: LoadedRun): Promise<number> {
  const { pipeline, file, dirs, python } = run;
  const parameters = parseParams(options.param);
  const reporter: RunReporter = options.json ? new PlainReporter(io.stderr) : io.stdout.isTTY ? new TtyReporter(io.stdout) : new PlainReporter(io.stdout);
  let report;
  try {
    report = await runLocally(pipeline, {
      dataInterval: run.dataInterval,
      parameters,
      resume: options.resume,
      ...dirs,
      projectDir: findProjectDir(path.dirname(file)),
      maxParallel: options.maxParallel,
      cacheMode: options.cache === true ? CacheMode.ALL : options.cache === false ? CacheMode.NONE : CacheMode.POLICY,
      python,
      reporter,
      signal,
      env: io.env,
    });
  } catch (e) {
    if (e instanceof DiskFullError) {
      const again = e.runId ? `resume: ${resumeCommand(spec, options, e.runId)}` : `run again: ${['npx mlops run', spec, '--local', ...dirOptions(options)].join(' ')}`;
      throw new CliError(`${e.message}\n  ${again}`, undefined, EXIT.FAILED);
    }
    // The module's own copy of cdk-mlops may have thrown the validation error: check its brand.
    if (PipelineValidationError.isPipelineValidationError(e) || e instanceof LocalRunError) {
      throw new CliError(e.message, undefined, e instanceof LocalRunError ? EXIT.FAILED : EXIT.BAD_INPUT);
    }
    throw e;
  }
  if (options.json) {
    io.stdout.write(JSON.stringify(report, null, 2) + '\n');
  }
  if (report.status === RunStatus.SUCCEEDED) {
    return EXIT.SUCCEEDED;
  }
  if (report.steps.some((s) => s.kind === StepKind.FAIL && s.state === TaskState.FAILED)) {
    return EXIT.FAILED; // a fail step decided: resuming would decide the same
  }
  const what = report.status === RunStatus.INTERRUPTED ? 'to go on where it stopped' : 'after fixing the cause, to rerun only what did not finish';
  (options.json ? io.stderr : io.stdout).write(`Resume ${what}:\n  ${resumeCommand(spec, options, report.runId)}\n`);
  return report.status === RunStatus.INTERRUPTED ? EXIT.INTERRUPTED : EXIT.FAILED;
}

/** The command that resumes `runId`, with the directory options the run was started with. */
function resumeCommand(spec: string, options: RunCommandOptions, runId: string): string {
  return [`npx mlops run ${spec} --local --resume ${runId}`, ...dirOptions(options)].join(' ');
}

function dirOptions(options: RunCommandOptions): string[] {
  const hint: string[] = [];
  if (options.runsDir) {
    hint.push(`--runs-dir ${options.runsDir}`);
  }
  if (options.cacheDir) {
    hint.push(`--cache-dir ${options.cacheDir}`);
  }
  if (options.registryDir) {
    hint.push(`--registry-dir ${options.registryDir}`);
  }
  return hint;
}
