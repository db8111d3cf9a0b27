import { brand, isA } from './brand';

/**
 * Errors thrown at synth time. Every message says where (pipeline, step), what was given, what is
 * allowed and how to fix it; validators collect all problems and throw once.
 * TypeScript imports it from 'cdk-mlops/errors': jsii classes cannot extend Error, so other
 * languages see the message only.
 */
export class PipelineValidationError extends Error {
  /** True for a PipelineValidationError from any copy of cdk-mlops. */
  public static isPipelineValidationError(x: unknown): x is PipelineValidationError {
    return isA(x, PipelineValidationError);
  }

  /** Each problem on its own, in the order found. */
  public readonly problems: string[];

  constructor(subject: string, problems: string[]) {
    const body = problems.length === 1 ? ` ${problems[0]}` : `\n${problems.map((p) => `  - ${p}`).join('\n')}`;
    super(`${subject}:${body}`);
    this.name = 'PipelineValidationError';
    this.problems = [...problems];
  }
}

/** Throws a PipelineValidationError naming `subject` when `problems` is not empty. */
export function throwIfProblems(subject: string, problems: string[]): void {
  if (problems.length > 0) {
    throw new PipelineValidationError(subject, problems);
  }
}

/** Quotes a user-given value for an error message: strings in quotes, the rest as JSON. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    return `'${value}'`;
  }
  if (value === undefined) {
    return 'undefined';
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return String(value);
  }
  return JSON.stringify(value);
}

brand(PipelineValidationError, 'cdk-mlops.PipelineValidationError');
