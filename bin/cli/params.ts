import { CliError } from './errors';

/** Collects a repeatable option's values. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `--param name=value` pairs as a map; the value may contain '='. */
export function parseParams(pairs: string[]): { [name: string]: string } {
  const out: { [name: string]: string } = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      throw new CliError(`--param ${JSON.stringify(pair)} is not name=value`, 'write it as --param minAccuracy=0.95');
    }
    const name = pair.slice(0, at);
    if (name in out) {
      throw new CliError(`--param ${name} is given twice (${JSON.stringify(out[name])} and ${JSON.stringify(pair.slice(at + 1))})`, 'give each parameter once');
    }
    out[name] = pair.slice(at + 1);
  }
  return out;
}

/** A whole number >= 1 for options such as --max-parallel. */
export function positiveInteger(flag: string): (text: string) => number {
  return (text: string) => {
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new CliError(`${flag} ${JSON.stringify(text)} is not a whole number >= 1`);
    }
    return n;
  };
}

export function positiveNumber(flag: string): (text: string) => number {
  return (text: string) => {
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) {
      throw new CliError(`${flag} ${JSON.stringify(text)} is not a number > 0`);
    }
    return n;
  };
}

/** A TCP port, 0 (any free one) to 65535. */
export function port(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0 || n > 65535) {
    throw new CliError(`--port ${JSON.stringify(text)} is not a port (a whole number 0-65535; 0 picks a free one)`);
  }
  return n;
}
