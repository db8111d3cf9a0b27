import { gatedDeployPipeline } from '../../examples/katib-gated-deploy/pipeline';
import { Algorithm, Objective, Pipeline, Range, Step } from '../../lib';
import { renderMermaid, renderSvg } from '../../lib/render';
import { FIXTURE_CODE as code } from '../conformance/features';
import { readMermaid } from '../support/render/mermaid-reader';
import { findAll, hasClass, parseXml } from '../support/render/svg-tree';

/** A grid search minimising a loss, with every optional setting, to see each in the tooltip. */
function gridPipeline(): Pipeline {
  const p = new Pipeline('grid');
  const trial = Step.training('fit', { code, entry: 'noop.py', metrics: ['loss'] });
  p.addStep(Step.tune('search', {
    trial,
    objective: Objective.minimize('loss'),
    space: { depth: Range.integer(2, 4), kernel: Range.categorical(['rbf', 'linear']) },
    algorithm: Algorithm.grid(),
    maxTrials: 6,
    parallelTrials: 3,
    maxFailedTrials: 1,
    earlyStopping: true,
  }));
  return p;
}

describe('tuning steps in Mermaid', () => {
  const chart = readMermaid(renderMermaid(gatedDeployPipeline()));

  test('a framed node with the algorithm, maxTrials and objective, in the tune class', () => {
    const hpo = chart.nodes.find((n) => n.id === 's_hpo')!;
    expect(hpo.shape).toBe('[[');
    expect(hpo.label).toBe('hpo\ntune · random · 8 trials · maximize accuracy');
    expect(chart.classes.get('tune')).toEqual(['s_hpo']);
  });

  test('its best model and objective metric feed the steps that read them, the trial is no node of its own', () => {
    expect(chart.nodes.map((n) => n.id)).not.toContain('s_trial');
    const edges = chart.edges.filter((e) => e.from === 's_hpo').map((e) => [e.to, e.label]);
    expect(edges).toEqual([['s_accuracy_gate', 'accuracy'], ['s_register', 'model']]);
    expect(chart.edges.filter((e) => e.to === 's_hpo').map((e) => [e.from, e.label])).toEqual([['s_clean', 'train, test']]);
  });

  test('a grid search minimising a loss says so', () => {
    const grid = readMermaid(renderMermaid(gridPipeline()));
    expect(grid.nodes.find((n) => n.id === 's_search')!.label).toBe('search\ntune · grid · 6 trials · minimize loss');
  });
});

describe('tuning steps in SVG', () => {
  test('a tune group with the search on the node and the space, trial and settings in its tooltip', async () => {
    const root = parseXml(await renderSvg(gridPipeline()));
    const groups = findAll(root, (e) => e.tag === 'g' && hasClass(e, 'step-tune'));
    expect(groups.map((g) => g.attrs['data-step'])).toEqual(['search']);
    const texts = findAll(groups[0], (e) => e.tag === 'text').map((t) => t.text);
    expect(texts).toEqual(['search', 'tune · grid · 6 trials · minimize loss']);
    const tooltip = groups[0].children.find((c) => c.tag === 'title')!.text;
    expect(tooltip).toContain('grid search: 6 trials, 3 at a time');
    expect(tooltip).toContain('objective: minimize loss');
    expect(tooltip).toContain("space: depth integer(2, 4), kernel categorical('rbf', 'linear')");
    expect(tooltip).toContain('trial: fit (noop.py)');
    expect(tooltip).toContain('maxFailedTrials: 1');
    expect(tooltip).toContain('earlyStopping');
    // Two rects: the frame and its inner line, like training steps.
    expect(groups[0].children.filter((c) => c.tag === 'rect')).toHaveLength(2);
    expect(findAll(root, (e) => e.tag === 'text' && hasClass(e, 'legend')).map((t) => t.text)).toContain('tune');
  });

  test('the seed is in the tooltip when the search has one', async () => {
    const root = parseXml(await renderSvg(gatedDeployPipeline()));
    const group = findAll(root, (e) => e.tag === 'g' && hasClass(e, 'step-tune'))[0];
    expect(group.children.find((c) => c.tag === 'title')!.text).toContain('random search: 8 trials, 2 at a time, seed 7');
  });
});
