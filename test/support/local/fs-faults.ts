/**
 * Injected file-system errors (ENOSPC, EXDEV, ...) for tests of the local runner. A test file
 * replaces 'fs' for everything it loads with
 *
 *     jest.mock('fs', () => require('../support/local/fs-faults').faultyFs());
 *
 * and then calls injectFault() with a function that picks the calls to fail.
 */

type Fault = (call: string, args: unknown[]) => Error | undefined;

let fault: Fault | undefined;

/** Fails the fs calls for which `pick` returns an error, until clearFaults(). */
export function injectFault(pick: Fault): void {
  fault = pick;
}

export function clearFaults(): void {
  fault = undefined;
}

/** An errno error as Node throws it. */
export function errno(code: string, call: string, file: unknown): NodeJS.ErrnoException {
  const text: { [code: string]: string } = { ENOSPC: 'no space left on device', EXDEV: 'cross-device link not permitted', EMLINK: 'too many links', EACCES: 'permission denied' };
  const error = new Error(`${code}: ${text[code] ?? 'error'}, ${call}${file === undefined ? '' : ` '${String(file)}'`}`);
  return Object.assign(error, { code, syscall: call }, file === undefined ? {} : { path: String(file) });
}

const WRAPPED = ['writeFileSync', 'appendFileSync', 'mkdirSync', 'mkdtempSync', 'linkSync', 'openSync', 'writeSync', 'copyFileSync', 'cpSync', 'renameSync', 'symlinkSync'];

/** The real fs with the calls above routed through the injected fault. */
export function faultyFs(): typeof import('fs') {
  const actual = jest.requireActual('fs') as { [name: string]: unknown };
  const wrapped: { [name: string]: unknown } = { ...actual };
  for (const name of WRAPPED) {
    const real = actual[name] as (...args: unknown[]) => unknown;
    wrapped[name] = (...args: unknown[]) => {
      const error = fault?.(name, args);
      if (error) {
        throw error;
      }
      return real(...args);
    };
  }
  return wrapped as unknown as typeof import('fs');
}
