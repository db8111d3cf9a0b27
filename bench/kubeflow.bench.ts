/**
 * Kubeflow IR: compile time and document size for the Iris pipeline and generated pipelines of
 * growing size (layers of script steps each reading two steps of the layer above, with a condition
 * and two branches every ten layers), and validation time with the protobuf registry warm.
 * Size matters: the PipelineVersion holding the IR must stay under etcd's ~1.5 MiB object limit.
 * Prints medians; no targets.
 */
import { irisPipeline } from '../examples/iris/pipeline';
import { Pipeline } from '../lib';
import { compileKubeflow, KubeflowCompileOptions } from '../lib/compile/kubeflow';
import { kubeflowRegistry, validateKubeflowDocument } from '../test/support/kubeflow';
import { generatedPipeline, medianMs, msSince, recordResults } from './support';

const options: KubeflowCompileOptions = { defaultImage: 'python:3.11-slim', codeConfigMapName: () => 'code-0123456789abcdef' };



async function main(): Promise<void> {
  let start = process.hrtime.bigint();
  kubeflowRegistry();
  console.log(`protobuf registry (descriptor set from cache, or buf build): ${msSince(start).toFixed(0)} ms`);
  const cases: [string, Pipeline, number][] = [
    ['iris', irisPipeline(), 51],
    ['generated, 50 steps', generatedPipeline(50), 21],
    ['generated, 200 steps', generatedPipeline(200), 7],
    ['generated, 1000 steps', generatedPipeline(1000), 3],
    ['generated, 2000 steps', generatedPipeline(2000), 3],
  ];
  const rows: { [key: string]: unknown }[] = [];
  compileKubeflow(irisPipeline(), options); // warm-up
  console.log('pipeline                 steps  compile ms  validate ms   IR KiB  KiB/step');
  for (const [name, pipeline, runs] of cases) {
    const steps = pipeline.allSteps().length;
    pipeline.graph(); // the model's own validation and its fs checks are cached per Code
    const compileMs = await medianMs(runs, () => compileKubeflow(pipeline, options));
    const doc = compileKubeflow(pipeline, options);
    start = process.hrtime.bigint();
    const problems = validateKubeflowDocument(doc);
    const validateMs = msSince(start);
    if (problems.length > 0) {
      throw new Error(`${name}: ${problems.join('\n')}`);
    }
    const kib = Buffer.byteLength(JSON.stringify(doc)) / 1024;
    rows.push({ pipeline: name, steps, compileMs, validateMs, bytes: Buffer.byteLength(JSON.stringify(doc)) });
    console.log(`${name.padEnd(24)} ${String(steps).padStart(5)} ${compileMs.toFixed(2).padStart(11)} ${validateMs.toFixed(1).padStart(12)} ${kib.toFixed(1).padStart(8)} ${(kib / steps).toFixed(2).padStart(9)}`);
  }
  recordResults('kubeflow', { rows });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
