import { spawn } from 'child_process';
import * as fs from 'fs';

export interface ProcessSpec {
  readonly command: string;
  readonly args: string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Every byte the process writes (stdout and stderr) is appended here. */
  readonly logFile: string;
  readonly timeoutSeconds?: number;
  /** Each complete line of output, as it comes. */
  readonly onLine?: (line: string) => void;
  /** How many of the last lines to keep for error reports. @default 20 */
  readonly tailLines?: number;
}

export interface ProcessResult {
  /** Exit code, or undefined when the process was killed by a signal or never started. */
  readonly exitCode?: number;
  readonly signal?: string;
  readonly timedOut: boolean;
  /** Stopped through `stop()` (an interrupted run). */
  readonly stopped: boolean;
  /** Why the process could not be started. */
  readonly spawnError?: Error;
  /** The last lines of output. */
  readonly tail: string[];
  /** Why the log file could not be written (the process was stopped then). */
  readonly logError?: NodeJS.ErrnoException;
}

export interface RunningProcess {
  readonly pid?: number;
  readonly result: Promise<ProcessResult>;
  /** Stops the process and everything it started: SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): void;
}

/** Grace period between SIGTERM and SIGKILL when a step is stopped. */
export const KILL_GRACE_MS = 3000;

/**
 * Starts a step process in its own process group, so that stopping it (timeout, Ctrl-C) also
 * stops whatever the script started, and a Ctrl-C in the terminal reaches the runner only, which
 * then stops its children and saves the run's state.
 */
export function startProcess(spec: ProcessSpec): RunningProcess {
  const tailLimit = spec.tailLines ?? 20;
  const tail: string[] = [];
  let partial = '';
  const log = fs.openSync(spec.logFile, 'a');
  const takeLine = (line: string) => {
    tail.push(line);
    if (tail.length > tailLimit) {
      tail.shift();
    }
    spec.onLine?.(line);
  };
  let logError: NodeJS.ErrnoException | undefined;
  const writeLog = (data: Buffer) => {
    if (logError !== undefined) {
      return;
    }
    try {
      fs.writeSync(log, data);
    } catch (e) {
      // A log that cannot be written (a full disk) ends the step: its result would be lost too.
      logError = e as NodeJS.ErrnoException;
      logError.path ??= spec.logFile;
      stopped = true;
      terminate(KILL_GRACE_MS);
    }
  };
  const onData = (chunk: Buffer) => {
    writeLog(chunk);
    const lines = (partial + chunk.toString('utf8')).split(/\r?\n/);
    partial = lines.pop() ?? '';
    lines.forEach(takeLine);
  };

  const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let timedOut = false;
  let stopped = false;
  let killTimer: NodeJS.Timeout | undefined;
  const killGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const terminate = (graceMs: number) => {
    killGroup('SIGTERM');
    killTimer ??= setTimeout(() => killGroup('SIGKILL'), graceMs);
  };
  const timeout = spec.timeoutSeconds
    ? setTimeout(() => {
      timedOut = true;
      takeLine(`[mlops] stopping the step: it ran longer than its timeout of ${spec.timeoutSeconds}s`);
      terminate(KILL_GRACE_MS);
    }, spec.timeoutSeconds * 1000)
    : undefined;

  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);

  const result = new Promise<ProcessResult>((resolve) => {
    let spawnError: Error | undefined;
    child.on('error', (e) => {
      spawnError = e;
    });
    // Like a container, a step ends with its main process: whatever it left running in its group
    // is stopped (and no longer holds the output pipes open).
    child.on('exit', () => {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // nothing left
        }
      }
    });
    child.on('close', (code, signal) => {
      if (timeout) {
        clearTimeout(timeout);
      }
      if (killTimer) {
        clearTimeout(killTimer);
      }
      if (partial) {
        writeLog(Buffer.from('\n'));
        takeLine(partial);
      }
      try {
        fs.closeSync(log);
      } catch (e) {
        logError ??= e as NodeJS.ErrnoException;
      }
      resolve({
        logError,
        exitCode: code ?? undefined,
        signal: signal ?? undefined,
        timedOut,
        stopped,
        spawnError,
        tail: [...tail],
      });
    });
  });

  return {
    pid: child.pid,
    result,
    stop(graceMs = KILL_GRACE_MS) {
      stopped = true;
      terminate(graceMs);
    },
  };
}
