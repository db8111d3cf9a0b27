import {
  Branch,
  ConditionStep,
  ContainerStep,
  FailStep,
  MetricRef,
  Pipeline,
  PipelineGraph,
  RegisterModelStep,
  ScriptStep,
  Step,
  StepArtifact,
  StepKind,
  StepNode,
} from '../pipeline';
import { oneLine, truncate } from './text';

/**
 * What a diagram of a pipeline shows, independent of the drawing format: one node per step, the
 * edges between them and one cluster per condition branch. Mermaid and SVG both draw this, so
 * they always agree.
 */
export interface Diagram {
  readonly pipelineName: string;
  readonly description?: string;
  /** `name = default` (or `name: type` when there is no default), in definition order. */
  readonly parameters: string[];
  /** Steps in the graph's topological order. */
  readonly nodes: DiagramNode[];
  /** Branches, each after its condition and before the branches nested in it. */
  readonly clusters: DiagramCluster[];
  readonly edges: DiagramEdge[];
}

export interface DiagramNode {
  /** A valid Mermaid/XML id, unique in the diagram: 's_' and the step name with '-' as '_'. */
  readonly id: string;
  readonly name: string;
  readonly kind: StepKind;
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

/** Why one step follows another. */
export enum EdgeKind {
  /** The target reads an output directory or model of the source. */
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
  /** Artifact or metric names, 'then'/'otherwise', or the fan-in of a forEach step. */
  readonly label?: string;
  /** For branch edges. */
  readonly branch?: Branch;
}

/**
 * The longest detail a node shows; the full text stays in the node's facts. Conditions get more
 * room: they are what a condition node is about.
 */
const DETAIL_MAX_CHARS = 72;
const CONDITION_MAX_CHARS = 160;
/** forEach items listed on a node before '…'. */
const FOR_EACH_SHOWN = 4;

export const KIND_LABEL: { [kind: string]: string } = {
  [StepKind.SCRIPT]: 'script',
  [StepKind.TRAINING]: 'training',
  [StepKind.CONDITION]: 'condition',
  [StepKind.REGISTER_MODEL]: 'register-model',
  [StepKind.FAIL]: 'fail',
};

/** Builds the diagram of a pipeline; validates it first (through `pipeline.graph()`). */
export function buildDiagram(pipeline: Pipeline): Diagram {
  const graph = pipeline.graph();
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
      clusters.push({
        id,
        condition: ids.get(condition)!,
        conditionName: condition.name,
        branch,
        parent,
        members: members.map((m) => ids.get(m.step)!),
      });
      members.filter((m) => m.step instanceof ConditionStep).forEach((m) => visitBranches(m.step as ConditionStep, id));
    }
  };
  graph.topLevel().filter((n) => n.step instanceof ConditionStep).forEach((n) => visitBranches(n.step as ConditionStep, undefined));

  const nodes = graph.nodes.map((node): DiagramNode => {
    const inner = node.scope[node.scope.length - 1];
    const forEach = node.step instanceof ScriptStep ? node.step.forEach : undefined;
    return {
      id: ids.get(node.step)!,
      name: node.step.name,
      kind: node.step.kind,
      detail: detailOf(node.step),
      forEach: forEach && [...forEach],
      cluster: inner && clusterId(inner.condition, inner.branch),
      facts: factsOf(node),
    };
  });

  return {
    pipelineName: pipeline.name,
    description: pipeline.description === undefined ? undefined : oneLine(pipeline.description),
    parameters: Object.entries(pipeline.parameters).map(([name, p]) =>
      p.defaultValue === undefined ? `${name}: ${p.type}` : `${name} = ${JSON.stringify(p.defaultValue)}`,
    ),
    nodes,
    clusters,
    edges: graph.nodes.flatMap((node) => edgesInto(node, graph, ids)),
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

function detailOf(step: Step): string | undefined {
  let detail: string | undefined;
  if (step instanceof ContainerStep) {
    detail = step.entry;
  } else if (step instanceof ConditionStep) {
    detail = String(step.when);
  } else if (step instanceof RegisterModelStep) {
    detail = `group ${step.group}`;
  } else if (step instanceof FailStep) {
    detail = step.message;
  }
  const max = step instanceof ConditionStep ? CONDITION_MAX_CHARS : DETAIL_MAX_CHARS;
  return detail === undefined ? undefined : truncate(oneLine(String(detail)), max);
}

/** The forEach part of a node's label: '×3: a, b, c'. */
export function forEachSummary(items: string[]): string {
  const shown = items.slice(0, FOR_EACH_SHOWN).map((item) => truncate(oneLine(item), 24));
  return `×${items.length}: ${shown.join(', ')}${items.length > FOR_EACH_SHOWN ? ', …' : ''}`;
}

function factsOf(node: StepNode): string[] {
  const step = node.step;
  const facts: string[] = [`${KIND_LABEL[step.kind]} step '${step.name}'`];
  if (step.description) {
    facts.push(oneLine(step.description));
  }
  if (step instanceof ConditionStep) {
    facts.push(`when ${oneLine(String(step.when))}`);
  }
  if (step instanceof FailStep) {
    facts.push(`message: ${oneLine(step.message)}`);
  }
  if (step instanceof RegisterModelStep) {
    facts.push(`model group ${step.group}, approval ${step.approval}`);
  }
  if (step instanceof ScriptStep && step.forEach) {
    facts.push(`forEach: ${step.forEach.map(oneLine).join(', ')}`);
  }
  if (step instanceof ContainerStep) {
    const metrics = Object.keys(step.metricTypes());
    if (metrics.length > 0) {
      facts.push(`metrics: ${metrics.join(', ')}`);
    }
  }
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
  if (node.cache?.enabled) {
    facts.push(`cache: on${node.cache.expireAfterHours !== undefined ? `, expires after ${node.cache.expireAfterHours}h` : ''}`);
  }
  return facts;
}

/**
 * The edges ending at one step, in a stable order: the branch edge from its condition (when it
 * starts its branch), then per upstream step (in graph order) data, metric and dependsOn edges.
 * A dependsOn on a step it already reads from adds nothing and is not drawn.
 */
function edgesInto(node: StepNode, graph: PipelineGraph, ids: Map<Step, string>): DiagramEdge[] {
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
  for (const source of Object.values(step.inputs())) {
    if (source instanceof StepArtifact) {
      addUnique(artifacts, source.producer, source.name);
    }
  }
  const metrics = new Map<Step, string[]>();
  for (const value of step.values()) {
    if (value instanceof MetricRef) {
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
      const fanIn = source instanceof ScriptStep && source.forEach ? `all ×${source.forEach.length}` : undefined;
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
