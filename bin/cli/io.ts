/** Where the CLI writes; process.stdout/stderr in the bin, buffers in tests. */
export interface CliStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface CliIO {
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env };
}
