/**
 * Diagram rendering time: Mermaid and SVG (ELK layout) for the Iris pipeline and for generated
 * pipelines of growing size (layers of script steps each reading two steps of the layer above,
 * with a condition and two branches every ten layers). Prints median wall times; no targets.
 */
import { irisPipeline } from '../examples/iris/pipeline';
import { Pipeline } from '../lib';
import { renderMermaid, renderSvg } from '../lib/render';
import { generatedPipeline, medianMs, recordResults } from './support';




async function main(): Promise<void> {
  const cases: [string, Pipeline, number][] = [
    ['iris (7 steps)', irisPipeline(), 15],
    ['generated, 50 steps', generatedPipeline(50), 7],
    ['generated, 200 steps', generatedPipeline(200), 3],
    ['generated, 500 steps', generatedPipeline(500), 1],
  ];
  await renderSvg(irisPipeline()); // warm-up: ELK's first layout compiles a lot of code
  console.log('pipeline                  steps   mermaid ms   svg ms   svg KiB');
  const rows: { [key: string]: unknown }[] = [];
  for (const [name, pipeline, runs] of cases) {
    const steps = pipeline.allSteps().length;
    const mermaid = await medianMs(runs, () => renderMermaid(pipeline));
    const svg = await medianMs(runs, () => renderSvg(pipeline));
    const size = (await renderSvg(pipeline)).length / 1024;
    rows.push({ pipeline: name, steps, mermaidMs: mermaid, svgMs: svg, svgKiB: size });
    console.log(`${name.padEnd(24)} ${String(steps).padStart(6)} ${mermaid.toFixed(1).padStart(12)} ${svg.toFixed(0).padStart(8)} ${size.toFixed(0).padStart(9)}`);
  }
  recordResults('render', { rows });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
