import { StepKind } from '../pipeline/step';
import { Diagram, EdgeKind } from './diagram';
import { FONTS, TextLine } from './fonts';
import { Box, NodeShape } from './shapes';
import { DATA_NODE, RENDER_STEPS } from './steps';
import { BoxStyle } from './style';
import { textWidth } from './text';

/** A legend entry: a sample of a node kind or of an edge kind, and its caption. */
export interface LegendItem {
  readonly sample:
    | { readonly kind: 'node'; readonly shape: NodeShape; readonly style: BoxStyle; readonly forEach?: boolean }
    | { readonly kind: 'edge'; readonly edgeKind: EdgeKind; readonly branch?: string };
  /** Where the sample is drawn. */
  readonly box: Box;
  readonly caption: TextLine;
}

export interface LegendEntry {
  readonly sample: LegendItem['sample'];
  readonly caption: string;
}

const LEGEND_SAMPLE = { width: 30, height: 16 };
const LEGEND_GAP = 18;
const LEGEND_ROW = 24;

/** The node kinds (in RENDER_STEPS order, then data) and edge kinds the diagram uses. */
export function legendEntries(diagram: Diagram): LegendEntry[] {
  const items: LegendEntry[] = [];
  const drawn = new Set<string>();
  for (const handler of Object.values(RENDER_STEPS)) {
    if (!drawn.has(handler.className) && diagram.nodes.some((n) => n.role === 'step' && n.className === handler.className)) {
      drawn.add(handler.className);
      items.push({ sample: { kind: 'node', shape: handler.shape, style: handler.style }, caption: handler.label });
    }
  }
  if (diagram.nodes.some((n) => n.role === 'data')) {
    items.push({ sample: { kind: 'node', shape: DATA_NODE.shape, style: DATA_NODE.style }, caption: 'data at a URI' });
  }
  if (diagram.nodes.some((n) => n.forEach)) {
    const script = RENDER_STEPS[StepKind.SCRIPT];
    items.push({ sample: { kind: 'node', shape: script.shape, style: script.style, forEach: true }, caption: 'forEach (runs once per item)' });
  }
  const edgeCaptions: [EdgeKind, string, string | undefined][] = [
    [EdgeKind.DATA, 'data (artifact)', undefined],
    [EdgeKind.METRIC, 'metric', undefined],
    [EdgeKind.DEPENDS_ON, 'dependsOn', undefined],
    [EdgeKind.BRANCH, 'then branch', 'then'],
    [EdgeKind.BRANCH, 'otherwise branch', 'otherwise'],
  ];
  for (const [edgeKind, caption, branch] of edgeCaptions) {
    if (diagram.edges.some((e) => e.kind === edgeKind && e.branch === branch)) {
      items.push({ sample: { kind: 'edge', edgeKind, branch }, caption });
    }
  }
  return items;
}

function legendItemWidth(caption: string): number {
  return LEGEND_SAMPLE.width + 6 + textWidth(caption, FONTS.legend);
}

export function legendMinWidth(items: LegendEntry[]): number {
  return Math.max(0, ...items.map((i) => legendItemWidth(i.caption)));
}

/** Legend entries left to right, wrapping to new rows within `width`. */
export function placeLegend(items: LegendEntry[], left: number, top: number, width: number): LegendItem[] {
  const out: LegendItem[] = [];
  let x = left;
  let y = top;
  for (const item of items) {
    const w = legendItemWidth(item.caption);
    if (x > left && x + w > left + width) {
      x = left;
      y += LEGEND_ROW;
    }
    const box = { x, y, width: LEGEND_SAMPLE.width, height: LEGEND_SAMPLE.height };
    out.push({
      sample: item.sample,
      box,
      caption: { text: item.caption, font: FONTS.legend, x: x + LEGEND_SAMPLE.width + 6, y: y + LEGEND_SAMPLE.height / 2 + 4, anchor: 'start', role: 'legend' },
    });
    x += w + LEGEND_GAP;
  }
  return out;
}
