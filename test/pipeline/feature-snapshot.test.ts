import * as fs from 'fs';
import * as path from 'path';
import { CachePolicy, Code, FeatureSnapshot, Parameter, Pipeline, PipelineValidationError, Step, Value } from '../../lib';
import { compileAirflow } from '../../lib/compile/airflow';
import { compileArgo } from '../../lib/compile/argo';
import { compileKubeflow } from '../../lib/compile/kubeflow';
import { compileSageMaker } from '../../lib/compile/sagemaker';
import { fromPipelineDocument, toPipelineDocument } from '../../lib/pipeline/document';
import { renderMermaid } from '../../lib/render';
import { featurePipeline, trainingPipeline } from '../../examples/feature-snapshots/pipelines';
import { testTarget } from '../support/aws/sagemaker-target';
import { TEST_OPTIONS } from '../support/kubeflow';

const BASE = path.join(__dirname, '..', '..');
const STORE = 's3://example-data/feature-snapshots/';
const code = Code.fromDirectory(path.join(BASE, 'examples', 'feature-snapshots', 'steps'));
const argo = (p: Pipeline) => compileArgo(p, { defaultImage: 'python:3.12-slim', codeConfigMapName: () => 'code', artifactRepositoryBucket: 'example-data' });

function reader(source: FeatureSnapshot, options: { cache?: CachePolicy; parameters?: { [name: string]: Parameter } } = {}): Pipeline {
  const p = new Pipeline('reader', { parameters: options.parameters ?? { snapshot: Parameter.string('latest') } });
  p.addStep(Step.script('read', { code, entry: 'train.py', inputs: { features: source }, cache: options.cache }));
  return p;
}

function problemsOf(compile: () => unknown): string[] {
  try {
    compile();
  } catch (e) {
    expect(e).toBeInstanceOf(PipelineValidationError);
    return (e as PipelineValidationError).problems;
  }
  throw new Error('expected a PipelineValidationError');
}

test('a version is a string literal (latest or vNNNNNN) or a string parameter the pipeline defines; a store is a valid s3:// prefix', () => {
  const p = new Pipeline('bad', { parameters: { n: Parameter.integer(3) } });
  p.addStep(Step.script('a', { code, entry: 'train.py', inputs: {
    one: FeatureSnapshot.read('customers', { version: Value.string('v42') }),
    two: FeatureSnapshot.read('customers', { version: p.parameter('n') }),
    three: FeatureSnapshot.read('customers', { version: p.parameter('missing') }),
    four: FeatureSnapshot.read('cust omers', { store: 's3://B/x' }),
  } }));
  expect(problemsOf(() => compileSageMaker(p, testTarget()))).toEqual([
    "step 'a': input 'one': feature snapshot version 'v42' is invalid (allowed: 'latest' or a committed version such as 'v000001'); use Value.string('latest'), Value.string('v000001') or a string pipeline parameter",
    "step 'a': input 'two': feature snapshot version reads parameter 'n' of type integer; a version is a string ('latest' or a committed version such as 'v000001'): declare it with Parameter.string('latest')",
    "step 'a': input 'three': feature snapshot version reads parameter 'missing', which the pipeline does not define; add it, e.g. parameters: { missing: Parameter.string('latest') }",
    "step 'a': input 'four': feature snapshot table 'cust omers' is invalid (allowed: letters, digits and '-', starting and ending with a letter or digit, max 64 chars); name the table as its FeatureStoreTable, e.g. 'customers'",
    "step 'a': input 'four': feature snapshot store: URI 's3://B/x/' has no valid bucket name (allowed: 3-63 lower-case letters, digits, '.' and '-'); give e.g. 's3://my-bucket/data/'",
  ]);
});

test('both example pipelines round-trip through the pipeline document, which the published schema accepts', () => {
  const Ajv2020 = require('ajv/dist/2020').default;
  const schema = JSON.parse(fs.readFileSync(path.join(BASE, 'schemas', 'pipeline-document.v1.schema.json'), 'utf8'));
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
  for (const original of [featurePipeline({ store: STORE }), trainingPipeline({ store: STORE })]) {
    const doc = JSON.parse(JSON.stringify(toPipelineDocument(original, BASE)));
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    const loaded = fromPipelineDocument(doc, BASE);
    expect(toPipelineDocument(loaded, BASE)).toEqual(toPipelineDocument(original, BASE));
    expect(compileSageMaker(loaded, testTarget())).toEqual(compileSageMaker(original, testTarget()));
    expect(argo(loaded)).toEqual(argo(original));
  }
  const train = toPipelineDocument(trainingPipeline({ store: STORE }), BASE).steps[0];
  expect(train.inputs).toEqual({ features: { featureSnapshot: 'customers', version: { parameter: 'snapshot' }, store: STORE } });
});

test('SageMaker: the table folder is the channel, the parameter the launcher\'s version; the commit step gets the store', () => {
  const definition = compileSageMaker(trainingPipeline({ store: STORE }), testTarget()) as any;
  const args = definition.Steps[0].Arguments;
  expect(args.InputDataConfig[1]).toMatchObject({ ChannelName: 'features', DataSource: { S3DataSource: { S3Uri: 's3://example-data/feature-snapshots/customers/', S3DataType: 'S3Prefix' } } });
  expect(args.Environment.MLOPS_SNAPSHOT_VERSION_FEATURES).toEqual({ 'Std:Join': { On: '', Values: [{ Get: 'Parameters.snapshot' }] } });
  expect(args.AlgorithmSpecification.ContainerArguments.slice(-2)).toEqual(['--feature-snapshot', 'features=customers']);
  const features = compileSageMaker(featurePipeline({ store: STORE }), testTarget()) as any;
  const commit = features.Steps.find((s: { Name: string }) => s.Name === 'commit');
  expect(commit.Arguments.Environment).toMatchObject({ MLOPS_PARAM_TABLE: 'customers', MLOPS_PARAM_STORE: STORE });
});

test('Argo: a key-only artifact of the table folder, the version from the workflow parameter', () => {
  const text = JSON.stringify(argo(trainingPipeline({ store: STORE })));
  expect(text).toContain('{"name":"features","path":"/mlops/inputs/features","s3":{"key":"feature-snapshots/customers"}}');
  expect(text).toContain('"MLOPS_SNAPSHOT_VERSION_FEATURES={{workflow.parameters.snapshot}}"');
  expect(text).toContain('"--feature-snapshot","features=customers"');
});

test('Airflow (sagemaker executor) reads the table folder from S3 and the version from params', () => {
  const dag = compileAirflow(trainingPipeline({ store: STORE }), { executor: 'sagemaker', cache: 'run-always', sagemaker: {
    roleArn: 'arn:aws:iam::123456789012:role/mlops-jobs', bucketName: 'mlops-artifacts', prefix: 'pipelines/t',
    defaultImage: '123456789012.dkr.ecr.us-east-1.amazonaws.com/t:1', codeUri: () => 's3://cdk-assets-123456789012-us-east-1/0f.zip',
  } }).source;
  expect(dag).toContain('s3://example-data/feature-snapshots/customers/');
  expect(dag).toMatch(/MLOPS_SNAPSHOT_VERSION_FEATURES[^\n]*params\.snapshot/);
});

test('Kubeflow binds a version from a pipeline parameter as a component input the launcher reads', () => {
  const spec = JSON.stringify(compileKubeflow(trainingPipeline({ store: STORE }), TEST_OPTIONS));
  expect(spec).toContain('"mlops-snapshot-features":{"componentInputParameter":"snapshot"}');
  expect(spec).toContain('"mlops-snapshot-features":{"parameterType":"STRING"}');
  expect(spec).toContain("MLOPS_SNAPSHOT_VERSION_FEATURES={{$.inputs.parameters['mlops-snapshot-features']}}");
});

test('what an engine cannot do is a synth-time error naming the step, the feature and the engine', () => {
  expect(() => compileKubeflow(reader(FeatureSnapshot.read('customers', { store: STORE })), TEST_OPTIONS)).not.toThrow();
  expect(problemsOf(() => compileSageMaker(reader(FeatureSnapshot.read('customers')), testTarget()))).toEqual([
    "step 'read': input 'features' reads feature snapshot customers@latest, which names no store; SageMaker reads snapshots from S3: give FeatureSnapshot.read('customers', { store: 's3://my-bucket/feature-snapshots/' })",
  ]);
  expect(problemsOf(() => argo(reader(FeatureSnapshot.read('customers', { store: STORE }), { cache: CachePolicy.enabled() })))).toEqual([
    "step 'read': input 'features' reads feature snapshot customers@latest, whose version is chosen when the step starts, but the step is cached: Argo Workflows would replay an older snapshot's result; turn caching off for 'read' (cache: CachePolicy.disabled()) or read a fixed version",
  ]);
  expect(() => argo(reader(FeatureSnapshot.read('customers', { store: STORE, version: Value.string('v000003') }), { cache: CachePolicy.enabled() }))).not.toThrow();
  expect(problemsOf(() => compileSageMaker(reader(FeatureSnapshot.read('customers', { store: STORE, version: Value.string('latest') }), { cache: CachePolicy.enabled() }), testTarget()))).toEqual([
    "step 'read': input 'features' reads feature snapshot customers@latest, whose version is chosen when the step starts, but the step is cached: SageMaker would replay an older snapshot's result; turn caching off for 'read' (cache: CachePolicy.disabled()) or read a fixed version",
  ]);
  expect(problemsOf(() => argo(reader(FeatureSnapshot.read('customers', { store: 's3://other-bucket/fs/' }))))).toEqual([
    expect.stringMatching(/^step 'read': input 'features' reads s3:\/\/other-bucket\/fs\/customers\/, in bucket 'other-bucket', but the artifact repository's bucket is 'example-data'/),
  ]);
});

test('the diagram draws a snapshot as a data node named by table and version', () => {
  expect(renderMermaid(trainingPipeline({ store: STORE }))).toContain('d_1[/"<b>customers@{snapshot}</b><br/>data · feature snapshot"/]\n  s_train[["<b>train</b><br/>training · train.py"]]\n  d_1 -->|"features"| s_train');
});

test('the commit step is never cached, whatever the pipeline default: a replayed commit would make no version', () => {
  const p = new Pipeline('hourly', { defaultCache: CachePolicy.enabled(), parameters: { hour: Parameter.string('2026-12-03T00') } });
  const compute = Step.script('compute', { code, entry: 'features.py', outputs: ['features'] });
  p.addStep(compute, FeatureSnapshot.commitStep('commit', { table: 'customers', data: compute.output('features'), partition: p.parameter('hour'), store: STORE }));
  const steps = (compileSageMaker(p, testTarget()) as any).Steps;
  expect(steps.map((s: { Name: string; CacheConfig?: unknown }) => [s.Name, s.CacheConfig !== undefined])).toEqual([['compute', true], ['commit', false]]);
});
