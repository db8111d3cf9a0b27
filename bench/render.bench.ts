/**
 * Diagram rendering time: Mermaid and SVG (ELK layout) for the Iris pipeline and for generated
 * pipelines of growing size (layers of script steps each reading two steps of the layer above,
 * with a condition and two branches every ten layers). Prints median wall times; no targets.
 */
import * as path from 'path';
import { irisPipeline } from '../examples/iris/pipeline';
import { Code, Condition, Pipeline, ScriptStep, Step, Value } from '../lib';
import { renderMermaid, renderSvg } from '../lib/render';

const code = Code.fromDirectory(path.join(__dirname, '..', 'test', 'fixtures', 'steps'));

function generated(steps: number, width = 4): Pipeline {
  const p = new Pipeline(`generated-${steps}`);
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
      p.addStep(
        Step.condition(`gate${layer}`, {
          when: Condition.gte(row[0].metric('score'), Value.number(0.5)),
          then: [Step.script(`then${layer}`, { code, entry: 'noop.py', inputs: { x: row[0].output('out') } })],
          otherwise: [Step.fail(`fail${layer}`, { message: 'score too low' })],
        }),
      );
      made += 3;
    }
    above = row;
  }
  return p;
}

async function median(runs: number, fn: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function main(): Promise<void> {
  const cases: [string, Pipeline, number][] = [
    ['iris (7 steps)', irisPipeline(), 15],
    ['generated, 50 steps', generated(50), 7],
    ['generated, 200 steps', generated(200), 3],
    ['generated, 500 steps', generated(500), 1],
  ];
  await renderSvg(irisPipeline()); // warm-up: ELK's first layout compiles a lot of code
  console.log('pipeline                  steps   mermaid ms   svg ms   svg KiB');
  for (const [name, pipeline, runs] of cases) {
    const steps = pipeline.allSteps().length;
    const mermaid = await median(runs, () => renderMermaid(pipeline));
    const svg = await median(runs, () => renderSvg(pipeline));
    const size = (await renderSvg(pipeline)).length / 1024;
    console.log(`${name.padEnd(24)} ${String(steps).padStart(6)} ${mermaid.toFixed(1).padStart(12)} ${svg.toFixed(0).padStart(8)} ${size.toFixed(0).padStart(9)}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
