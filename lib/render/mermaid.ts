import { Branch } from '../pipeline/steps/condition-step';
import { Diagram, DiagramCluster, DiagramEdge, DiagramNode, EdgeKind, forEachSummary } from './diagram';
import { SHAPES } from './shapes';
import { DATA_NODE, RENDER_STEPS } from './steps';
import { BoxStyle, BRANCH_STYLE, EDGE_STYLE } from './style';

const ARROW: { [kind: string]: string } = {
  [EdgeKind.DATA]: '-->',
  [EdgeKind.METRIC]: '-->',
  [EdgeKind.DEPENDS_ON]: '-.->',
  [EdgeKind.BRANCH]: '==>',
};

/** A Mermaid flowchart (top to bottom) of a diagram. */
export function diagramToMermaid(diagram: Diagram): string {
  const lines: string[] = ['flowchart TB'];
  lines.push(`  %% pipeline ${comment(diagram.pipelineName)}${diagram.description ? `: ${comment(diagram.description)}` : ''}`);
  if (diagram.parameters.length > 0) {
    lines.push(`  %% parameters: ${comment(diagram.parameters.join(', '))}`);
  }

  const clustersOf = (parent: string | undefined, condition: string) =>
    diagram.clusters.filter((c) => c.parent === parent && c.condition === condition);
  const byId = new Map(diagram.nodes.map((n) => [n.id, n]));
  const emitNode = (node: DiagramNode, indent: string) => {
    lines.push(`${indent}${safeLine((colons) => nodeStatement(node, colons))}`);
    clustersOf(node.cluster, node.id).forEach((c) => emitCluster(c, indent));
  };
  const emitCluster = (cluster: DiagramCluster, indent: string) => {
    lines.push(`${indent}${safeLine((colons) => `subgraph ${cluster.id} ["${text(`${cluster.conditionName} · ${cluster.branch}`, colons)}"]`)}`);
    cluster.members.forEach((id) => emitNode(byId.get(id)!, `${indent}  `));
    lines.push(`${indent}end`);
  };
  diagram.nodes.filter((n) => n.cluster === undefined).forEach((n) => emitNode(n, '  '));

  diagram.edges.forEach((edge) => lines.push(`  ${safeLine((colons) => edgeStatement(edge, colons))}`));

  // Every kind the renderers draw has its class, used or not; data nodes only when there are some.
  const classes = new Map<string, BoxStyle>(Object.values(RENDER_STEPS).map((h) => [h.className, h.style]));
  if (diagram.nodes.some((n) => n.role === 'data')) {
    classes.set(DATA_NODE.className, DATA_NODE.style);
  }
  for (const [name, style] of classes) {
    lines.push(`  classDef ${name} fill:${style.fill},stroke:${style.stroke},color:${style.text}`);
  }
  const forEach = diagram.nodes.filter((n) => n.forEach);
  if (forEach.length > 0) {
    lines.push('  classDef forEach stroke-width:3px');
  }
  lines.push(`  classDef branchThen fill:${BRANCH_STYLE.then.fill},stroke:${BRANCH_STYLE.then.stroke}`);
  lines.push(`  classDef branchOtherwise fill:${BRANCH_STYLE.otherwise.fill},stroke:${BRANCH_STYLE.otherwise.stroke}`);
  for (const name of classes.keys()) {
    const ids = diagram.nodes.filter((n) => n.className === name).map((n) => n.id);
    if (ids.length > 0) {
      lines.push(`  class ${ids.join(',')} ${name}`);
    }
  }
  if (forEach.length > 0) {
    lines.push(`  class ${forEach.map((n) => n.id).join(',')} forEach`);
  }
  for (const branch of [Branch.THEN, Branch.OTHERWISE]) {
    const ids = diagram.clusters.filter((c) => c.branch === branch).map((c) => c.id);
    if (ids.length > 0) {
      lines.push(`  class ${ids.join(',')} ${branch === Branch.THEN ? 'branchThen' : 'branchOtherwise'}`);
    }
  }
  // Edge colours: Mermaid addresses edges by their position in the text.
  const colourOf = (edge: DiagramEdge) =>
    edge.kind === EdgeKind.BRANCH ? BRANCH_STYLE[edge.branch!].stroke : EDGE_STYLE[edge.kind].stroke;
  const byColour = new Map<string, number[]>();
  diagram.edges.forEach((edge, i) => {
    const colour = colourOf(edge);
    byColour.set(colour, byColour.get(colour) ?? []);
    byColour.get(colour)!.push(i);
  });
  for (const [colour, indexes] of [...byColour].sort((a, b) => a[1][0] - b[1][0])) {
    lines.push(`  linkStyle ${indexes.join(',')} stroke:${colour},color:${colour}`);
  }
  return `${lines.join('\n')}\n`;
}

function nodeStatement(node: DiagramNode, colons: boolean): string {
  const [open, close] = SHAPES[node.shape].mermaid;
  const kindAndDetail = node.detail ? `${node.kindLabel} · ${node.detail}` : node.kindLabel;
  const parts = [`<b>${text(node.name, colons)}</b>`, text(kindAndDetail, colons)];
  if (node.forEach) {
    parts.push(text(`forEach ${forEachSummary(node.forEach)}`, colons));
  }
  return `${node.id}${open}"${parts.join('<br/>')}"${close}`;
}

function edgeStatement(edge: DiagramEdge, colons: boolean): string {
  const label = edge.label ? `|"${text(edge.label, colons)}"|` : '';
  return `${edge.from} ${ARROW[edge.kind]}${label} ${edge.to}`;
}

/**
 * Mermaid strips the last ';' of any line matching `style…:…#…;` or `classDef…:…#…;` (meant for
 * style statements), which would break our entity codes; such a line gets its ':' encoded too.
 */
function safeLine(build: (encodeColons: boolean) => string): string {
  const line = build(false);
  return /(style|classDef).*:\S*#.*;/.test(line) ? build(true) : line;
}

/**
 * Text inside a quoted Mermaid label. Mermaid decodes `#name;` and `#code;` entity codes, renders
 * labels as HTML and scans the whole source for `%%{` directives, so '#' goes first (it starts our
 * own codes), then the characters that would end the string, open markup or start a directive.
 */
function text(value: string, encodeColons: boolean): string {
  const out = withoutControls(value)
    .replace(/#/g, '#35;')
    .replace(/&/g, '#38;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/%/g, '#37;');
  return encodeColons ? out.replace(/:/g, '#58;') : out;
}

/** Text after '%%': on one line, and never a `%%{` directive. */
function comment(value: string): string {
  return withoutControls(value.replace(/\s+/g, ' ')).replace(/%(?=[%{])/g, '% ');
}

/** Control characters have no business in a diagram; they become U+FFFD as in the SVG. */
function withoutControls(value: string): string {
   
  return value.replace(/[\u0000-\u001F\u007F]/g, '\uFFFD');
}
