import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { k8s as kube } from 'cdk8s-plus-27';
import { Engine, MlPipeline } from '../../../constructs/k8s';
import { Code, Pipeline, Step } from '../../../lib';
import { brand } from '../../../lib/pipeline/brand';
import { packageCode } from '../../../lib/runtime';
import { validateManifests } from '../../support/k8s';
import { validateKubeflowDocument } from '../../support/kubeflow';
import { errorOf } from '../../support/errors';

// Synth warnings are asserted through SynthWarnings.of; their stderr copy is noise here.
jest.spyOn(console, 'warn').mockImplementation(() => undefined);

type Json = { [key: string]: any };

const IMAGE = 'python:3.12-slim';
const code = Code.fromDirectory(path.join(__dirname, '..', '..', 'fixtures', 'steps'));
let lateDir: string;
let lateCode: Code;

beforeAll(() => {
  lateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-late-code-'));
  fs.writeFileSync(path.join(lateDir, 'late.py'), 'print("late")\n');
  lateCode = Code.fromDirectory(lateDir);
});

afterAll(() => fs.rmSync(lateDir, { recursive: true, force: true }));

const engines = [
  ['Argo', () => Engine.argo({ defaultImage: IMAGE })],
  ['Kubeflow', () => Engine.kubeflow({ defaultImage: IMAGE })],
] as const;

describe.each(engines)('on %s', (engineName, engine) => {
  test('a step added to the pipeline after the construct was created is synthesized, with its code ConfigMap', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
    const pipeline = new Pipeline('grows');
    pipeline.addStep(Step.script('first', { code, entry: 'noop.py' }));
    const construct = new MlPipeline(chart, 'P', { pipeline, engine: engine() });
    pipeline.addStep(Step.script('late', { code: lateCode, entry: 'late.py' }));

    const objects: Json[] = Testing.synth(chart);
    expect(validateManifests(objects, { argo: 'v4.1.2' })).toEqual([]);
    const codeMaps = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('grows-code-'));
    expect(codeMaps).toHaveLength(2);
    const late = codeMaps.find((o) => Buffer.from(o.binaryData['code.zip'], 'base64').equals(packageCode(lateCode)))!;
    expect(late).toBeDefined();
    expect(construct.codeConfigMaps).toEqual(codeMaps.map((o) => o.metadata.name).sort());
    if (engineName === 'Argo') {
      const template = objects.find((o) => o.kind === 'WorkflowTemplate')!;
      expect(template.spec.templates.map((t: Json) => t.name)).toEqual(expect.arrayContaining(['first', 'late']));
      expect(template.spec.volumes.map((v: Json) => v.configMap?.name)).toContain(late.metadata.name);
    } else {
      const version = objects.find((o) => o.kind === 'PipelineVersion')!;
      expect(Object.keys(version.spec.pipelineSpec.root.dag.tasks)).toEqual(expect.arrayContaining(['first', 'late']));
      expect(JSON.stringify(version.spec.platformSpec)).toContain(late.metadata.name);
      expect(validateKubeflowDocument(version.spec)).toEqual([]);
    }
  });

  test('an invalid pipeline is reported when the app synthesizes, with the construct path; creating the construct does not throw', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
    const pipeline = new Pipeline('broken');
    new MlPipeline(chart, 'P', { pipeline, engine: engine() });
    const outside = Step.script('outside', { code, entry: 'noop.py', outputs: ['raw'] });
    pipeline.addStep(Step.script('reader', { code, entry: 'noop.py', inputs: { data: outside.output('raw') } }));
    expect(errorOf(() => Testing.synth(chart))).toBe(
      "Validation failed with the following errors:\n  [test/P] Pipeline 'broken': step 'reader': input 'data' reads step 'outside', which is not in the pipeline; add it with pipeline.addStep(...) or to a condition branch",
    );
  });

  test('what the engine cannot express, found at synth, names the construct path and the step', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
    const pipeline = new Pipeline('gpu');
    const bare = engineName === 'Argo' ? Engine.argo({ gpu: { requireNodeSelection: true }, defaultImage: IMAGE }) : Engine.kubeflow({ gpu: { requireNodeSelection: true }, defaultImage: IMAGE });
    new MlPipeline(chart, 'Gpu', { pipeline, engine: bare });
    pipeline.addStep(Step.training('fit', { code, entry: 'noop.py', resources: { gpu: 1 } }));
    expect(errorOf(() => Testing.synth(chart))).toMatch(/\[test\/Gpu\] .*step 'fit'.*(node selection|nodeSelector)/s);
  });
});

test("dependencies declared on the construct order its objects, although they are created at synth", () => {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
  const pipeline = new Pipeline('ordered');
  pipeline.addStep(Step.script('one', { code, entry: 'noop.py' }));
  const construct = new MlPipeline(chart, 'P', { pipeline, engine: Engine.argo({ defaultImage: IMAGE }) });
  const after = new kube.KubeConfigMap(chart, 'After', { metadata: { name: 'after' } });
  const before = new kube.KubeConfigMap(chart, 'Before', { metadata: { name: 'before' } });
  construct.node.addDependency(before);
  after.node.addDependency(construct);
  const names = Testing.synth(chart).map((o: Json) => `${o.kind}/${o.metadata.name}`);
  expect(names.indexOf('ConfigMap/before')).toBeLessThan(names.indexOf('WorkflowTemplate/ordered'));
  expect(names.indexOf('ConfigMap/after')).toBeGreaterThan(names.indexOf('WorkflowTemplate/ordered'));
  expect(names.indexOf('ConfigMap/after')).toBeGreaterThan(names.indexOf('NetworkPolicy/ordered-steps-allow'));
});

test('app.synth() renders once: every chart file has the pipeline, and a second synth gives the same objects', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-lazy-app-'));
  try {
    const app = Testing.app({ outdir });
    const chart = new Chart(app, 'ml', { namespace: 'ml' });
    const pipeline = new Pipeline('twice');
    pipeline.addStep(Step.script('one', { code, entry: 'noop.py' }));
    new MlPipeline(chart, 'P', { pipeline, engine: Engine.kubeflow({ defaultImage: IMAGE }) });
    app.synth();
    const written = fs.readFileSync(path.join(outdir, 'ml.k8s.yaml'), 'utf8');
    expect(written).toContain('kind: PipelineVersion');
    expect(Testing.synth(chart)).toEqual(Testing.synth(chart));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});

test('an Engine from another copy of the package is accepted by its brand, not by instanceof', () => {
  class ForeignEngine {
    public readonly kind = Engine.argo().kind;
    public readonly _renderer = Engine.argo({ defaultImage: IMAGE })._renderer;
  }
  brand(ForeignEngine, 'cdk-mlops.k8s.Engine');
  const foreign = new ForeignEngine();
  expect(foreign instanceof Engine).toBe(false);
  expect(Engine.isEngine(foreign)).toBe(true);
  const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
  const pipeline = new Pipeline('foreign');
  pipeline.addStep(Step.script('one', { code, entry: 'noop.py' }));
  new MlPipeline(chart, 'P', { pipeline, engine: foreign as unknown as Engine });
  expect(Testing.synth(chart).map((o: Json) => o.kind)).toContain('WorkflowTemplate');
});
