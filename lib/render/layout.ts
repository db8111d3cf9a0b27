import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import { Diagram, DiagramCluster, DiagramEdge, DiagramNode, EdgeKind, forEachSummary } from './diagram';
import { LegendItem, legendEntries, legendMinWidth, placeLegend } from './legend';
import { Box, SHAPES } from './shapes';
import { FONTS, TextLine } from './fonts';
import { Font, textWidth, wrapText } from './text';

export { CYLINDER_RY, HEXAGON_INSET } from './shapes';
export { FONTS } from './fonts';
export type { TextLine } from './fonts';
export type { Box } from './shapes';
export type { LegendItem } from './legend';

/**
 * Places a diagram for drawing: ELK's layered algorithm lays out steps, branch clusters, edges and
 * edge labels top-down; this module sizes each node to its text beforehand and then adds a header
 * (title, description, parameters) above and a legend below. Every coordinate in the result is
 * absolute, in SVG user units, so the drawing and the tests read the same numbers.
 */

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface NodeLayout {
  readonly node: DiagramNode;
  /** The whole node, forEach stack included; nothing of the node is drawn outside it. */
  readonly box: Box;
  /** The front shape (smaller than `box` for forEach stacks). */
  readonly shape: Box;
  readonly lines: TextLine[];
}

export interface ClusterLayout {
  readonly cluster: DiagramCluster;
  readonly box: Box;
  readonly title: TextLine;
}

export interface EdgeLayout {
  readonly edge: DiagramEdge;
  /** Start, bends and end; the end touches the target's outline. */
  readonly points: Point[];
  readonly label?: { readonly box: Box; readonly line: TextLine };
}

export interface PipelineLayout {
  readonly diagram: Diagram;
  readonly width: number;
  readonly height: number;
  readonly header: TextLine[];
  /** Where the graph itself sits. */
  readonly graph: Box;
  readonly nodes: NodeLayout[];
  readonly clusters: ClusterLayout[];
  readonly edges: EdgeLayout[];
  readonly legend: LegendItem[];
}


const MARGIN = 20;
const LINE_HEIGHT = 1.35;
const NODE_PAD_X = 14;
const NODE_PAD_Y = 9;
const NODE_MIN_WIDTH = 120;
const DETAIL_MAX_WIDTH = 260;
/** How far each card of a forEach stack sits behind the one in front. */
export const STACK_OFFSET = 4;
const STACK_CARDS = 2;
const CLUSTER_TITLE_HEIGHT = 22;
const CLUSTER_PAD = 14;
const LABEL_PAD_X = 4;
const LABEL_HEIGHT = 15;
const HEADER_MIN_WIDTH = 420;

interface SizedNode {
  readonly node: DiagramNode;
  readonly width: number;
  readonly height: number;
  /** Text lines relative to the node's top-left corner. */
  readonly lines: TextLine[];
}

/** Lays out a diagram; deterministic (ELK's layered algorithm with its fixed random seed). */
export async function layoutDiagram(diagram: Diagram): Promise<PipelineLayout> {
  const sized = new Map(diagram.nodes.map((n) => [n.id, sizeNode(n)]));
  const root = toElkGraph(diagram, sized);
  const laidOut = await new ELK().layout(root);

  const graphWidth = laidOut.width ?? 0;
  const graphHeight = laidOut.height ?? 0;
  const legendItems = legendEntries(diagram);
  const contentWidth = Math.max(graphWidth, HEADER_MIN_WIDTH, legendMinWidth(legendItems));

  const header: TextLine[] = [];
  let y = MARGIN;
  const headerLine = (text: string, font: Font, role: string) => {
    header.push({ text, font, x: MARGIN, y: baselineIn(y, font), anchor: 'start', role });
    y += font.size * LINE_HEIGHT;
  };
  wrapText(`Pipeline ${diagram.pipelineName}`, FONTS.title, contentWidth).forEach((line) => headerLine(line, FONTS.title, 'title'));
  for (const text of [diagram.description, diagram.parameters.length ? `parameters: ${diagram.parameters.join(', ')}` : undefined]) {
    if (text) {
      wrapText(text, FONTS.subtitle, contentWidth).forEach((line) => headerLine(line, FONTS.subtitle, 'subtitle'));
    }
  }
  y += 14;

  const graph: Box = { x: MARGIN + (contentWidth - graphWidth) / 2, y, width: graphWidth, height: graphHeight };
  const placed = placeGraph(laidOut, graph, diagram, sized);
  y += graphHeight + 24;

  const legend = placeLegend(legendItems, MARGIN, y, contentWidth);
  const legendBottom = legend.reduce((bottom, item) => Math.max(bottom, item.box.y + item.box.height, item.caption.y + 4), y);

  return {
    diagram,
    width: contentWidth + 2 * MARGIN,
    height: legendBottom + MARGIN,
    header,
    graph,
    ...placed,
    legend,
  };
}

/** A node's size from its text and shape, with its text lines placed inside. */
function sizeNode(node: DiagramNode): SizedNode {
  const texts: { text: string; font: Font; role: string }[] = [{ text: node.name, font: FONTS.name, role: 'name' }];
  const kindLine = node.detail ? `${node.kindLabel} · ${node.detail}` : node.kindLabel;
  wrapText(kindLine, FONTS.detail, DETAIL_MAX_WIDTH).forEach((text) => texts.push({ text, font: FONTS.detail, role: 'detail' }));
  if (node.forEach) {
    wrapText(`forEach ${forEachSummary(node.forEach)}`, FONTS.detail, DETAIL_MAX_WIDTH).forEach((text) =>
      texts.push({ text, font: FONTS.detail, role: 'fan-out' }),
    );
  }
  const textW = Math.max(...texts.map((t) => textWidth(t.text, t.font)));
  const textH = texts.reduce((h, t) => h + t.font.size * LINE_HEIGHT, 0);

  const extra = SHAPES[node.shape].extra(textH, NODE_PAD_Y);
  const top = NODE_PAD_Y + extra.top;
  const stack = node.forEach ? STACK_OFFSET * STACK_CARDS : 0;
  const shapeW = Math.ceil(Math.max(NODE_MIN_WIDTH, textW + 2 * NODE_PAD_X + extra.width));
  const shapeH = Math.ceil(textH + 2 * NODE_PAD_Y + extra.height);
  const lines: TextLine[] = [];
  let lineTop = top;
  for (const t of texts) {
    lines.push({ text: t.text, font: t.font, x: shapeW / 2, y: baselineIn(lineTop, t.font), anchor: 'middle', role: t.role });
    lineTop += t.font.size * LINE_HEIGHT;
  }
  return { node, width: shapeW + stack, height: shapeH + stack, lines };
}

function toElkGraph(diagram: Diagram, sized: Map<string, SizedNode>): ElkNode {
  const leaf = (node: DiagramNode): ElkNode => {
    const size = sized.get(node.id)!;
    return {
      id: node.id,
      width: size.width,
      height: size.height,
      layoutOptions: {
        'elk.portConstraints': 'FIXED_SIDE',
        'elk.portAlignment.default': 'CENTER',
        'elk.spacing.portPort': '16',
      },
      ports: [
        ...diagram.edges.flatMap((e, i) => (e.to === node.id ? [{ id: `e${i}_in`, width: 0, height: 0, layoutOptions: { 'elk.port.side': 'NORTH' } }] : [])),
        ...diagram.edges.flatMap((e, i) => (e.from === node.id ? [{ id: `e${i}_out`, width: 0, height: 0, layoutOptions: { 'elk.port.side': 'SOUTH' } }] : [])),
      ],
    };
  };
  // The branch title goes in the bottom padding: edges only ever enter a branch from above
  // (nothing outside a branch may read or wait on its steps), so nothing crosses it there.
  const compound = (cluster: DiagramCluster): ElkNode => ({
    id: cluster.id,
    layoutOptions: {
      'elk.padding': `[top=${CLUSTER_PAD},left=${CLUSTER_PAD},bottom=${CLUSTER_TITLE_HEIGHT + CLUSTER_PAD / 2},right=${CLUSTER_PAD}]`,
    },
    children: childrenOf(cluster.id),
  });
  const childrenOf = (clusterId: string | undefined): ElkNode[] => {
    const out: ElkNode[] = [];
    for (const node of diagram.nodes.filter((n) => n.cluster === clusterId)) {
      out.push(leaf(node));
      diagram.clusters.filter((c) => c.condition === node.id).forEach((c) => out.push(compound(c)));
    }
    return out;
  };
  const edges: ElkExtendedEdge[] = diagram.edges.map((edge, i) => ({
    id: `e${i}`,
    sources: [`e${i}_out`],
    targets: [`e${i}_in`],
    labels: edge.label
      ? [{ id: `e${i}_label`, text: edge.label, width: Math.ceil(textWidth(edge.label, labelFont(edge)) + 2 * LABEL_PAD_X), height: LABEL_HEIGHT }]
      : [],
  }));
  return {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.padding': '[top=0,left=0,bottom=0,right=0]',
      'elk.spacing.nodeNode': '28',
      'elk.layered.spacing.nodeNodeBetweenLayers': '40',
      'elk.spacing.edgeNode': '16',
      'elk.layered.spacing.edgeNodeBetweenLayers': '16',
      'elk.spacing.edgeEdge': '12',
      'elk.layered.spacing.edgeEdgeBetweenLayers': '10',
      'elk.spacing.edgeLabel': '4',
      'elk.edgeLabels.placement': 'CENTER',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
    },
    children: childrenOf(undefined),
    edges,
  };
}

/** 'gate · then', or just 'then' when the branch is too narrow for the condition's name. */
function clusterTitle(cluster: DiagramCluster, maxWidth: number): string {
  const full = `${cluster.conditionName} · ${cluster.branch}`;
  return textWidth(full, FONTS.cluster) <= maxWidth ? full : cluster.branch;
}

export function labelFont(edge: DiagramEdge): Font {
  return edge.kind === EdgeKind.BRANCH ? FONTS.branchLabel : FONTS.edgeLabel;
}

/** Reads ELK's result (coordinates relative to each parent / edge container) into absolute ones. */
function placeGraph(
  laidOut: ElkNode,
  origin: Box,
  diagram: Diagram,
  sized: Map<string, SizedNode>,
): Pick<PipelineLayout, 'nodes' | 'clusters' | 'edges'> {
  const offset = new Map<string, Point>([['root', { x: origin.x, y: origin.y }]]);
  const boxes = new Map<string, Box>();
  const walk = (parent: ElkNode, at: Point) => {
    for (const child of parent.children ?? []) {
      const box = { x: round(at.x + child.x!), y: round(at.y + child.y!), width: round(child.width!), height: round(child.height!) };
      boxes.set(child.id, box);
      offset.set(child.id, { x: at.x + child.x!, y: at.y + child.y! });
      walk(child, offset.get(child.id)!);
    }
  };
  walk(laidOut, offset.get('root')!);

  const nodes = diagram.nodes.map((node): NodeLayout => {
    const box = boxes.get(node.id)!;
    const size = sized.get(node.id)!;
    const stack = node.forEach ? STACK_OFFSET * STACK_CARDS : 0;
    return {
      node,
      box,
      shape: { x: box.x, y: box.y, width: box.width - stack, height: box.height - stack },
      lines: size.lines.map((l) => ({ ...l, x: round(box.x + l.x), y: round(box.y + l.y) })),
    };
  });
  const clusters = diagram.clusters.map((cluster): ClusterLayout => {
    const box = boxes.get(cluster.id)!;
    return {
      cluster,
      box,
      title: { text: clusterTitle(cluster, box.width - 2 * CLUSTER_PAD), font: FONTS.cluster, x: box.x + CLUSTER_PAD, y: box.y + box.height - 10, anchor: 'start', role: 'cluster-title' },
    };
  });

  const nodeById = new Map(nodes.map((n) => [n.node.id, n]));
  const edges = (laidOut.edges ?? []).map((elkEdge, i): EdgeLayout => {
    const edge = diagram.edges[i];
    const at = offset.get((elkEdge as { container?: string }).container ?? 'root')!;
    const section = elkEdge.sections![0];
    const raw = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint].map((p) => ({ x: round(at.x + p.x), y: round(at.y + p.y) }));
    const points = touchOutlines(straighten(raw), nodeById.get(edge.from)!, nodeById.get(edge.to)!);
    const elkLabel = elkEdge.labels?.[0];
    if (!edge.label || !elkLabel) {
      return { edge, points };
    }
    const box = { x: round(at.x + elkLabel.x!), y: round(at.y + elkLabel.y!), width: round(elkLabel.width!), height: round(elkLabel.height!) };
    const font = labelFont(edge);
    const line: TextLine = { text: edge.label, font, x: round(box.x + box.width / 2), y: round(box.y + box.height / 2 + font.size * 0.35), anchor: 'middle', role: 'edge-label' };
    return { edge, points, label: { box, line } };
  });
  return { nodes, clusters, edges };
}

/**
 * ELK routes edges that cross into a branch (a compound node) with sub-pixel jogs, e.g. from
 * x=115 to x=114.5 on one vertical run; snapping them keeps every segment orthogonal.
 */
function straighten(points: Point[]): Point[] {
  const out = [points[0]];
  for (let i = 1; i < points.length; i++) {
    const prev = out[i - 1];
    const p = points[i];
    const dx = Math.abs(p.x - prev.x);
    const dy = Math.abs(p.y - prev.y);
    if (dx > 0 && dx < 1.5 && dy >= dx) {
      out.push({ x: prev.x, y: p.y });
    } else if (dy > 0 && dy < 1.5 && dx >= dy) {
      out.push({ x: p.x, y: prev.y });
    } else {
      out.push(p);
    }
  }
  return out;
}

/**
 * ELK ends edges on the bounding boxes; cylinders, hexagons and stadiums do not fill theirs, so
 * the first and last (vertical) segments are stretched to the drawn outline.
 */
function touchOutlines(points: Point[], from: NodeLayout, to: NodeLayout): Point[] {
  const out = [...points];
  const first = out[0];
  const last = out[out.length - 1];
  out[0] = { x: first.x, y: round(from.box.y + from.box.height - outlineInset(from, first.x)) };
  out[out.length - 1] = { x: last.x, y: round(to.box.y + outlineInset(to, last.x)) };
  return out;
}

/** How far below the box's top (or above its bottom) the outline is at `x`. */
function outlineInset(layout: NodeLayout, x: number): number {
  const s = layout.shape;
  return SHAPES[layout.node.shape].outlineInset(s, Math.min(Math.max(x - s.x, 0), s.width));
}

/** The baseline that centres a line of `font` in a line box starting at `top`. */
function baselineIn(top: number, font: Font): number {
  return top + (font.size * LINE_HEIGHT) / 2 + font.size * 0.35;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
