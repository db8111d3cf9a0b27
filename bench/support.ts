/** What several benchmarks share: a generated pipeline shape and a median timer. */
import * as path from 'path';
import { CachePolicy, Code, Condition, Pipeline, ScriptStep, Step, Value } from '../lib';

const code = Code.fromDirectory(path.join(__dirname, '..', 'test', 'fixtures', 'steps'));

/**
 * A pipeline of `steps` steps: layers of `width` script steps, each reading two steps of the
 * layer above, with a condition and two branch steps every ten layers.
 */
export function generatedPipeline(steps: number, options: { width?: number; cache?: boolean } = {}): Pipeline {
  const width = options.width ?? 4;
  const p = new Pipeline(`generated-${steps}`, { defaultCache: options.cache ? CachePolicy.enabled() : undefined });
  let above: ScriptStep[] = [];
  let made = 0;
  for (let layer = 0; made < steps; layer++) {
    const row: ScriptStep[] = [];
    for (let i = 0; i < width && made < steps; i++, made++) {
      const inputs = Object.fromEntries(above.filter((_, j) => j === i || j === (i + 1) % above.length).map((s, j) => [`in${j}`, s.output('out')]));
      row.push(Step.script(`s${layer}-${i}`, { code, entry: 'noop.py', inputs, outputs: ['out'], metrics: ['score'] }));
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
