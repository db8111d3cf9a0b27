import type { PlannedStep } from './planned';
import { StepRecord, TaskState } from './state';

/**
 * Whether a planned step can start: 'skip' when an enclosing condition chose the other branch or
 * an upstream step was skipped, 'wait' while a condition or an upstream step has not finished.
 */
export function stepReadiness(step: PlannedStep, record: (name: string) => StepRecord): 'ready' | 'wait' | 'skip' {
  for (const { condition, branch } of step.scope) {
    const decided = record(condition);
    if (decided.state === TaskState.SKIPPED || (decided.state === TaskState.SUCCEEDED && decided.outcome !== branch)) {
      return 'skip';
    }
    if (decided.state !== TaskState.SUCCEEDED) {
      return 'wait';
    }
  }
  for (const name of step.upstream) {
    const state = record(name).state;
    if (state === TaskState.SKIPPED) {
      return 'skip';
    }
    if (state !== TaskState.SUCCEEDED && state !== TaskState.CACHED) {
      return 'wait';
    }
  }
  return 'ready';
}

/** The metrics each step reported so far, by step (steps without metrics left out). */
export function metricsByStep(steps: PlannedStep[], record: (name: string) => StepRecord): { [step: string]: { [name: string]: unknown } } {
  const out: { [step: string]: { [name: string]: unknown } } = {};
  for (const step of steps) {
    const metrics = record(step.name).metrics;
    if (metrics && Object.keys(metrics).length > 0) {
      out[step.name] = metrics;
    }
  }
  return out;
}
