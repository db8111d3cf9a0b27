import { irisPipeline } from '../../examples/iris/pipeline';
import { Pipeline, PipelineValidationError, Step, StepKind } from '../../lib';
import { renderSvg } from '../../lib/render';
import { buildDiagram } from '../../lib/render/diagram';
import { Box, CYLINDER_RY, HEXAGON_INSET, layoutDiagram, NodeLayout, PipelineLayout } from '../../lib/render/layout';
import { NodeShape, SLANT } from '../../lib/render/shapes';
import { textWidth } from '../../lib/render/text';
import { FEATURES } from '../conformance/features';
import { HOSTILE_TEXT, hostilePipeline, longNamesPipeline, nestedPipeline } from '../support/render/pipelines';
import { assertWellFormed, findAll, hasClass, parseXml, XmlElement } from '../support/render/svg-tree';

const PIPELINES: [string, () => Pipeline][] = [
  ['iris', irisPipeline],
  ['nested', nestedPipeline],
  ['hostile', hostilePipeline],
  ['long names', longNamesPipeline],
  ...FEATURES.map((f): [string, () => Pipeline] => [`feature ${f.id}`, f.build]),
];

/** Boxes overlap when they share more than a hair of area. */
function overlap(a: Box, b: Box): boolean {
  const eps = 0.5;
  return a.x < b.x + b.width - eps && b.x < a.x + a.width - eps && a.y < b.y + b.height - eps && b.y < a.y + a.height - eps;
}

function inside(inner: Box, outer: Box): boolean {
  const eps = 0.5;
  return inner.x >= outer.x - eps && inner.y >= outer.y - eps && inner.x + inner.width <= outer.x + outer.width + eps && inner.y + inner.height <= outer.y + outer.height + eps;
}

function describeBox(b: Box): string {
  return `(${b.x}, ${b.y}, ${b.width}×${b.height})`;
}

/** The left edge of a step's drawn outline at height `y` (shapes are symmetric). */
function outlineLeft(node: NodeLayout, y: number): number {
  const s = node.shape;
  const dy = Math.min(Math.abs(y - (s.y + s.height / 2)), s.height / 2);
  if (node.node.shape === NodeShape.PARALLELOGRAM) {
    return s.x + SLANT; // both sides lean by SLANT somewhere: text must clear both
  }
  switch (node.node.kind) {
    case StepKind.CONDITION:
      return s.x + (HEXAGON_INSET * dy) / (s.height / 2);
    case StepKind.FAIL: {
      const r = s.height / 2;
      return s.x + r - Math.sqrt(r * r - dy * dy);
    }
    default:
      return s.x;
  }
}

function textExtent(line: { text: string; font: { size: number; bold?: boolean }; x: number; y: number; anchor: string }): Box {
  const w = textWidth(line.text, line.font);
  const left = line.anchor === 'middle' ? line.x - w / 2 : line.x;
  return { x: left, y: line.y - 0.76 * line.font.size, width: w, height: line.font.size };
}

describe.each(PIPELINES)('layout of %s', (_, build) => {
  let layout: PipelineLayout;
  beforeAll(async () => {
    layout = await layoutDiagram(buildDiagram(build()));
  });

  test('no two steps overlap', () => {
    const problems: string[] = [];
    layout.nodes.forEach((a, i) =>
      layout.nodes.slice(i + 1).forEach((b) => {
        if (overlap(a.box, b.box)) {
          problems.push(`${a.node.name} ${describeBox(a.box)} overlaps ${b.node.name} ${describeBox(b.box)}`);
        }
      }),
    );
    expect(problems).toEqual([]);
    expect(layout.nodes.filter((n) => n.node.role === 'step').length).toBe(build().allSteps().length);
  });

  test('edge labels overlap no step and no other label', () => {
    const labels = layout.edges.filter((e) => e.label).map((e) => ({ name: `${e.edge.from}->${e.edge.to} '${e.edge.label}'`, box: e.label!.box }));
    expect(labels.length).toBe(layout.diagram.edges.filter((e) => e.label).length);
    const problems: string[] = [];
    labels.forEach((l, i) => {
      layout.nodes.filter((n) => overlap(l.box, n.box)).forEach((n) => problems.push(`${l.name} overlaps step ${n.node.name}`));
      labels.slice(i + 1).filter((m) => overlap(l.box, m.box)).forEach((m) => problems.push(`${l.name} overlaps ${m.name}`));
    });
    expect(problems).toEqual([]);
  });

  test('branch frames hold exactly their steps and nest like the conditions', () => {
    const problems: string[] = [];
    for (const c of layout.clusters) {
      const inBranch = new Set(layout.diagram.nodes.filter((n) => n.cluster === c.cluster.id || isWithin(layout, n.cluster, c.cluster.id)).map((n) => n.id));
      for (const n of layout.nodes) {
        if (inBranch.has(n.node.id) && !inside(n.box, c.box)) {
          problems.push(`${n.node.name} is outside its branch ${c.cluster.id}`);
        }
        if (!inBranch.has(n.node.id) && overlap(n.box, c.box)) {
          problems.push(`${n.node.name} overlaps branch ${c.cluster.id}`);
        }
      }
      if (c.cluster.parent) {
        const parent = layout.clusters.find((p) => p.cluster.id === c.cluster.parent)!;
        if (!inside(c.box, parent.box)) {
          problems.push(`${c.cluster.id} is outside ${parent.cluster.id}`);
        }
      }
      for (const other of layout.clusters.filter((o) => o !== c && !isWithin(layout, o.cluster.id, c.cluster.id) && !isWithin(layout, c.cluster.id, o.cluster.id))) {
        if (overlap(c.box, other.box)) {
          problems.push(`${c.cluster.id} overlaps ${other.cluster.id}`);
        }
      }
      const title = textExtent(c.title);
      if (!inside(title, c.box)) {
        problems.push(`title of ${c.cluster.id} sticks out of its frame`);
      }
      layout.nodes.filter((n) => overlap(title, n.box)).forEach((n) => problems.push(`title of ${c.cluster.id} overlaps ${n.node.name}`));
    }
    expect(problems).toEqual([]);
  });

  test('every text line fits inside the outline of its step', () => {
    const problems: string[] = [];
    for (const n of layout.nodes) {
      for (const line of n.lines) {
        const box = textExtent(line);
        const worstY = Math.abs(box.y - (n.shape.y + n.shape.height / 2)) > Math.abs(box.y + box.height - (n.shape.y + n.shape.height / 2)) ? box.y : box.y + box.height;
        const left = outlineLeft(n, worstY);
        const right = n.shape.x + n.shape.width - (left - n.shape.x);
        const top = n.shape.y + (n.node.kind === StepKind.REGISTER_MODEL ? 2 * CYLINDER_RY : 0);
        if (box.x < left - 0.5 || box.x + box.width > right + 0.5 || box.y < top || box.y + box.height > n.shape.y + n.shape.height) {
          problems.push(`${n.node.name}: '${line.text}' ${describeBox(box)} sticks out of ${describeBox(n.shape)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test('edges start at the bottom of their source and end on top of their target', () => {
    const byId = new Map(layout.nodes.map((n) => [n.node.id, n]));
    const problems: string[] = [];
    for (const e of layout.edges) {
      const from = byId.get(e.edge.from)!.box;
      const to = byId.get(e.edge.to)!.box;
      const [start, end] = [e.points[0], e.points[e.points.length - 1]];
      const startOk = start.x >= from.x && start.x <= from.x + from.width && start.y <= from.y + from.height + 0.5 && start.y >= from.y + from.height - CYLINDER_RY - 0.5;
      const endOk = end.x >= to.x && end.x <= to.x + to.width && end.y >= to.y - 0.5 && end.y <= to.y + to.height / 2;
      if (!startOk || !endOk) {
        problems.push(`${e.edge.from} -> ${e.edge.to}: from (${start.x}, ${start.y}) to (${end.x}, ${end.y}); boxes ${describeBox(from)} ${describeBox(to)}`);
      }
      for (let i = 1; i < e.points.length; i++) {
        const [a, b] = [e.points[i - 1], e.points[i]];
        if (Math.abs(a.x - b.x) > 0.01 && Math.abs(a.y - b.y) > 0.01) {
          problems.push(`${e.edge.from} -> ${e.edge.to}: segment ${i} is not orthogonal`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test('header, graph and legend are stacked without overlap, all inside the canvas', () => {
    const canvas = { x: 0, y: 0, width: layout.width, height: layout.height };
    const problems: string[] = [];
    const check = (what: string, box: Box) => {
      if (!inside(box, canvas)) {
        problems.push(`${what} ${describeBox(box)} is outside the canvas ${describeBox(canvas)}`);
      }
    };
    layout.header.forEach((l) => check(`header '${l.text}'`, textExtent(l)));
    layout.header.forEach((l) => textExtent(l).y + textExtent(l).height > layout.graph.y && problems.push(`header '${l.text}' reaches into the graph`));
    check('graph', layout.graph);
    layout.nodes.forEach((n) => check(n.node.name, n.box));
    layout.clusters.forEach((c) => check(c.cluster.id, c.box));
    layout.edges.forEach((e) => e.points.forEach((p) => check(`edge ${e.edge.from}->${e.edge.to}`, { ...p, width: 0, height: 0 })));
    layout.edges.filter((e) => e.label).forEach((e) => check(`label '${e.edge.label}'`, e.label!.box));
    for (const item of layout.legend) {
      check(`legend '${item.caption.text}'`, item.box);
      check(`legend '${item.caption.text}'`, textExtent(item.caption));
      if (item.box.y < layout.graph.y + layout.graph.height) {
        problems.push(`legend '${item.caption.text}' reaches into the graph`);
      }
    }
    expect(problems).toEqual([]);
  });
});

function isWithin(layout: PipelineLayout, clusterId: string | undefined, ancestor: string): boolean {
  let at = clusterId;
  while (at !== undefined) {
    if (at === ancestor) {
      return true;
    }
    at = layout.diagram.clusters.find((c) => c.id === at)?.parent;
  }
  return false;
}

describe('renderSvg', () => {
  const stepGroups = (svg: XmlElement) => findAll(svg, (e) => e.tag === 'g' && hasClass(e, 'step'));
  const texts = (e: XmlElement, role: string) => findAll(e, (t) => t.tag === 'text' && hasClass(t, role)).map((t) => t.text);

  test.each(PIPELINES)('%s: well-formed SVG with every step, its kind and its name', async (_, build) => {
    const pipeline = build();
    const svg = await renderSvg(pipeline);
    assertWellFormed(svg);
    const root = parseXml(svg);
    expect(root.tag).toBe('svg');
    expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    const groups = stepGroups(root);
    expect(groups.map((g) => g.attrs['data-step']).sort()).toEqual(pipeline.allSteps().map((s) => s.name).sort());
    for (const step of pipeline.allSteps()) {
      const group = groups.find((g) => g.attrs['data-step'] === step.name)!;
      expect(hasClass(group, `step-${step.kind}`)).toBe(true);
      expect(texts(group, 'name')).toEqual([step.name]);
    }
  });

  test('Iris: branch edges labelled then / otherwise, title, legend and tooltips', async () => {
    const root = parseXml(await renderSvg(irisPipeline()));
    const labels = findAll(root, (e) => e.tag === 'text' && hasClass(e, 'edge-label')).map((e) => e.text);
    expect(labels).toEqual(['raw', 'train', 'test', 'model', 'accuracy', 'then', 'model', 'otherwise']);
    expect(findAll(root, (e) => e.tag === 'path' && hasClass(e, 'edge-branch')).map((e) => `${e.attrs['data-from']} ${e.attrs['data-to']}`)).toEqual([
      's_accuracy_gate s_register',
      's_accuracy_gate s_too_inaccurate',
    ]);
    expect(texts(root, 'title')).toEqual(['Pipeline iris']);
    expect(texts(root, 'subtitle')).toEqual(['Trains and registers an Iris species classifier', 'parameters: minAccuracy = 0.9, nEstimators = 100']);
    expect(texts(root, 'cluster-title')).toEqual(['accuracy-gate · then', 'accuracy-gate · otherwise']);
    expect(texts(root, 'legend')).toEqual(['script', 'training', 'condition', 'register-model', 'fail', 'data (artifact)', 'metric', 'then branch', 'otherwise branch']);
    const gate = stepGroups(root).find((g) => g.attrs['data-step'] === 'accuracy-gate')!;
    expect(texts(gate, 'detail').join(' ')).toBe('condition · evaluate.accuracy >= param:minAccuracy');
    expect(gate.children.find((c) => c.tag === 'title')!.text).toContain('when evaluate.accuracy >= param:minAccuracy');
    const train = stepGroups(root).find((g) => g.attrs['data-step'] === 'train')!;
    expect(train.children.find((c) => c.tag === 'title')!.text).toBe(
      "training step 'train'\nmetrics: trainAccuracy\nresources: 2 vCPU, 4 GiB\nretry: 1× after 5s, backoff 2\ncache: on",
    );
  });

  test('every edge arrow refers to a defined marker', async () => {
    const root = parseXml(await renderSvg(nestedPipeline()));
    const markers = new Set(findAll(root, (e) => e.tag === 'marker').map((m) => m.attrs.id));
    const used = findAll(root, (e) => e.attrs['marker-end'] !== undefined).map((e) => /^url\(#(.+)\)$/.exec(e.attrs['marker-end'])![1]);
    expect(used.length).toBeGreaterThan(0);
    used.forEach((id) => expect(markers.has(id)).toBe(true));
    const dashed = findAll(root, (e) => e.tag === 'path' && hasClass(e, 'edge-dependsOn'));
    expect(dashed.map((e) => e.attrs['stroke-dasharray'])).toEqual(['6 4', '6 4', '6 4']);
  });

  test('forEach: a stack of cards and the fan-out line', async () => {
    const root = parseXml(await renderSvg(nestedPipeline()));
    const shard = stepGroups(root).find((g) => g.attrs['data-step'] === 'shard')!;
    expect(hasClass(shard, 'for-each')).toBe(true);
    expect(shard.children.filter((c) => c.tag === 'rect')).toHaveLength(3);
    expect(texts(shard, 'fan-out').join(' ')).toBe('forEach ×3: eu-west-1, us-east-1, ap-south-1');
    const join = findAll(root, (e) => e.tag === 'text' && hasClass(e, 'edge-label') && e.text === 'all ×3');
    expect(join).toHaveLength(1);
  });

  test('hostile text is escaped and reads back unchanged, control characters replaced', async () => {
    const svg = await renderSvg(hostilePipeline());
    assertWellFormed(svg);
    expect(svg).not.toContain('<script');
    const root = parseXml(svg);
    const fail = stepGroups(root).find((g) => g.attrs['data-step'] === '1st--fail_')!;
    const shown = texts(fail, 'detail').join(' ');
    expect(shown.endsWith('…')).toBe(true);
    expect(`fail · ${HOSTILE_TEXT}`.startsWith(shown.slice(0, -1))).toBe(true);
    expect(fail.children.find((c) => c.tag === 'title')!.text).toContain(`message: ${HOSTILE_TEXT.replace('\u0001', '\uFFFD').replace('\n', ' ')}`);
    expect(texts(root, 'subtitle').join(' ')).toBe(`${HOSTILE_TEXT.replace('\u0001', '\uFFFD').replace('\n', ' ')} parameters: label = "a\\"b"`);
    const gate = stepGroups(root).find((g) => g.attrs['data-step'] === 'subgraph')!;
    expect(texts(gate, 'detail').join(' ')).toBe(
      'condition · (end.score >= 0.5) or (end.verdict in ["\\"yes\\" & <ok>", "]) --> x"]) or (not (end.verdict == param:label))',
    );
  });

  test('the same pipeline renders byte-identically, built twice or rendered twice', async () => {
    const a = await renderSvg(nestedPipeline());
    const b = await renderSvg(nestedPipeline());
    expect(b).toBe(a);
    const p = hostilePipeline();
    expect(await renderSvg(p)).toBe(await renderSvg(p));
  });

  test('a long condition is wrapped inside its hexagon, not cut to one line', async () => {
    const layout = await layoutDiagram(buildDiagram(hostilePipeline()));
    const gate = layout.nodes.find((n) => n.node.name === 'subgraph')!;
    expect(gate.lines.filter((l) => l.role === 'detail').length).toBeGreaterThan(1);
  });

  test('an invalid pipeline is rejected like at synth time', async () => {
    const p = new Pipeline('broken');
    p.addStep(Step.fail('stop', { message: ' ' }));
    await expect(renderSvg(p)).rejects.toThrow(PipelineValidationError);
  });
});
