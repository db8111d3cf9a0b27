import { DataSource } from './artifacts';
import { Step } from './step';

/**
 * How an engine knows what it can run: a table from step kind (or data source kind) to the
 * handler that compiles or runs it. Dispatch is a lookup in the table, never a class test, so a
 * new kind is a new step file plus one entry per engine that supports it, and a kind an engine
 * has no entry for gets the same synth-time error on every engine.
 */
export type HandlerTable<H> = { readonly [kind: string]: H };

/** The standard problem for a step whose kind an engine has no handler for (prefix: the step). */
export function unsupportedStepKind(step: Step, engine: string, table: HandlerTable<unknown>): string {
  return `step kind '${step.kind}' is not supported on ${engine} (it runs ${kindList(table)} steps); `
    + `remove the step, or run the pipeline on an engine that has a handler for '${step.kind}' steps`;
}

/** The standard problem for an input whose data source kind an engine cannot read (prefix: the step). */
export function unsupportedSourceKind(input: string, source: DataSource, engine: string, table: HandlerTable<unknown>): string {
  return `input '${input}' reads ${source}, a data source of kind '${source.sourceKind}', which ${engine} cannot read (it reads ${kindList(table)}); `
    + 'read another kind of source, or run the pipeline on an engine that reads this one';
}

/**
 * The handler for `step` in `table`, or undefined after adding the standard problem (prefixed with
 * the step's name) to `problems`.
 */
export function stepHandler<H>(table: HandlerTable<H>, step: Step, engine: string, problems: string[]): H | undefined {
  const handler = Object.prototype.hasOwnProperty.call(table, step.kind) ? table[step.kind] : undefined;
  if (handler === undefined) {
    problems.push(`step '${step.name}': ${unsupportedStepKind(step, engine, table)}`);
  }
  return handler;
}

/** The resolver for a data source in `table`, or undefined after adding the standard problem. */
export function sourceHandler<H>(table: HandlerTable<H>, step: Step, input: string, source: DataSource, engine: string, problems: string[]): H | undefined {
  const handler = Object.prototype.hasOwnProperty.call(table, source.sourceKind) ? table[source.sourceKind] : undefined;
  if (handler === undefined) {
    problems.push(`step '${step.name}': ${unsupportedSourceKind(input, source, engine, table)}`);
  }
  return handler;
}

function kindList(table: HandlerTable<unknown>): string {
  const kinds = Object.keys(table).sort();
  return kinds.length === 0 ? 'no' : kinds.map((k) => `'${k}'`).join(', ');
}
