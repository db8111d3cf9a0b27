import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { loadManifestPipeline } from '../../../bin/cli/load-manifest';
import { Engine, MlPipeline } from '../../../constructs/k8s';
import { IrisArgoChart, IrisKubeflowChart } from '../../../examples/iris/k8s';
import { irisPipeline } from '../../../examples/iris/pipeline';
import { Code, Pipeline, Step } from '../../../lib';
import { toPipelineDocument } from '../../../lib/pipeline/document';
import { validateManifests } from '../../support/k8s';
import { errorOf } from '../../support/errors';
import { tempDir } from '../../support/local/fixtures';

jest.spyOn(console, 'warn').mockImplementation(() => undefined);

type Json = { [key: string]: any };
const IMAGE = 'python:3.12-slim';
const LABEL = 'mlops.cdk.io/pipeline-document';

const documentOf = (objects: Json[]): Json | undefined => objects.find((o) => o.kind === 'ConfigMap' && o.metadata.labels?.[LABEL] === 'v1');

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => {
  tmp = tempDir('k8s-document');
});
afterEach(() => tmp.cleanup());

function writeManifest(objects: Json[]): string {
  const file = path.join(tmp.dir, 'dist', 'chart.k8s.yaml');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, objects.map((o) => YAML.stringify(o)).join('---\n'));
  return file;
}

describe.each([
  ['Argo', () => Testing.synth(new IrisArgoChart(Testing.app(), 'iris-argo'))],
  ['Kubeflow', () => Testing.synth(new IrisKubeflowChart(Testing.app(), 'iris-kubeflow'))],
])('the Iris example on %s', (_engine, synthesize) => {
  const objects: Json[] = synthesize();
  const configMap = documentOf(objects)!;

  test('carries the pipeline document in one labelled ConfigMap that validates', () => {
    expect(configMap.metadata).toEqual({
      name: 'iris-pipeline-document',
      namespace: expect.any(String),
      labels: { 'app.kubernetes.io/managed-by': 'cdk-mlops', 'mlops.cdk.io/pipeline': 'iris', [LABEL]: 'v1' },
    });
    expect(Object.keys(configMap.data)).toEqual(['pipeline.json']);
    expect(validateManifests([configMap])).toEqual([]);
  });

  test("writes each code directory as the name of the code ConfigMap in the same manifest", () => {
    const codeConfigMaps = objects.filter((o) => o.kind === 'ConfigMap' && o.binaryData?.['code.zip']).map((o) => o.metadata.name);
    const doc = JSON.parse(configMap.data['pipeline.json']);
    const directories = [...new Set(doc.steps.filter((s: Json) => s.code).map((s: Json) => s.code.directory))];
    expect(directories.length).toBeGreaterThan(0);
    expect(codeConfigMaps).toEqual(expect.arrayContaining(directories));
    expect(doc).toEqual(toPipelineDocument(irisPipeline(), '.', { codeDirectory: () => directories[0] as string }));
  });

  test('loads back from the manifest file as the same pipeline, code unpacked from the manifest', () => {
    const pipeline = loadManifestPipeline(writeManifest(objects), undefined, tmp.dir);
    const codeDir = path.dirname(pipeline.allSteps().map((s) => (s as { code?: Code }).code).find((c) => c)!.directory);
    expect(path.relative(tmp.dir, codeDir)).toBe(path.join('.mlops', 'manifest-code', configMap.metadata.namespace));
    expect(toPipelineDocument(pipeline, codeDir)).toEqual(JSON.parse(configMap.data['pipeline.json']));
    const original = irisPipeline().allSteps().map((s) => (s as { code?: Code }).code).find((c) => c)!.directory;
    const unpacked = pipeline.allSteps().map((s) => (s as { code?: Code }).code).find((c) => c)!.directory;
    expect(fs.readFileSync(path.join(unpacked, 'train.py'), 'utf8')).toBe(fs.readFileSync(path.join(original, 'train.py'), 'utf8'));
  });
});

function chartWith(pipelines: Pipeline[], options: { pipelineDocument?: boolean } = {}): Json[] {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
  pipelines.forEach((p) => new MlPipeline(chart, p.name, { pipeline: p, engine: Engine.argo({ defaultImage: IMAGE }), ...options }));
  return Testing.synth(chart);
}

function small(name: string, env: { [key: string]: string } = {}): Pipeline {
  const p = new Pipeline(name);
  p.addStep(Step.script('one', { code: Code.fromDirectory(path.join(__dirname, '..', '..', 'fixtures', 'steps')), entry: 'noop.py', env }));
  return p;
}

test('pipelineDocument: false leaves the ConfigMap out', () => {
  expect(documentOf(chartWith([small('a')]))).toBeDefined();
  expect(documentOf(chartWith([small('a')], { pipelineDocument: false }))).toBeUndefined();
});

test('a document over the ConfigMap limit is a synth error that says how to leave it out', () => {
  expect(errorOf(() => chartWith([small('big', { BLOB: 'x'.repeat(1100 * 1024) })]))).toContain(
    "MlPipeline 'big': the pipeline document is 1.07 MiB (1126",
  );
  expect(errorOf(() => chartWith([small('big', { BLOB: 'x'.repeat(1100 * 1024) })]))).toContain('over the 1.00 MiB (1048576 bytes) ConfigMap limit; set pipelineDocument: false');
});

test('a manifest of two pipelines needs one picked by name; a wrong name or none at all is a clear error', () => {
  const file = writeManifest(chartWith([small('first'), small('second')]));
  expect(errorOf(() => loadManifestPipeline(file, undefined, tmp.dir))).toBe('the manifest dist/chart.k8s.yaml holds 2 pipelines (first, second)\n  fix: pick one by name: dist/chart.k8s.yaml#first');
  expect(loadManifestPipeline(file, 'second', tmp.dir).name).toBe('second');
  expect(loadManifestPipeline(file, 'first-pipeline-document', tmp.dir).name).toBe('first');
  expect(errorOf(() => loadManifestPipeline(file, 'third', tmp.dir))).toBe('the manifest dist/chart.k8s.yaml holds no pipeline \'third\' (it holds: first, second)\n  fix: pick one by pipeline or ConfigMap name: dist/chart.k8s.yaml#first');
  const none = writeManifest(chartWith([small('a')], { pipelineDocument: false }));
  expect(errorOf(() => loadManifestPipeline(none, undefined, tmp.dir))).toBe(
    'the manifest dist/chart.k8s.yaml holds no pipeline document (a ConfigMap labelled mlops.cdk.io/pipeline-document)\n  fix: synthesize it from a k8s.MlPipeline (whose pipelineDocument prop is not false), or pass the pipeline module instead',
  );
});

test('a damaged code archive or document in the manifest is named', () => {
  const objects = chartWith([small('a')]);
  const code = objects.find((o) => o.binaryData?.['code.zip'])!;
  const archive = Buffer.from(code.binaryData['code.zip'], 'base64');
  archive[archive.readUInt32LE(archive.length - 22 + 16) - 1] ^= 0xff; // the last byte of the last file
  code.binaryData['code.zip'] = archive.toString('base64');
  expect(errorOf(() => loadManifestPipeline(writeManifest(objects), undefined, tmp.dir))).toBe(
    `the code archive in ConfigMap '${code.metadata.name}' of dist/chart.k8s.yaml: entry 'noop.py' cannot be inflated (unexpected end of file): the archive is damaged\n  fix: synthesize the manifest again`,
  );
  const other = chartWith([small('a')]);
  documentOf(other)!.data['pipeline.json'] = '{ "version": "cdk-mlops/pipeline/v9", "name": "a", "steps": [] }';
  expect(errorOf(() => loadManifestPipeline(writeManifest(other), undefined, tmp.dir))).toContain("pipeline document in ConfigMap 'a-pipeline-document' of dist/chart.k8s.yaml: version 'cdk-mlops/pipeline/v9' is not one this cdk-mlops reads");
});
