import { CliIO } from '../../../bin/cli/io';

/** A CliIO that keeps what the CLI writes, for in-process tests of commands. */
export function captureIO(options: { tty?: boolean; cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t), isTTY: options.tty ?? false, columns: 100 },
    stderr: { write: (t: string) => (err += t), isTTY: false },
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? process.env,
    out: () => out,
    err: () => err,
  };
}
