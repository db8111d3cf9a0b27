import { EdgeKind } from './diagram';
import { EdgeLayout, LegendItem, NodeLayout, PipelineLayout, Point, STACK_OFFSET, TextLine } from './layout';
import { Box, NodeShape, SHAPES } from './shapes';
import { BRANCH_STYLE, EDGE_STYLE } from './style';
import { escapeXml } from './text';

const FONT_FAMILY = 'DejaVu Sans, Verdana, Geneva, sans-serif';
const CORNER = 6;

/** Draws a laid-out diagram as a standalone SVG document. Pure: same layout, same bytes. */
export function drawSvg(layout: PipelineLayout): string {
  const d = layout.diagram;
  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${n(layout.width)}" height="${n(layout.height)}" viewBox="0 0 ${n(layout.width)} ${n(layout.height)}" font-family="${FONT_FAMILY}" role="img" aria-labelledby="diagram-title">`,
  );
  out.push(`<title id="diagram-title">${escapeXml(`Pipeline ${d.pipelineName}${d.description ? `: ${d.description}` : ''}`)}</title>`);
  out.push(defs(layout));
  out.push(`<rect class="background" x="0" y="0" width="${n(layout.width)}" height="${n(layout.height)}" fill="#ffffff"/>`);

  out.push('<g class="header">');
  layout.header.forEach((line) => out.push(text(line, line.role === 'title' ? '#1a202c' : '#4a5568')));
  out.push('</g>');

  out.push('<g class="clusters">');
  for (const c of layout.clusters) {
    const style = BRANCH_STYLE[c.cluster.branch];
    out.push(`<g class="cluster branch-${c.cluster.branch}" id="${c.cluster.id}">`);
    out.push(`<rect ${boxAttrs(c.box)} rx="${CORNER}" fill="${style.fill}" stroke="${style.stroke}" stroke-width="1.2" stroke-dasharray="5 3"/>`);
    out.push(text(c.title, style.stroke));
    out.push('</g>');
  }
  out.push('</g>');

  out.push('<g class="edges">');
  layout.edges.forEach((e, i) => out.push(edgePath(e, i)));
  out.push('</g>');

  out.push('<g class="edge-labels">');
  for (const e of layout.edges.filter((x) => x.label)) {
    const colour = edgeColour(e);
    out.push(`<g class="edge-label">`);
    out.push(`<rect ${boxAttrs(e.label!.box)} rx="3" fill="#ffffff" fill-opacity="0.9"/>`);
    out.push(text(e.label!.line, colour));
    out.push('</g>');
  }
  out.push('</g>');

  out.push('<g class="nodes">');
  layout.nodes.forEach((node) => out.push(...drawNode(node)));
  out.push('</g>');

  out.push('<g class="legend">');
  layout.legend.forEach((item) => out.push(...drawLegendItem(item)));
  out.push('</g>');
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** One arrowhead marker per edge colour in use. */
function defs(layout: PipelineLayout): string {
  const colours = [...new Set([...layout.edges.map(edgeColour), ...layout.legend.filter((l) => l.sample.kind === 'edge').map(legendEdgeColour)])].sort();
  const markers = colours.map(
    (c) =>
      `<marker id="${markerId(c)}" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${c}"/></marker>`,
  );
  return `<defs>\n${markers.join('\n')}\n</defs>`;
}

function markerId(colour: string): string {
  return `arrow-${colour.replace('#', '')}`;
}

function edgeColour(e: EdgeLayout): string {
  return e.edge.kind === EdgeKind.BRANCH ? BRANCH_STYLE[e.edge.branch!].stroke : EDGE_STYLE[e.edge.kind].stroke;
}

function legendEdgeColour(item: LegendItem): string {
  const s = item.sample;
  if (s.kind !== 'edge') {
    return '';
  }
  return s.edgeKind === EdgeKind.BRANCH ? BRANCH_STYLE[s.branch!].stroke : EDGE_STYLE[s.edgeKind].stroke;
}

function edgePath(e: EdgeLayout, index: number): string {
  const colour = edgeColour(e);
  const dash = EDGE_STYLE[e.edge.kind].dash;
  const width = e.edge.kind === EdgeKind.BRANCH ? 2.2 : 1.4;
  return (
    `<path class="edge edge-${e.edge.kind}" data-from="${e.edge.from}" data-to="${e.edge.to}" id="edge-${index}" d="${roundedPath(e.points)}"` +
    ` fill="none" stroke="${colour}" stroke-width="${width}"${dash ? ` stroke-dasharray="${dash}"` : ''} marker-end="url(#${markerId(colour)})"/>`
  );
}

/** An orthogonal polyline with its corners rounded. */
function roundedPath(points: Point[]): string {
  const parts = [`M${n(points[0].x)},${n(points[0].y)}`];
  for (let i = 1; i < points.length - 1; i++) {
    const [prev, at, next] = [points[i - 1], points[i], points[i + 1]];
    const r = Math.min(6, dist(prev, at) / 2, dist(at, next) / 2);
    const a = towards(at, prev, r);
    const b = towards(at, next, r);
    parts.push(`L${n(a.x)},${n(a.y)}`, `Q${n(at.x)},${n(at.y)} ${n(b.x)},${n(b.y)}`);
  }
  const last = points[points.length - 1];
  parts.push(`L${n(last.x)},${n(last.y)}`);
  return parts.join(' ');
}

function dist(a: Point, b: Point): number {
  return Math.hypot(b.x - a.x, b.y - a.y);
}

function towards(from: Point, to: Point, distance: number): Point {
  const len = dist(from, to);
  return len === 0 ? from : { x: from.x + ((to.x - from.x) * distance) / len, y: from.y + ((to.y - from.y) * distance) / len };
}

function drawNode(layout: NodeLayout): string[] {
  const node = layout.node;
  const style = node.style;
  const out = [node.role === 'step'
    ? `<g class="step step-${node.kind}${node.forEach ? ' for-each' : ''}" id="${node.id}" data-step="${escapeXml(node.name)}">`
    : `<g class="data data-${node.kind}" id="${node.id}">`];
  out.push(`<title>${escapeXml(node.facts.join('\n'))}</title>`);
  if (node.forEach) {
    for (let card = 2; card >= 1; card--) {
      const behind = { ...layout.shape, x: layout.shape.x + card * STACK_OFFSET, y: layout.shape.y + card * STACK_OFFSET };
      out.push(shape(node.shape, behind, style.fill, style.stroke));
    }
  }
  out.push(shape(node.shape, layout.shape, style.fill, style.stroke));
  layout.lines.forEach((line) => out.push(text(line, style.text)));
  out.push('</g>');
  return out;
}

/** The outline of a node of `shape` filling `box`. */
function shape(kind: NodeShape, box: Box, fill: string, stroke: string): string {
  return SHAPES[kind].svg(box, `fill="${fill}" stroke="${stroke}" stroke-width="1.5"`, stroke);
}

function drawLegendItem(item: LegendItem): string[] {
  const out = ['<g class="legend-item">'];
  const s = item.sample;
  if (s.kind === 'node') {
    const style = s.style;
    if (s.forEach) {
      const front = { ...item.box, width: item.box.width - 4, height: item.box.height - 4 };
      out.push(shape(s.shape, { ...front, x: front.x + 4, y: front.y + 4 }, style.fill, style.stroke));
      out.push(shape(s.shape, front, style.fill, style.stroke));
    } else {
      out.push(shape(s.shape, item.box, style.fill, style.stroke));
    }
  } else {
    const colour = legendEdgeColour(item);
    const y = item.box.y + item.box.height / 2;
    const dash = EDGE_STYLE[s.edgeKind].dash;
    const width = s.edgeKind === EdgeKind.BRANCH ? 2.2 : 1.4;
    out.push(
      `<path d="M${n(item.box.x)},${n(y)} L${n(item.box.x + item.box.width - 2)},${n(y)}" fill="none" stroke="${colour}" stroke-width="${width}"${dash ? ` stroke-dasharray="${dash}"` : ''} marker-end="url(#${markerId(colour)})"/>`,
    );
  }
  out.push(text(item.caption, '#2d3748'));
  out.push('</g>');
  return out;
}

function text(line: TextLine, colour: string): string {
  const weight = line.font.bold ? ' font-weight="bold"' : '';
  const anchor = line.anchor === 'middle' ? ' text-anchor="middle"' : '';
  return `<text class="${line.role}" x="${n(line.x)}" y="${n(line.y)}" font-size="${line.font.size}"${weight}${anchor} fill="${colour}">${escapeXml(line.text)}</text>`;
}

function boxAttrs(box: Box): string {
  return `x="${n(box.x)}" y="${n(box.y)}" width="${n(box.width)}" height="${n(box.height)}"`;
}

/** Numbers as short, stable text: at most two decimals, no '-0'. */
function n(value: number): string {
  const r = Math.round(value * 100) / 100;
  return String(Object.is(r, -0) ? 0 : r);
}
