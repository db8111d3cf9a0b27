import { isA } from '../pipeline/brand';
import { Branch, ConditionStep } from '../pipeline/steps/condition-step';
import { ContainerStep } from '../pipeline/steps/container-step';
import { PipelineValidationError } from '../pipeline/errors';
import { PipelineGraph, StepNode } from '../pipeline/graph';
import { sourceHandler, stepHandler } from '../pipeline/handlers';
import { Pipeline } from '../pipeline/pipeline';
import { Step } from '../pipeline/step';
import { MetricRef } from '../pipeline/values';
import { NodeShape } from './shapes';
import { DrawnSource, RENDER_SOURCES } from './sources';
import { DATA_NODE, RENDER_STEPS, RenderStepHandler } from './steps';
import { BoxStyle } from './style';
import { oneLine, truncate } from './text';

/**
 * What a diagram of a pipeline shows, independent of the drawing format: one node per step (and
 * per URI read), the edges between them and one cluster per condition branch. Mermaid and SVG
 * both draw this, so they always agree.
 */
export interface Diagram {
  readonly pipelineName: string;
  readonly description?: string;
  /** `name = default` (or `name: type` when there is no default), in definition order. */
  readonly parameters: string[];
  /** Steps in the graph's topological order, each data node just before its first reader. */
  readonly nodes: DiagramNode[];
  /** Branches, each after its condition and before the branches nested in it. */
  readonly clusters: DiagramCluster[];
  readonly edges: DiagramEdge[];
}

export interface DiagramNode {
  /** A valid Mermaid/XML id, unique in the diagram: 's_' and the step name with '-' as '_' ('d_<n>' for data). */
  readonly id: string;
  /** 'step' for a pipeline step, 'data' for data read from a URI. */
  readonly role: 'step' | 'data';
  /** The step's name (the URI, shortened, for data). */
  readonly name: string;
  /** The step's kind (the data source kind for data). */
  readonly kind: string;
  /** The kind's caption: 'script', 'register-model', 'data'. */
  readonly kindLabel: string;
  readonly shape: NodeShape;
  /** The Mermaid class of the node's kind. */
  readonly className: string;
  readonly style: BoxStyle;
  /** One short line on what the step does: its script, model group, condition or message. */
  readonly detail?: string;
  /** Static fan-out: the step runs once per item. */
  readonly forEach?: string[];
  /** The innermost branch cluster holding the step; undefined at top level. */
  readonly cluster?: string;
  /** Longer facts for tooltips: description, resources, retry, cache. */
  readonly facts: string[];
}

export interface DiagramCluster {
  readonly id: string;
  /** Node id of the condition the branch belongs to. */
  readonly condition: string;
  readonly conditionName: string;
  readonly branch: Branch;
  /** The enclosing branch cluster, for nested conditions. */
  readonly parent?: string;
  /** Node ids of the branch's direct members, in order. */
  readonly members: string[];
}

/** Why one node follows another. */
export enum EdgeKind {
  /** The target reads an output directory, model or collection of the source, or data at a URI. */
  DATA = 'data',
  /** The target (usually a condition) reads a metric the source reports. */
  METRIC = 'metric',
  /** dependsOn: the target waits for the source without reading from it. */
  DEPENDS_ON = 'dependsOn',
  /** The target is the first step of one of the source condition's branches. */
  BRANCH = 'branch',
}

export interface DiagramEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  /** Artifact or metric names, 'collect <port>', 'then'/'otherwise', or the fan-in of a forEach step. */
  readonly label?: string;
  /** For branch edges. */
  readonly branch?: Branch;
}

/** How the renderers name themselves in the standard "not supported" problems. */
export const RENDER_ENGINE = 'the diagram renderer';

/** The longest detail a node shows by default; the full text stays in the node's facts. */
const DETAIL_MAX_CHARS = 72;
/** The longest URI a data node shows. */
const URI_MAX_CHARS = 48;
/** forEach items listed on a node before '…'. */
const FOR_EACH_SHOWN = 4;

/**
 * Builds the diagram of a pipeline; validates it first (through `pipeline.graph()`). A step kind
 * or data source kind without a render handler throws the standard PipelineValidationError.
 */
export function buildDiagram(pipeline: Pipeline): Diagram {
  const graph = pipeline.graph();
  const problems: string[] = [];
  const handlers = new Map<Step, RenderStepHandler>();
  const drawn = new Map<Step, { input: string; drawn: DrawnSource }[]>();
  for (const node of graph.nodes) {
    const step = node.step;
    const handler = stepHandler(RENDER_STEPS, step, RENDER_ENGINE, problems);
    if (handler) {
      handlers.set(step, handler);
    }
    const sources: { input: string; drawn: DrawnSource }[] = [];
    for (const [input, source] of Object.entries(step.inputs())) {
      const d = sourceHandler(RENDER_SOURCES, step, input, source, RENDER_ENGINE, problems)?.draw(source, input, (p) => problems.push(`step '${step.name}': ${p}`));
      if (d) {
        sources.push({ input, drawn: d });
      }
    }
    drawn.set(step, sources);
  }
  if (problems.length > 0) {
    throw new PipelineValidationError(`Pipeline '${pipeline.name}' (diagram)`, problems);
  }

  const ids = nodeIds(graph);
  const clusterId = (condition: Step, branch: Branch) => `b${ids.get(condition)!.slice(1)}_${branch}`;
  const clusters: DiagramCluster[] = [];
  const visitBranches = (condition: ConditionStep, parent: string | undefined) => {
    for (const branch of [Branch.THEN, Branch.OTHERWISE]) {
      const members = graph.branchMembers(condition, branch);
      if (members.length === 0) {
        continue;
      }
      const id = clusterId(condition, branch);
      clusters.push({ id, condition: ids.get(condition)!, conditionName: condition.name, branch, parent, members: members.map((m) => ids.get(m.step)!) });
      members.filter((m) => isA(m.step, ConditionStep)).forEach((m) => visitBranches(m.step as ConditionStep, id));
    }
  };
  graph.topLevel().filter((n) => isA(n.step, ConditionStep)).forEach((n) => visitBranches(n.step as ConditionStep, undefined));

  const dataIds = new Map<string, string>();
  const nodes: DiagramNode[] = [];
  for (const node of graph.nodes) {
    for (const { drawn: d } of drawn.get(node.step)!) {
      if ('data' in d && !dataIds.has(d.data.uri)) {
        dataIds.set(d.data.uri, `d_${dataIds.size + 1}`);
        nodes.push(dataNode(dataIds.get(d.data.uri)!, d.data.uri, d.data.type));
      }
    }
    const step = node.step;
    const handler = handlers.get(step)!;
    const inner = node.scope[node.scope.length - 1];
    const forEach = isA(step, ContainerStep) ? step.forEach : undefined;
    const detail = handler.detail(step);
    nodes.push({
      id: ids.get(step)!,
      role: 'step',
      name: step.name,
      kind: step.kind,
      kindLabel: handler.label,
      shape: handler.shape,
      className: handler.className,
      style: handler.style,
      detail: detail === undefined ? undefined : truncate(oneLine(String(detail)), handler.detailMaxChars ?? DETAIL_MAX_CHARS),
      forEach: forEach && [...forEach],
      cluster: inner && clusterId(inner.condition, inner.branch),
      facts: factsOf(node, handler),
    });
  }

  return {
    pipelineName: pipeline.name,
    description: pipeline.description === undefined ? undefined : oneLine(pipeline.description),
    parameters: Object.entries(pipeline.parameters).map(([name, p]) =>
      p.defaultValue === undefined ? `${name}: ${p.type}` : `${name} = ${JSON.stringify(p.defaultValue)}`,
    ),
    nodes,
    clusters,
    edges: graph.nodes.flatMap((node) => edgesInto(node, graph, ids, drawn.get(node.step)!, dataIds)),
  };
}

function dataNode(id: string, uri: string, type: string): DiagramNode {
  return {
    id,
    role: 'data',
    name: truncate(oneLine(uri), URI_MAX_CHARS),
    kind: 'uri',
    kindLabel: DATA_NODE.label,
    shape: DATA_NODE.shape,
    className: DATA_NODE.className,
    style: DATA_NODE.style,
    detail: type,
    facts: [`data at ${oneLine(uri)}`, `read as ${type}`],
  };
}

/**
 * Step names are letters, digits, '-' and '_'. Mermaid ids may not hold '-' (it starts an arrow)
 * nor be keywords such as 'end', hence the prefix and the '_'. Names that still collide ('a-b' and
 * 'a_b') get a numeric suffix, given in graph order.
 */
function nodeIds(graph: PipelineGraph): Map<Step, string> {
  const ids = new Map<Step, string>();
  const taken = new Set<string>();
  for (const node of graph.nodes) {
    const base = `s_${node.step.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
    let id = base;
    for (let n = 2; taken.has(id); n++) {
      id = `${base}_${n}`;
    }
    taken.add(id);
    ids.set(node.step, id);
  }
  return ids;
}

/** The forEach part of a node's label: '×3: a, b, c'. */
export function forEachSummary(items: string[]): string {
  const shown = items.slice(0, FOR_EACH_SHOWN).map((item) => truncate(oneLine(item), 24));
  return `×${items.length}: ${shown.join(', ')}${items.length > FOR_EACH_SHOWN ? ', …' : ''}`;
}

function factsOf(node: StepNode, handler: RenderStepHandler): string[] {
  const step = node.step;
  const facts: string[] = [`${handler.label} step '${step.name}'`];
  if (step.description) {
    facts.push(oneLine(step.description));
  }
  facts.push(...handler.facts(step));
  const r = node.resources;
  if (r && Object.keys(r).length > 0) {
    const parts = [
      r.cpu !== undefined ? `${r.cpu} vCPU` : undefined,
      r.memoryGiB !== undefined ? `${r.memoryGiB} GiB` : undefined,
      r.gpu ? `${r.gpu} GPU` : undefined,
      r.diskGiB !== undefined ? `${r.diskGiB} GiB disk` : undefined,
      r.sageMakerInstanceType,
    ].filter((p) => p !== undefined);
    facts.push(`resources: ${parts.join(', ')}`);
  }
  if (node.retry && node.retry.maxRetries > 0) {
    facts.push(`retry: ${node.retry.maxRetries}× after ${node.retry.intervalSeconds}s, backoff ${node.retry.backoffRate}`);
  }
  if (node.cache?.isEnabled) {
    facts.push(`cache: on${node.cache.expireAfterHours !== undefined ? `, expires after ${node.cache.expireAfterHours}h` : ''}`);
  }
  return facts;
}

/**
 * The edges ending at one step, in a stable order: the branch edge from its condition (when it
 * starts its branch), the edges from the data it reads at URIs, then per upstream step (in graph
 * order) data, metric and dependsOn edges. A dependsOn on a step it already reads from adds
 * nothing and is not drawn.
 */
function edgesInto(node: StepNode, graph: PipelineGraph, ids: Map<Step, string>, sources: { input: string; drawn: DrawnSource }[], dataIds: Map<string, string>): DiagramEdge[] {
  const step = node.step;
  const to = ids.get(step)!;
  const edges: DiagramEdge[] = [];

  const inner = node.scope[node.scope.length - 1];
  if (inner) {
    const inSameBranch = (s: Step) => graph.node(s).scope.some((b) => b.condition === inner.condition && b.branch === inner.branch);
    if (!node.upstream.some(inSameBranch)) {
      edges.push({ from: ids.get(inner.condition)!, to, kind: EdgeKind.BRANCH, label: inner.branch, branch: inner.branch });
    }
  }

  const artifacts = new Map<Step, string[]>();
  for (const { drawn } of sources) {
    if ('producer' in drawn) {
      addUnique(artifacts, drawn.producer, drawn.label);
    } else {
      edges.push({ from: dataIds.get(drawn.data.uri)!, to, kind: EdgeKind.DATA, label: drawn.label });
    }
  }
  const metrics = new Map<Step, string[]>();
  for (const value of step.values()) {
    if (isA(value, MetricRef)) {
      addUnique(metrics, value.step, value.name);
    }
  }
  for (const source of node.upstream) {
    const from = ids.get(source)!;
    const read = artifacts.get(source);
    const metric = metrics.get(source);
    if (read) {
      edges.push({ from, to, kind: EdgeKind.DATA, label: read.join(', ') });
    }
    if (metric) {
      edges.push({ from, to, kind: EdgeKind.METRIC, label: metric.join(', ') });
    }
    const alreadyDrawn = read || metric || (inner && source === inner.condition);
    if (!alreadyDrawn && step.dependsOn.includes(source)) {
      const fanIn = isA(source, ContainerStep) && source.forEach ? `all ×${source.forEach.length}` : undefined;
      edges.push({ from, to, kind: EdgeKind.DEPENDS_ON, label: fanIn });
    }
  }
  return edges;
}

function addUnique(map: Map<Step, string[]>, key: Step, name: string): void {
  const names = map.get(key) ?? [];
  if (!names.includes(name)) {
    names.push(name);
  }
  map.set(key, names);
}
