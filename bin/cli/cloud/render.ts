import { ExecutionDetail, ExecutionSummary, StepSummary } from './service';

/** Execution statuses after which nothing changes any more. */
export const TERMINAL_STATUSES = new Set(['Succeeded', 'Failed', 'Stopped']);

const SYMBOL: { [status: string]: string } = {
  Succeeded: '✓',
  Failed: '✗',
  Stopped: '■',
  Stopping: '■',
  Executing: '▶',
  Starting: '▶',
};

/** The pipeline name inside an execution ARN (`...:pipeline/<name>/execution/<id>`). */
export function pipelineOfExecution(arn: string): string | undefined {
  return /:pipeline\/([^/]+)\/execution\//.exec(arn)?.[1];
}

export function executionId(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

function time(d: Date | undefined): string {
  return d ? d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '-';
}

export function duration(from: Date | undefined, to: Date | undefined): string {
  if (!from) {
    return '';
  }
  const ms = Math.max(0, (to ?? new Date()).getTime() - from.getTime());
  const s = Math.round(ms / 1000);
  if (s < 60) {
    return `${s}s`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  }
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * `mlops status`: the execution, then one line per step with its state and duration. `steps` is
 * either the steps or why they could not be read (the execution's status is shown either way).
 */
export function renderStatus(pipeline: string, execution: ExecutionDetail, steps: StepSummary[] | { readonly error: string }, now = new Date()): string {
  const lines = [
    `Pipeline ${pipeline}, execution ${executionId(execution.arn)}${execution.displayName ? ` (${execution.displayName})` : ''}`,
    `  status:  ${execution.status}`,
    `  started: ${time(execution.startTime)}${execution.startTime ? ` (${duration(execution.startTime, TERMINAL_STATUSES.has(execution.status) ? execution.lastModifiedTime : now)} ${TERMINAL_STATUSES.has(execution.status) ? 'total' : 'so far'})` : ''}`,
    `  arn:     ${execution.arn}`,
  ];
  if (execution.failureReason && execution.failureReason !== 'None') {
    lines.push(`  failure: ${execution.failureReason}`);
  }
  if ('error' in steps) {
    lines.push(`Steps: not available: ${steps.error}`);
  } else if (steps.length === 0) {
    lines.push('Steps: none started yet');
  } else {
    lines.push('Steps:');
    const width = Math.max(...steps.map((s) => s.name.length));
    for (const s of steps) {
      const took = duration(s.startTime, s.endTime ?? (TERMINAL_STATUSES.has(s.status) ? s.startTime : now));
      const extras = [
        s.cacheHit ? 'cache hit' : undefined,
        s.attempts && s.attempts > 1 ? `${s.attempts} attempts` : undefined,
        s.failureReason ? s.failureReason : undefined,
      ].filter(Boolean);
      lines.push(`  ${SYMBOL[s.status] ?? '·'} ${s.name.padEnd(width)}  ${s.status.padEnd(9)} ${took.padStart(7)}${extras.length ? `  ${extras.join('; ')}` : ''}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** `mlops list`: one line per execution, latest first. */
export function renderExecutions(pipeline: string, executions: ExecutionSummary[]): string {
  if (executions.length === 0) {
    return `Pipeline ${pipeline} has no executions yet; start one with: npx mlops start ${pipeline}\n`;
  }
  const lines = [`Executions of ${pipeline}, latest first:`];
  for (const e of executions) {
    lines.push(`  ${(SYMBOL[e.status] ?? '·')} ${e.status.padEnd(9)} ${time(e.startTime).padEnd(23)} ${e.arn}${e.failureReason && e.failureReason !== 'None' ? `  (${e.failureReason})` : ''}`);
  }
  return lines.join('\n') + '\n';
}
