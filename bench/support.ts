/** What several benchmarks share: a generated pipeline shape and a median timer. */
import * as fs from 'fs';
import * as path from 'path';
import { CachePolicy, Code, Condition, Pipeline, ScriptStep, Step, Value } from '../lib';

const code = Code.fromDirectory(path.join(__dirname, '..', 'test', 'fixtures', 'steps'));

export interface GeneratedOptions {
  /** Script steps per layer. @default 4 */
  readonly width?: number;
  /** Every step cached (defaultCache). @default false */
  readonly cache?: boolean;
  /**
   * How many argument lists the layers' script steps cycle through (`-- --variant <k>`, k in
   * order of creation). 1 (no arguments) gives 4 step shapes: first-layer script, inner script,
   * branch script, fail step; 4 gives 10 (4 first-layer, 4 inner, branch, fail). @default 1
   */
  readonly variants?: number;
}

/**
 * A pipeline of `steps` steps: layers of `width` script steps, each reading two steps of the
 * layer above, with a condition and two branch steps every ten layers.
 */
export function generatedPipeline(steps: number, options: GeneratedOptions = {}): Pipeline {
  const width = options.width ?? 4;
  const variants = options.variants ?? 1;
  const p = new Pipeline(`generated-${steps}`, { defaultCache: options.cache ? CachePolicy.enabled() : undefined });
  let above: ScriptStep[] = [];
  let made = 0;
  for (let layer = 0; made < steps; layer++) {
    const row: ScriptStep[] = [];
    for (let i = 0; i < width && made < steps; i++, made++) {
      const inputs = Object.fromEntries(above.filter((_, j) => j === i || j === (i + 1) % above.length).map((s, j) => [`in${j}`, s.output('out')]));
      const args = variants > 1 ? ['--variant', String(made % variants)] : [];
      row.push(Step.script(`s${layer}-${i}`, { code, entry: 'noop.py', inputs, outputs: ['out'], metrics: ['score'], arguments: args }));
    }
    p.addStep(...row);
    if (layer % 10 === 9 && made + 3 <= steps) {
      p.addStep(Step.condition(`gate${layer}`, {
        when: Condition.gte(row[0].metric('score'), Value.number(0.5)),
        then: [Step.script(`then${layer}`, { code, entry: 'noop.py', inputs: { x: row[0].output('out') } })],
        otherwise: [Step.fail(`fail${layer}`, { message: 'score too low' })],
      }));
      made += 3;
    }
    above = row;
  }
  return p;
}

/** Milliseconds since `start` (from process.hrtime.bigint()). */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** The median wall time of `runs` calls of `fn`, in milliseconds (awaits `fn` when it returns a promise). */
export async function medianMs(runs: number, fn: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(msSince(start));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** Where `npm run bench` leaves its figures (git-ignored). */
export const RESULTS_FILE = path.join(__dirname, 'results.json');

/**
 * Records the figures of one benchmark in bench/results.json under its name, next to those the
 * other benchmarks recorded (each runs in its own process), with the time they were taken.
 */
export function recordResults(bench: string, figures: { [key: string]: unknown }): void {
  let all: { [bench: string]: unknown } = {};
  try {
    all = JSON.parse(fs.readFileSync(RESULTS_FILE, 'utf8'));
  } catch {
    // no file yet, or one a crashed run left half-written: start over
  }
  all[bench] = { recordedAt: new Date().toISOString(), node: process.version, ...figures };
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(all, null, 2)}\n`);
}
