import { irisPipeline } from '../../examples/iris/pipeline';
import { Code, Pipeline, PipelineValidationError, Step } from '../../lib';
import { renderMermaid } from '../../lib/render';
import { FEATURES, FIXTURE_CODE } from '../conformance/features';
import { decodeMermaidText, readMermaid } from '../support/render/mermaid-reader';
import { HOSTILE_TEXT, hostilePipeline, nestedPipeline } from '../support/render/pipelines';

const MERMAID_KEYWORDS = ['end', 'subgraph', 'graph', 'flowchart', 'class', 'classDef', 'style', 'linkStyle', 'click', 'call', 'href', 'default', 'direction'];

describe('renderMermaid: Iris', () => {
  const text = renderMermaid(irisPipeline());
  const chart = readMermaid(text);
  const node = (name: string) => chart.nodes.find((n) => n.label.split('\n')[0] === name)!;

  test('matches the snapshot', () => {
    expect(text).toMatchSnapshot();
  });

  test('draws every step once, with its kind and the shape of its kind', () => {
    const steps = irisPipeline().allSteps();
    expect(chart.nodes.map((n) => n.label.split('\n')[0]).sort()).toEqual(steps.map((s) => s.name).sort());
    const shapes: { [name: string]: [string, string] } = {
      extract: ['[', 'script · extract.py'],
      clean: ['[', 'script · clean.py'],
      train: ['[[', 'training · train.py'],
      evaluate: ['[', 'script · evaluate.py'],
      'accuracy-gate': ['{{', 'condition · evaluate.accuracy >= param:minAccuracy'],
      register: ['[(', 'register-model · group iris-classifier'],
      'too-inaccurate': ['([', 'fail · Test accuracy is below minAccuracy; the model was not registered'],
    };
    for (const [name, [shape, line]] of Object.entries(shapes)) {
      expect({ name, shape: node(name).shape, line: node(name).label.split('\n')[1] }).toEqual({ name, shape, line });
    }
    expect(chart.classes.get('training')).toEqual([node('train').id]);
    expect(chart.classes.get('condition')).toEqual([node('accuracy-gate').id]);
  });

  test('labels data edges with artifacts and the metric edge with the metric', () => {
    const edge = (from: string, to: string) =>
      chart.edges.filter((e) => e.from === node(from).id && e.to === node(to).id).map((e) => `${e.arrow} ${e.label}`);
    expect(edge('extract', 'clean')).toEqual(['--> raw']);
    expect(edge('clean', 'train')).toEqual(['--> train']);
    expect(edge('clean', 'evaluate')).toEqual(['--> test']);
    expect(edge('train', 'evaluate')).toEqual(['--> model']);
    expect(edge('train', 'register')).toEqual(['--> model']);
    expect(edge('evaluate', 'accuracy-gate')).toEqual(['--> accuracy']);
  });

  test('puts each branch in its own subgraph, entered by a then / otherwise edge', () => {
    expect(chart.subgraphs.map((s) => s.title)).toEqual(['accuracy-gate · then', 'accuracy-gate · otherwise']);
    expect(node('register').subgraphs).toEqual([chart.subgraphs[0].id]);
    expect(node('too-inaccurate').subgraphs).toEqual([chart.subgraphs[1].id]);
    const gate = node('accuracy-gate').id;
    expect(chart.edges.filter((e) => e.from === gate && e.arrow === '==>').map((e) => [e.label, e.to])).toEqual([
      ['then', node('register').id],
      ['otherwise', node('too-inaccurate').id],
    ]);
    expect(node('accuracy-gate').subgraphs).toEqual([]);
  });

  test('gives every edge exactly one colour, in edge order', () => {
    const styled = chart.linkStyles.flatMap((l) => l.indexes).sort((a, b) => a - b);
    expect(styled).toEqual(chart.edges.map((_, i) => i));
  });
});

describe('renderMermaid: structure', () => {
  test('a nested condition gives nested subgraphs and branch edges from the inner condition', () => {
    const chart = readMermaid(renderMermaid(nestedPipeline()));
    const byName = new Map(chart.nodes.map((n) => [n.label.split('\n')[0], n]));
    const sub = new Map(chart.subgraphs.map((s) => [s.title, s]));
    expect([...sub.keys()]).toEqual(['score-gate · then', 'drift-check · then', 'drift-check · otherwise', 'score-gate · otherwise']);
    const outerThen = sub.get('score-gate · then')!.id;
    expect(sub.get('drift-check · then')!.parents).toEqual([outerThen]);
    expect(sub.get('drift-check · otherwise')!.parents).toEqual([outerThen]);
    expect(byName.get('drift-check')!.subgraphs).toEqual([outerThen]);
    expect(byName.get('register')!.subgraphs).toEqual([outerThen, sub.get('drift-check · then')!.id]);

    const branchEdges = chart.edges.filter((e) => e.arrow === '==>').map((e) => `${e.from} ${e.label} ${e.to}`);
    const id = (name: string) => byName.get(name)!.id;
    // 'register' waits for 'publish' in the same branch, so only 'publish' starts that branch.
    expect(branchEdges).toEqual([
      `${id('score-gate')} then ${id('drift-check')}`,
      `${id('drift-check')} then ${id('publish')}`,
      `${id('drift-check')} otherwise ${id('drifted')}`,
      `${id('score-gate')} otherwise ${id('too-weak')}`,
    ]);
  });

  test('a condition reading metrics of two steps has a metric edge from each', () => {
    const chart = readMermaid(renderMermaid(nestedPipeline()));
    const id = (name: string) => chart.nodes.find((n) => n.label.startsWith(`${name}\n`))!.id;
    const into = chart.edges.filter((e) => e.to === id('score-gate')).map((e) => `${e.from} ${e.label}`);
    expect(into).toEqual([`${id('train')} loss`, `${id('evaluate')} score`]);
  });

  test('forEach shows its fan-out on the node and "all ×N" on the dashed edge that joins it', () => {
    const chart = readMermaid(renderMermaid(nestedPipeline()));
    const shard = chart.nodes.find((n) => n.label.startsWith('shard\n'))!;
    expect(shard.label).toBe('shard\nscript · noop.py\nforEach ×3: eu-west-1, us-east-1, ap-south-1');
    expect(chart.classes.get('forEach')).toEqual([shard.id]);
    const prepare = chart.nodes.find((n) => n.label.startsWith('prepare\n'))!;
    expect(chart.edges.filter((e) => e.from === shard.id)).toEqual([
      { from: shard.id, to: prepare.id, arrow: '-.->', rawLabel: 'all ×3', label: 'all ×3' },
    ]);
  });

  test('dependsOn is dashed, and not drawn again where the step already reads from its target', () => {
    const chart = readMermaid(renderMermaid(nestedPipeline()));
    const id = (name: string) => chart.nodes.find((n) => n.label.startsWith(`${name}\n`))!.id;
    expect(chart.edges.filter((e) => e.to === id('audit'))).toEqual([{ from: id('evaluate'), to: id('audit'), arrow: '-.->', rawLabel: undefined, label: undefined }]);
    // register reads publish's nothing but waits for it; it also reads train's model.
    expect(chart.edges.filter((e) => e.to === id('register')).map((e) => `${e.from} ${e.arrow}`)).toEqual([`${id('train')} -->`, `${id('publish')} -.->`]);

    const a = Step.script('a', { code: FIXTURE_CODE, entry: 'noop.py', outputs: ['x'] });
    const b = Step.script('b', { code: FIXTURE_CODE, entry: 'noop.py', inputs: { x: a.output('x') }, dependsOn: [a] });
    const p = new Pipeline('redundant');
    p.addStep(a, b);
    expect(readMermaid(renderMermaid(p)).edges.map((e) => `${e.from} ${e.arrow} ${e.to}`)).toEqual(['s_a --> s_b']);
  });
});

describe('renderMermaid: names and escaping', () => {
  const text = renderMermaid(hostilePipeline());
  const chart = readMermaid(text);

  test('ids are valid, unique, not keywords, and separate names that differ only in - and _', () => {
    const ids = chart.nodes.map((n) => n.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of [...ids, ...chart.subgraphs.map((s) => s.id)]) {
      expect(id).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
      expect(MERMAID_KEYWORDS).not.toContain(id);
    }
    const idOf = (name: string) => chart.nodes.find((n) => n.label.split('\n')[0] === name)?.id;
    expect(idOf('a-b')).toBe('s_a_b');
    expect(idOf('a_b')).toBe('s_a_b_2');
    expect(idOf('end')).toBe('s_end');
    expect(idOf('1st--fail_')).toBe('s_1st__fail_');
  });

  test('labels hold no raw quote, angle bracket, % or stray #; they decode to the original text', () => {
    for (const raw of [...chart.nodes.map((n) => n.rawLabel), ...chart.edges.map((e) => e.rawLabel ?? '')]) {
      const withoutTags = raw.replace(/<\/?b>|<br\/>/g, '');
      expect(withoutTags).not.toMatch(/["<>%]/);
      expect(withoutTags.replace(/#\w+;/g, '')).not.toContain('#');
    }
    const fail = chart.nodes.find((n) => n.label.startsWith('1st--fail_\n'))!;
    const shown = fail.label.split('\n')[1];
    expect(shown.endsWith('…')).toBe(true);
    expect(`fail · ${HOSTILE_TEXT}`.startsWith(shown.slice(0, -1))).toBe(true);
    expect(shown).toContain('<script>alert(1)</script> & #1; 100% %%{init');

    const gate = chart.nodes.find((n) => n.label.startsWith('subgraph\n'))!;
    expect(gate.label.split('\n')[1]).toBe(
      'condition · (end.score >= 0.5) or (end.verdict in ["\\"yes\\" & <ok>", "]) --> x"]) or (not (end.verdict == param:label))',
    );
    const fanOut = chart.nodes.find((n) => n.label.startsWith('a-b\n'))!;
    expect(fanOut.label.split('\n')[2]).toBe('forEach ×5: "quoted", <angle>, x]y, #35;, …');
  });

  test('no line can trigger a directive or Mermaid\'s style-statement rewrite', () => {
    const labelLines = chart.lines.filter((l) => !/^\s*(classDef|linkStyle) /.test(l));
    for (const line of labelLines) {
      expect(line).not.toMatch(/(style|classDef).*:\S*#.*;/);
    }
    expect(text).not.toMatch(/%%\{/);
    // The fail label starts with 'style:<x>;', so its ':' had to be encoded.
    const fail = chart.nodes.find((n) => n.label.startsWith('1st--fail_\n'))!;
    expect(fail.rawLabel).toContain('style#58;#lt;x#gt;;');
    expect(decodeMermaidText('style#58;#lt;x#gt;;')).toBe('style:<x>;');
  });

  test('the description goes into a comment on one line, control characters replaced', () => {
    const comment = chart.lines.find((l) => l.includes('%% pipeline hostile-1'))!;
    expect(comment).toContain('"q" <script>alert(1)</script>');
    expect(comment).not.toMatch(/[\u0000-\u001f]/);
    expect(comment).toContain('% % {init');
  });
});

describe('renderMermaid: determinism and validation', () => {
  test('the same pipeline, built twice, renders byte-identically', () => {
    expect(renderMermaid(nestedPipeline())).toBe(renderMermaid(nestedPipeline()));
    expect(renderMermaid(hostilePipeline())).toBe(renderMermaid(hostilePipeline()));
  });

  test('the output does not depend on the code directory path', () => {
    const elsewhere = new Pipeline('p');
    elsewhere.addStep(Step.script('s', { code: Code.fromDirectory(`${__dirname}/../fixtures/steps`), entry: 'noop.py' }));
    const here = new Pipeline('p');
    here.addStep(Step.script('s', { code: FIXTURE_CODE, entry: 'noop.py' }));
    expect(renderMermaid(elsewhere)).toBe(renderMermaid(here));
  });

  test('an invalid pipeline is reported like at synth time', () => {
    const p = new Pipeline('broken');
    p.addStep(Step.fail('stop', { message: '' }));
    expect(() => renderMermaid(p)).toThrow(PipelineValidationError);
    expect(() => renderMermaid(p)).toThrow("Pipeline 'broken': step 'stop': message is empty");
  });

  test.each(FEATURES.map((f) => [f.id, f]))('feature pipeline %s renders every step', (_, feature) => {
    const pipeline = feature.build();
    const chart = readMermaid(renderMermaid(pipeline));
    const steps = chart.nodes.filter((n) => n.id.startsWith('s_'));
    expect(steps.map((n) => n.label.split('\n')[0]).sort()).toEqual(pipeline.allSteps().map((s) => s.name).sort());
    // Every input of every step is drawn as an edge into it.
    for (const step of pipeline.allSteps()) {
      const into = chart.edges.filter((e) => e.to === steps.find((n) => n.label.split('\n')[0] === step.name)!.id && e.arrow === '-->');
      expect(into.length).toBeGreaterThanOrEqual(new Set(Object.values(step.inputs()).map((s) => s.producer ?? s)).size);
    }
    const ids = new Set(chart.nodes.map((n) => n.id));
    chart.edges.forEach((e) => expect([ids.has(e.from), ids.has(e.to)]).toEqual([true, true]));
  });
});
