import { displayPath } from './display';
import { RunReport, StepReport } from './report';
import { RunStatus, TaskState } from './state';

/** How a step looks in progress output. */
export interface StepView {
  readonly name: string;
  readonly kind: string;
  /** How deep in condition branches the step sits (for indentation). */
  readonly depth: number;
  readonly state: TaskState;
  /** When the current attempt started (ms since epoch), while running. */
  readonly startedAtMs?: number;
  readonly durationMs?: number;
  /** 'attempt 2/3', 'retry 1 of 2 in 5s', 'then', 'version 3', ... */
  readonly detail?: string;
  /** forEach steps: items finished of all. */
  readonly items?: { readonly done: number; readonly total: number };
}

export interface RunStartView {
  readonly runId: string;
  readonly pipeline: string;
  readonly runDir: string;
  readonly resumed: boolean;
  readonly steps: StepView[];
  readonly warnings: string[];
}

/** Receives a run's progress. The runner calls it; the CLI picks the implementation. */
export interface RunReporter {
  /** Something the user should know that is not a step's progress (creating the venv, ...). */
  notice(message: string): void;
  runStarted(run: RunStartView): void;
  stepChanged(view: StepView): void;
  /** One line a step's script printed. */
  stepOutput(step: string, line: string, item?: string): void;
  runFinished(report: RunReport): void;
}

/** Reports nothing (library use, tests, benchmarks). */
export class SilentReporter implements RunReporter {
  public notice(): void {}
  public runStarted(): void {}
  public stepChanged(): void {}
  public stepOutput(): void {}
  public runFinished(): void {}
}

interface Output {
  write(text: string): unknown;
  readonly columns?: number;
}

/** Plain log lines, for pipes, files and CI logs: state changes and every line a step prints. */
export class PlainReporter implements RunReporter {
  private readonly last = new Map<string, string>();
  private started = Date.now();

  constructor(private readonly out: Output) {}

  public notice(message: string): void {
    this.out.write(`mlops: ${message}\n`);
  }

  public runStarted(run: RunStartView): void {
    this.started = Date.now();
    this.out.write(`${run.resumed ? 'Resuming' : 'Starting'} run ${run.runId} of pipeline '${run.pipeline}' in ${displayPath(run.runDir)}\n`);
    run.warnings.forEach((w) => this.out.write(`warning: ${w}\n`));
  }

  public stepChanged(view: StepView): void {
    const text = `${stateWords(view)}${view.detail ? ` (${view.detail})` : ''}`;
    if (this.last.get(view.name) === text) {
      return;
    }
    this.last.set(view.name, text);
    this.out.write(`[${formatDuration(Date.now() - this.started).padStart(6)}] ${view.name}: ${text}\n`);
  }

  public stepOutput(step: string, line: string, item?: string): void {
    this.out.write(`${step}${item !== undefined ? `[${item}]` : ''} | ${line}\n`);
  }

  public runFinished(report: RunReport): void {
    this.out.write(formatSummary(report));
  }
}

const ESC = '\x1b[';

/**
 * One line per step, redrawn in place (ANSI cursor movement) with state and duration, and the
 * latest line the step printed. For terminals only; log lines go to the run directory.
 */
export class TtyReporter implements RunReporter {
  private views: StepView[] = [];
  private readonly lastLine = new Map<string, string>();
  private drawn = 0;
  private timer?: NodeJS.Timeout;
  private frame = 0;

  constructor(private readonly out: Output, private readonly refreshMs = 200) {}

  public notice(message: string): void {
    this.clear();
    this.out.write(`mlops: ${message}\n`);
    this.draw();
  }

  public runStarted(run: RunStartView): void {
    this.out.write(`${run.resumed ? 'Resuming' : 'Starting'} run ${run.runId} of pipeline '${run.pipeline}' in ${displayPath(run.runDir)}\n`);
    run.warnings.forEach((w) => this.out.write(`warning: ${w}\n`));
    this.views = [...run.steps];
    this.out.write(`${ESC}?25l`);
    this.draw();
    this.timer = setInterval(() => {
      this.frame++;
      this.redraw();
    }, this.refreshMs);
    this.timer.unref();
  }

  public stepChanged(view: StepView): void {
    const i = this.views.findIndex((v) => v.name === view.name);
    if (i >= 0) {
      this.views[i] = view;
    } else {
      this.views.push(view);
    }
    this.redraw();
  }

  public stepOutput(step: string, line: string): void {
    if (line.trim()) {
      this.lastLine.set(step, line.trim());
    }
  }

  public runFinished(report: RunReport): void {
    if (this.timer) {
      clearInterval(this.timer);
    }
    this.lastLine.clear();
    this.redraw();
    this.out.write(`${ESC}?25h`);
    this.out.write(formatSummary(report));
  }

  private redraw(): void {
    this.clear();
    this.draw();
  }

  private clear(): void {
    if (this.drawn > 0) {
      this.out.write(`${ESC}${this.drawn}A${ESC}0J`);
      this.drawn = 0;
    }
  }

  private draw(): void {
    if (this.views.length === 0) {
      return;
    }
    const width = Math.max(40, (this.out.columns || 100) - 1);
    const nameWidth = Math.min(32, Math.max(...this.views.map((v) => v.name.length + 2 * v.depth)));
    const lines = this.views.map((v) => {
      const name = `${'  '.repeat(v.depth)}${v.name}`.padEnd(nameWidth);
      const took = v.state === TaskState.RUNNING && v.startedAtMs ? Date.now() - v.startedAtMs : v.durationMs;
      const time = took !== undefined ? formatDuration(took) : '';
      const items = v.items ? ` ${v.items.done}/${v.items.total}` : '';
      const detail = v.detail ? `  ${v.detail}` : '';
      const latest = v.state === TaskState.RUNNING && this.lastLine.has(v.name) ? `  ${DIM}${this.lastLine.get(v.name)}${RESET}` : '';
      const text = `${this.symbol(v.state)} ${name}  ${stateWords(v).padEnd(9)}${items} ${time.padStart(7)}${detail}`;
      return truncate(text, width) + (latest && visibleLength(text) + 4 < width ? truncate(latest, width - visibleLength(text)) : '');
    });
    this.out.write(lines.join('\n') + '\n');
    this.drawn = lines.length;
  }

  private symbol(state: TaskState): string {
    switch (state) {
      case TaskState.RUNNING:
        return `${CYAN}${SPINNER[this.frame % SPINNER.length]}${RESET}`;
      case TaskState.SUCCEEDED:
        return `${GREEN}✓${RESET}`;
      case TaskState.CACHED:
        return `${GREEN}↺${RESET}`;
      case TaskState.FAILED:
        return `${RED}✗${RESET}`;
      case TaskState.SKIPPED:
        return `${DIM}-${RESET}`;
      default:
        return `${DIM}·${RESET}`;
    }
  }
}

const RESET = `${ESC}0m`;
const DIM = `${ESC}2m`;
const RED = `${ESC}31m`;
const GREEN = `${ESC}32m`;
const CYAN = `${ESC}36m`;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

function visibleLength(text: string): number {
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').length;
}

/** Cuts a line to `width` visible characters, keeping ANSI codes intact. */
function truncate(text: string, width: number): string {
  if (visibleLength(text) <= width) {
    return text;
  }
  let out = '';
  let visible = 0;
  for (const part of text.split(/(\x1b\[[0-9;?]*[A-Za-z])/)) {
    if (part.startsWith('\x1b[')) {
      out += part;
    } else {
      const room = width - 1 - visible;
      out += part.slice(0, Math.max(0, room));
      visible += Math.min(part.length, Math.max(0, room));
    }
  }
  return `${out}…${RESET}`;
}

function stateWords(view: StepView): string {
  return view.state === TaskState.PENDING ? 'waiting' : view.state;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) {
    return `${Math.round(ms)}ms`;
  }
  if (ms < 60_000) {
    return `${(ms / 1000).toFixed(1)}s`;
  }
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m${Math.round((ms % 60_000) / 1000).toString().padStart(2, '0')}s`;
}


/** The end-of-run summary: outcome, counts, registered models, and what failed with its log tail. */
export function formatSummary(report: RunReport): string {
  const lines: string[] = [];
  const count = (state: TaskState) => report.steps.filter((s) => s.state === state).length;
  const took = report.durationMs !== undefined ? ` in ${formatDuration(report.durationMs)}` : '';
  const counts = `${count(TaskState.SUCCEEDED)} ran, ${count(TaskState.CACHED)} from cache, ${count(TaskState.SKIPPED)} skipped`;
  switch (report.status) {
    case RunStatus.SUCCEEDED:
      lines.push(`Run ${report.runId} succeeded${took}: ${counts}.`);
      break;
    case RunStatus.INTERRUPTED:
      lines.push(`Run ${report.runId} was interrupted${took}: ${counts}; its state is saved.`);
      break;
    default:
      lines.push(`Run ${report.runId} failed${took}: ${report.error ?? 'see the steps above'}`);
  }
  for (const step of report.steps) {
    if (step.registered) {
      lines.push(`  registered model '${step.registered.group}' version ${step.registered.version}: ${displayPath(step.registered.path)}`);
    }
  }
  for (const step of report.steps) {
    lines.push(...failureLines(step));
  }
  lines.push(`  run directory: ${displayPath(report.runDir)}`);
  return lines.join('\n') + '\n';
}

function failureLines(step: StepReport): string[] {
  const failed = [step, ...(step.items ?? []).map((item) => ({ ...item, name: `${step.name}[${item.item}]` }))].filter(
    (t) => t.state === TaskState.FAILED && t.logTail && t.logTail.length > 0,
  );
  return failed.flatMap((t) => {
    const log = t.logs[t.logs.length - 1];
    return [`  last lines of ${'name' in t ? t.name : step.name}${log ? ` (${displayPath(log)})` : ''}:`, ...(t.logTail ?? []).map((l) => `    | ${l}`)];
  });
}
