import { ArtifactType, DataSource, Pipeline, PipelineValidationError, Step } from '../../lib';
import { NodeShape, RENDER_SOURCES, RENDER_STEPS, renderMermaid, renderSvg } from '../../lib/render';
import { FIXTURE_CODE as code } from '../conformance/features';
import { findAll, hasClass, parseXml } from '../support/render/svg-tree';
import { readMermaid as readChart } from '../support/render/mermaid-reader';
import { VectorIndexSource, TuningStep } from '../support/extensions';

const entry = 'noop.py';


describe('render handler tables', () => {
  test('one handler per kind: shape, Mermaid class, colours and caption', () => {
    expect(Object.keys(RENDER_STEPS).sort()).toEqual(['condition', 'fail', 'register-model', 'script', 'training', 'tune']);
    expect(Object.fromEntries(Object.entries(RENDER_STEPS).map(([kind, h]) => [kind, [h.shape, h.className, h.label]]))).toEqual({
      script: [NodeShape.BOX, 'script', 'script'],
      training: [NodeShape.FRAMED, 'training', 'training'],
      condition: [NodeShape.HEXAGON, 'condition', 'condition'],
      'register-model': [NodeShape.CYLINDER, 'registerModel', 'register-model'],
      fail: [NodeShape.STADIUM, 'fail', 'fail'],
      tune: [NodeShape.FRAMED, 'tune', 'tune'],
    });
    expect(Object.keys(RENDER_SOURCES).sort()).toEqual(['collected-output', 'feature-snapshot', 'step-output', 'uri']);
  });

  test('a step kind without a render handler is the standard problem, for Mermaid and SVG', async () => {
    const p = new Pipeline('tuned');
    const prepare = Step.script('prepare', { code, entry, outputs: ['data'] });
    p.addStep(prepare, new TuningStep('tune', { code, entry, inputs: { data: prepare.output('data') } }));
    const message =
      "Pipeline 'tuned' (diagram): step 'tune': step kind 'tuning' is not supported on the diagram renderer (it runs 'condition', 'fail', 'register-model', 'script', 'training', 'tune' steps); remove the step, or run the pipeline on an engine that has a handler for 'tuning' steps";
    expect(() => renderMermaid(p)).toThrow(PipelineValidationError);
    expect(() => renderMermaid(p)).toThrow(message);
    await expect(renderSvg(p)).rejects.toThrow(message);
  });

  test('a data source kind without a render handler is the standard problem', () => {
    const p = new Pipeline('snapshots');
    p.addStep(Step.script('read', { code, entry, inputs: { features: new VectorIndexSource() } }));
    expect(() => renderMermaid(p)).toThrow(
      "Pipeline 'snapshots' (diagram): step 'read': input 'features' reads features@v3, a data source of kind 'vector-index', which the diagram renderer cannot read (it reads 'collected-output', 'feature-snapshot', 'step-output', 'uri'); read another kind of source, or run the pipeline on an engine that reads this one",
    );
  });
});

/** each (forEach) -> merge reads each.collect('part') and each.collectMetrics(); fit (training forEach) -> pick reads fit.collect('model'). */
function collectedPipeline(): Pipeline {
  const p = new Pipeline('collected');
  const each = Step.script('each', { code, entry, forEach: ['a', 'b'], outputs: ['part'], metrics: ['score'] });
  const merge = Step.script('merge', { code, entry, inputs: { parts: each.collect('part'), scores: each.collectMetrics() }, outputs: ['merged'] });
  const fit = Step.training('fit', { code, entry, forEach: ['small', 'large'], inputs: { data: merge.output('merged') } });
  p.addStep(each, merge, fit, Step.script('pick', { code, entry, inputs: { models: fit.collect('model') } }));
  return p;
}

/** Two steps read the same s3 prefix; one also reads a local directory. */
function externalPipeline(): Pipeline {
  const p = new Pipeline('external');
  const raw = DataSource.fromUri('s3://example-data/iris/');
  const a = Step.script('a', { code, entry, inputs: { raw }, outputs: ['x'] });
  const b = Step.script('b', { code, entry, inputs: { raw: DataSource.fromUri('s3://example-data/iris/'), ref: DataSource.fromUri('/srv/reference', { type: ArtifactType.MODEL }), x: a.output('x') } });
  p.addStep(a, b);
  return p;
}

describe('collected outputs', () => {
  const chart = readChart(renderMermaid(collectedPipeline()));
  const id = (name: string) => chart.nodes.find((n) => n.label.split('\n')[0] === name)!.id;
  const edges = (from: string, to: string) => chart.edges.filter((e) => e.from === id(from) && e.to === id(to)).map((e) => `${e.arrow} ${e.label}`);

  test("a data edge from the forEach step labelled 'collect <port>', metrics included", () => {
    expect(edges('each', 'merge')).toEqual(['--> collect part, collect metrics']);
    expect(edges('fit', 'pick')).toEqual(['--> collect model']);
  });

  test('a training step fanned out is a framed node with its fan-out line', () => {
    const fit = chart.nodes.find((n) => n.id === id('fit'))!;
    expect(fit.shape).toBe('[[');
    expect(fit.label).toBe('fit\ntraining · noop.py\nforEach ×2: small, large');
    expect(chart.classes.get('forEach')).toEqual([id('each'), id('fit')]);
  });

  test('the SVG labels the edges the same way', async () => {
    const root = parseXml(await renderSvg(collectedPipeline()));
    const labels = findAll(root, (e) => e.tag === 'text' && hasClass(e, 'edge-label')).map((e) => e.text);
    expect(labels).toEqual(['collect part, collect metrics', 'merged', 'collect model']);
  });
});

describe('data at a URI', () => {
  const text = renderMermaid(externalPipeline());
  const chart = readChart(text);

  test('each URI is a parallelogram node of its own, shared by its readers, placed before its first reader', () => {
    const data = chart.nodes.filter((n) => n.shape === '[/');
    expect(data.map((n) => [n.id, n.label])).toEqual([
      ['d_1', 's3://example-data/iris/\ndata · dataset'],
      ['d_2', '/srv/reference\ndata · model'],
    ]);
    expect(chart.nodes.map((n) => n.id)).toEqual(['d_1', 's_a', 'd_2', 's_b']);
    expect(chart.classes.get('externalData')).toEqual(['d_1', 'd_2']);
    expect(text).toContain('classDef externalData fill:#f1f3f5,stroke:#5f6b7a,color:#1f2933');
  });

  test('edges from the data carry the input name; step edges keep their ports', () => {
    expect(chart.edges.map((e) => `${e.from} ${e.arrow} ${e.label} ${e.to}`)).toEqual([
      'd_1 --> raw s_a',
      'd_1 --> raw s_b',
      'd_2 --> ref s_b',
      's_a --> x s_b',
    ]);
    const styled = chart.linkStyles.flatMap((l) => l.indexes).sort((x, y) => x - y);
    expect(styled).toEqual(chart.edges.map((_, i) => i));
  });

  test('a pipeline without URIs has no data class (its Mermaid is unchanged)', () => {
    expect(renderMermaid(collectedPipeline())).not.toContain('externalData');
  });

  test('the SVG draws a data group with its URI, its tooltip and a legend entry', async () => {
    const root = parseXml(await renderSvg(externalPipeline()));
    const groups = findAll(root, (e) => e.tag === 'g' && hasClass(e, 'data'));
    expect(groups.map((g) => g.attrs.id)).toEqual(['d_1', 'd_2']);
    expect(groups[0].children.map((c) => c.tag)).toEqual(['title', 'polygon', 'text', 'text']);
    expect(groups[0].children[0].text).toBe('data at s3://example-data/iris/\nread as dataset');
    expect(findAll(groups[0], (e) => e.tag === 'text').map((t) => t.text)).toEqual(['s3://example-data/iris/', 'data · dataset']);
    expect(findAll(root, (e) => e.tag === 'text' && hasClass(e, 'legend')).map((t) => t.text)).toContain('data at a URI');
  });
});
