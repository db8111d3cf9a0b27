import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { REPO } from './fixtures';

export const MLOPS_BIN = path.join(REPO, 'bin', 'mlops.js');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Starts the real `mlops` bin (node bin/mlops.js ...) as its own process. */
export function startMlops(args: string[], options: CliOptions = {}): { child: ChildProcess; result: Promise<CliResult> } {
  const child = spawn(process.execPath, [MLOPS_BIN, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, result };
}

export function runMlops(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startMlops(args, options).result;
}
