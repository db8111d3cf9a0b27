/**
 * Kubeflow IR: compile time and document size for the Iris pipeline and generated pipelines of
 * growing size (layers of script steps each reading two steps of the layer above, with a condition
 * and two branches every ten layers), and validation time with the protobuf registry warm.
 * Size matters: the PipelineVersion holding the IR must stay under etcd's ~1.5 MiB object limit.
 * Prints medians; no targets.
 */
import * as path from 'path';
import { irisPipeline } from '../examples/iris/pipeline';
import { Code, Condition, Pipeline, ScriptStep, Step, Value } from '../lib';
import { compileKubeflow, KubeflowCompileOptions } from '../lib/compile/kubeflow';
import { kubeflowRegistry, validateKubeflowDocument } from '../test/support/kubeflow';

const code = Code.fromDirectory(path.join(__dirname, '..', 'test', 'fixtures', 'steps'));
const options: KubeflowCompileOptions = { defaultImage: 'python:3.11-slim', codeConfigMapName: () => 'code-0123456789abcdef' };

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

function median(runs: number, fn: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function main(): void {
  let start = process.hrtime.bigint();
  kubeflowRegistry();
  console.log(`protobuf registry (descriptor set from cache, or buf build): ${(Number(process.hrtime.bigint() - start) / 1e6).toFixed(0)} ms`);
  const cases: [string, Pipeline, number][] = [
    ['iris', irisPipeline(), 51],
    ['generated, 50 steps', generated(50), 21],
    ['generated, 200 steps', generated(200), 7],
    ['generated, 1000 steps', generated(1000), 3],
  ];
  compileKubeflow(irisPipeline(), options); // warm-up
  console.log('pipeline                 steps  compile ms  validate ms   IR KiB  KiB/step');
  for (const [name, pipeline, runs] of cases) {
    const steps = pipeline.allSteps().length;
    pipeline.graph(); // the model's own validation and its fs checks are cached per Code
    const compileMs = median(runs, () => compileKubeflow(pipeline, options));
    const doc = compileKubeflow(pipeline, options);
    start = process.hrtime.bigint();
    const problems = validateKubeflowDocument(doc);
    const validateMs = Number(process.hrtime.bigint() - start) / 1e6;
    if (problems.length > 0) {
      throw new Error(`${name}: ${problems.join('\n')}`);
    }
    const kib = Buffer.byteLength(JSON.stringify(doc)) / 1024;
    console.log(`${name.padEnd(24)} ${String(steps).padStart(5)} ${compileMs.toFixed(2).padStart(11)} ${validateMs.toFixed(1).padStart(12)} ${kib.toFixed(1).padStart(8)} ${(kib / steps).toFixed(2).padStart(9)}`);
  }
}

main();
