/**
 * Reads back the Mermaid flowcharts lib/render writes, so tests can assert on nodes, edges and
 * subgraphs instead of on substrings. It understands the subset the renderer emits and fails
 * loudly on any other line.
 */
export interface MermaidNode {
  readonly id: string;
  /** The shape's brackets, e.g. '{{' for a hexagon. */
  readonly shape: string;
  /** The raw label, as written between the quotes. */
  readonly rawLabel: string;
  /** The label decoded as Mermaid shows it, with '<br/>' as '\n' and '<b>' tags removed. */
  readonly label: string;
  /** The subgraph ids enclosing the node, outermost first. */
  readonly subgraphs: string[];
}

export interface MermaidEdge {
  readonly from: string;
  readonly to: string;
  readonly arrow: string;
  readonly rawLabel?: string;
  readonly label?: string;
}

export interface MermaidSubgraph {
  readonly id: string;
  readonly title: string;
  readonly parents: string[];
}

export interface MermaidChart {
  readonly direction: string;
  readonly nodes: MermaidNode[];
  readonly edges: MermaidEdge[];
  readonly subgraphs: MermaidSubgraph[];
  /** `class` statements: class name -> ids. */
  readonly classes: Map<string, string[]>;
  readonly linkStyles: { indexes: number[]; style: string }[];
  readonly lines: string[];
}

const OPENERS = ['[[', '[(', '([', '{{', '[/', '['];
const CLOSER: { [open: string]: string } = { '[[': ']]', '[(': ')]', '([': '])', '{{': '}}', '[/': '/]', '[': ']' };
const ID = '[A-Za-z][A-Za-z0-9_]*';

/** Mermaid's entity codes as the renderer uses them, decoded the way Mermaid does. */
export function decodeMermaidText(raw: string): string {
  return raw.replace(/#(\w+);/g, (_, code: string) => {
    if (/^\d+$/.test(code)) {
      return String.fromCodePoint(Number(code));
    }
    const named: { [name: string]: string } = { quot: '"', lt: '<', gt: '>', amp: '&' };
    if (!(code in named)) {
      throw new Error(`unknown entity code #${code};`);
    }
    return named[code];
  });
}

function decodeLabel(raw: string): string {
  return decodeMermaidText(raw.replace(/<br\/>/g, '\n').replace(/<\/?b>/g, ''));
}

export function readMermaid(text: string): MermaidChart {
  const lines = text.split('\n');
  if (lines[lines.length - 1] !== '') {
    throw new Error('output does not end with a newline');
  }
  const [header, ...body] = lines.slice(0, -1);
  const direction = /^flowchart (TB|TD|LR|RL|BT)$/.exec(header)?.[1];
  if (!direction) {
    throw new Error(`first line is not a flowchart header: ${header}`);
  }
  const nodes: MermaidNode[] = [];
  const edges: MermaidEdge[] = [];
  const subgraphs: MermaidSubgraph[] = [];
  const classes = new Map<string, string[]>();
  const linkStyles: { indexes: number[]; style: string }[] = [];
  const open: string[] = [];
  for (const line of body) {
    const t = line.trim();
    let m: RegExpExecArray | null;
    if (t.startsWith('%%')) {
      continue;
    }
    if ((m = new RegExp(`^subgraph (${ID}) \\["([^"]*)"\\]$`).exec(t))) {
      subgraphs.push({ id: m[1], title: decodeMermaidText(m[2]), parents: [...open] });
      open.push(m[1]);
      continue;
    }
    if (t === 'end') {
      if (open.pop() === undefined) {
        throw new Error('"end" without a subgraph');
      }
      continue;
    }
    if ((m = new RegExp(`^(${ID}) (-->|-\\.->|==>)(?:\\|"([^"]*)"\\|)? (${ID})$`).exec(t))) {
      edges.push({ from: m[1], arrow: m[2], rawLabel: m[3], label: m[3] === undefined ? undefined : decodeMermaidText(m[3]), to: m[4] });
      continue;
    }
    if (/^classDef [A-Za-z]+ [^;]+$/.test(t)) {
      continue;
    }
    if ((m = new RegExp(`^class ((?:${ID},)*${ID}) ([A-Za-z]+)$`).exec(t))) {
      classes.set(m[2], [...(classes.get(m[2]) ?? []), ...m[1].split(',')]);
      continue;
    }
    if ((m = /^linkStyle ([0-9,]+) (stroke:#[0-9a-f]{6},color:#[0-9a-f]{6})$/.exec(t))) {
      linkStyles.push({ indexes: m[1].split(',').map(Number), style: m[2] });
      continue;
    }
    const node = new RegExp(`^(${ID})`).exec(t);
    const opener = node && OPENERS.find((o) => t.startsWith(`${o}"`, node[1].length));
    if (node && opener) {
      const close = `"${CLOSER[opener]}`;
      const rest = t.slice(node[1].length + opener.length + 1);
      if (!rest.endsWith(close) || rest.slice(0, -close.length).includes('"')) {
        throw new Error(`malformed node statement: ${t}`);
      }
      const rawLabel = rest.slice(0, -close.length);
      nodes.push({ id: node[1], shape: opener, rawLabel, label: decodeLabel(rawLabel), subgraphs: [...open] });
      continue;
    }
    throw new Error(`unexpected line: ${line}`);
  }
  if (open.length > 0) {
    throw new Error(`subgraph ${open.join(', ')} is not closed`);
  }
  return { direction, nodes, edges, subgraphs, classes, linkStyles, lines };
}
