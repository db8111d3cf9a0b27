import { Pipeline } from '../pipeline/pipeline';
import { buildDiagram } from './diagram';
import { diagramToMermaid } from './mermaid';
import { layoutDiagram } from './layout';
import { drawSvg } from './svg';

export { RENDER_SOURCES } from './sources';
export type { DrawnSource, RenderSourceHandler } from './sources';
export { RENDER_STEPS } from './steps';
export type { RenderStepHandler } from './steps';
export { NodeShape } from './shapes';

/**
 * The pipeline as a Mermaid flowchart: one node per step (its shape and class by kind, from
 * RENDER_STEPS), data and metric edges labelled with what flows ('collect <port>' for a forEach
 * step's collected outputs), a node per URI read, dashed dependsOn edges, and one subgraph per
 * condition branch entered by a 'then' or 'otherwise' edge. Validates the pipeline first;
 * deterministic.
 */
export function renderMermaid(pipeline: Pipeline): string {
  return diagramToMermaid(buildDiagram(pipeline));
}

/**
 * The pipeline as a standalone SVG document, laid out top-down by ELK (layered, orthogonal
 * edges, labels placed by the layout), with a title and a legend. Validates the pipeline first;
 * deterministic.
 */
export async function renderSvg(pipeline: Pipeline): Promise<string> {
  return drawSvg(await layoutDiagram(buildDiagram(pipeline)));
}
