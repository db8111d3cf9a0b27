/**
 * Runs `fn` with console.error and console.warn captured instead of printed: what a user would see
 * on the terminal at synth, for the test to assert on rather than to spill onto Jest's output.
 */
export function capturingConsole<T>(fn: () => T): { result: T; printed: string } {
  const lines: string[] = [];
  const capture = (...args: unknown[]) => lines.push(args.map(String).join(' '));
  const error = jest.spyOn(console, 'error').mockImplementation(capture);
  const warn = jest.spyOn(console, 'warn').mockImplementation(capture);
  try {
    return { result: fn(), printed: lines.join('\n') };
  } finally {
    error.mockRestore();
    warn.mockRestore();
  }
}
