import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ArtifactType, Code, Condition, DataSource, Pipeline, PipelineValidationError, Step, Value } from '../../../lib';
import { KubeflowDocument } from '../../../lib/compile/kubeflow';
import { packageCode } from '../../../lib/runtime';
import { FIXTURE_CODE } from '../../conformance/features';
import { compileForTest, EmulatedRun, runExecutor, validateKubeflowDocument } from '../../support/kubeflow';

/**
 * forEach fan-outs read back as dsl.Collected (a list output of the loop DAG), training fan-out,
 * and data at a URI through an importer: the wiring is checked against the pipeline-spec protos
 * and KFP's reference rules, and the collected read is run end to end through the real launcher.
 */
const code = FIXTURE_CODE;
const entry = 'noop.py';
const LIST = (schemaTitle: string) => ({ artifactType: { schemaTitle, schemaVersion: '0.0.1' }, isArtifactList: true });

function valid(p: Pipeline): KubeflowDocument {
  const doc = compileForTest(p);
  expect(validateKubeflowDocument(doc)).toEqual([]);
  return doc;
}

function problemsOf(p: Pipeline): string[] {
  try {
    compileForTest(p);
  } catch (e) {
    expect(e).toBeInstanceOf(PipelineValidationError);
    return (e as PipelineValidationError).problems;
  }
  throw new Error(`expected '${p.name}' not to compile for Kubeflow`);
}

describe('collected outputs and training fan-out', () => {
  const p = new Pipeline('collect');
  const each = Step.script('each', { code, entry, forEach: ['eu', 'us'], outputs: ['part'], metrics: ['rows'], stringMetrics: ['label'] });
  const fit = Step.training('fit', { code, entry, forEach: ['small', 'large'], metrics: ['score'] });
  const merge = Step.script('merge', {
    code, entry, outputs: ['merged'],
    inputs: { parts: each.collect('part'), scores: each.collectMetrics(), models: fit.collect('model') },
  });
  p.addStep(each, fit, merge);
  const doc = valid(p);
  const spec = doc.pipelineSpec;

  test('a training step fans out as a ParallelFor whose body is the training task', () => {
    expect(spec.root.dag.tasks.fit.componentRef.name).toBe('comp-fit-for-each');
    expect(spec.root.dag.tasks.fit.parameterIterator.items.raw).toBe('["small","large"]');
    const body = spec.components['comp-fit-for-each'].dag.tasks.fit;
    expect(body.componentRef.name).toBe('comp-fit');
    expect(body.inputs.parameters['mlops-item']).toEqual({ componentInputParameter: 'pipelinechannel--loop-item' });
    const args: string[] = spec.deploymentSpec.executors['exec-fit'].container.args;
    expect(args).toContain("MLOPS_ITEM={{$.inputs.parameters['mlops-item']}}");
    expect(args).toContain("MLOPS_MODEL_DIR={{$.outputs.artifacts['model'].path}}");
  });

  test("each collected port is a list output of the loop DAG, selected from the body task", () => {
    const loop = spec.components['comp-each-for-each'];
    expect(loop.dag.outputs.artifacts).toEqual({
      'pipelinechannel--each-mlops-metrics': { artifactSelectors: [{ producerSubtask: 'each', outputArtifactKey: 'mlops-metrics' }] },
      'pipelinechannel--each-part': { artifactSelectors: [{ producerSubtask: 'each', outputArtifactKey: 'part' }] },
    });
    expect(loop.outputDefinitions.artifacts).toEqual({
      'pipelinechannel--each-mlops-metrics': LIST('system.Metrics'),
      'pipelinechannel--each-part': LIST('system.Artifact'),
    });
    expect(spec.components['comp-fit-for-each'].outputDefinitions.artifacts).toEqual({ 'pipelinechannel--fit-model': LIST('system.Model') });
  });

  test('the reader takes isArtifactList inputs from the loop tasks and waits for them', () => {
    expect(spec.components['comp-merge'].inputDefinitions.artifacts).toEqual({
      models: LIST('system.Model'), parts: LIST('system.Artifact'), scores: LIST('system.Metrics'),
    });
    const task = spec.root.dag.tasks.merge;
    expect(task.inputs.artifacts).toEqual({
      models: { taskOutputArtifact: { producerTask: 'fit', outputArtifactKey: 'pipelinechannel--fit-model' } },
      parts: { taskOutputArtifact: { producerTask: 'each', outputArtifactKey: 'pipelinechannel--each-part' } },
      scores: { taskOutputArtifact: { producerTask: 'each', outputArtifactKey: 'pipelinechannel--each-mlops-metrics' } },
    });
    expect(task.dependentTasks).toEqual(['each', 'fit']);
  });

  test('the launcher gets the executor input to tag items and to lay out collected inputs', () => {
    const eachArgs: string[] = spec.deploymentSpec.executors['exec-each'].container.args;
    expect(eachArgs.slice(eachArgs.indexOf('--kfp-executor-input'))).toEqual([
      '--kfp-executor-input', '{{$}}', '--kfp-metrics-artifact', 'mlops-metrics',
      '--kfp-metrics-dir', "{{$.outputs.artifacts['mlops-metrics'].path}}",
      '--kfp-item-artifact', 'part', '--kfp-item-artifact', 'mlops-metrics',
    ]);
    const mergeArgs: string[] = spec.deploymentSpec.executors['exec-merge'].container.args;
    expect(mergeArgs).toContain('MLOPS_INPUT_PARTS=/tmp/mlops/collected/parts');
    expect(mergeArgs.slice(mergeArgs.indexOf('--kfp-executor-input'))).toEqual([
      '--kfp-executor-input', '{{$}}', '--kfp-collected', 'parts', '--kfp-collected', 'scores', '--kfp-collected', 'models',
    ]);
  });

  test('the validator rejects a list bound to a single-artifact input', () => {
    const broken = JSON.parse(JSON.stringify(doc));
    delete broken.pipelineSpec.components['comp-merge'].inputDefinitions.artifacts.parts.isArtifactList;
    expect(validateKubeflowDocument(broken)).toEqual([
      "root, task 'merge': input artifact 'parts' is one artifact in component 'comp-merge', but is bound to a list",
    ]);
    const single = JSON.parse(JSON.stringify(doc));
    delete single.pipelineSpec.components['comp-fit-for-each'].outputDefinitions.artifacts['pipelinechannel--fit-model'].isArtifactList;
    expect(validateKubeflowDocument(single)).toEqual(expect.arrayContaining([
      "component 'comp-fit-for-each': dag output artifact 'pipelinechannel--fit-model' must be a list: it selects one artifact in a loop body (one per iteration)",
    ]));
  });
});

test('a collected output reaches a reader in a condition branch through a list channel', () => {
  const p = new Pipeline('collect-nested');
  const each = Step.script('each', { code, entry, forEach: ['a', 'b'], outputs: ['part'] });
  const check = Step.script('check', { code, entry, metrics: ['ok'] });
  p.addStep(each, check, Step.condition('gate', {
    when: Condition.gt(check.metric('ok'), Value.number(0)),
    then: [Step.script('merge', { code, entry, inputs: { parts: each.collect('part') } })],
  }));
  const spec = valid(p).pipelineSpec;
  expect(spec.components['comp-gate'].inputDefinitions.artifacts).toEqual({ 'pipelinechannel--each-part': LIST('system.Artifact') });
  expect(spec.root.dag.tasks.gate.inputs.artifacts).toEqual({
    'pipelinechannel--each-part': { taskOutputArtifact: { producerTask: 'each', outputArtifactKey: 'pipelinechannel--each-part' } },
  });
  expect(spec.components['comp-gate-then'].dag.tasks.merge.inputs.artifacts.parts).toEqual({ componentInputArtifact: 'pipelinechannel--each-part' });
});

test('what a collected read cannot be is a synth-time problem through compileKubeflow', () => {
  const p = new Pipeline('collect-bad');
  const fit = Step.training('fit', { code, entry, forEach: ['a', 'b'] });
  const odd = Step.script('odd', { code, entry, forEach: ['x/y', '..'], outputs: ['part'] });
  p.addStep(fit, odd,
    Step.registerModel('register', { model: fit.collect('model'), group: 'models' }),
    Step.script('merge', { code, entry, inputs: { parts: odd.collect('part') } }));
  expect(problemsOf(p)).toEqual([
    "step 'odd': forEach items 'x/y', '..' cannot name the directory each item's data is read from when collected by 'merge' (allowed: letters, digits, '.', '_', '-', not '.' or '..', at most 255 chars); rename those items",
    "step 'register': model is fit.collected.model, the models of every forEach item, but a register step registers one model; register the model of a training step that runs once (e.g. one that reads the collection and writes the chosen model), or register inside each item",
      ]);
});

describe('data at a URI', () => {
  test('an importer task beside the reader records the URI as the artifact the reader takes', () => {
    const p = new Pipeline('external');
    p.addStep(Step.script('read', { code, entry, inputs: { raw: DataSource.fromUri('gs://example-data/iris/') } }));
    const spec = valid(p).pipelineSpec;
    const type = { schemaTitle: 'system.Artifact', schemaVersion: '0.0.1' };
    expect(spec.deploymentSpec.executors['exec-read-import-raw']).toEqual({ importer: { artifactUri: { constant: 'gs://example-data/iris/' }, typeSchema: type } });
    expect(spec.components['comp-read-import-raw']).toEqual({
      executorLabel: 'exec-read-import-raw',
      inputDefinitions: { parameters: { uri: { parameterType: 'STRING' } } },
      outputDefinitions: { artifacts: { artifact: { artifactType: type } } },
    });
    expect(spec.root.dag.tasks['read-import-raw'].inputs.parameters.uri).toEqual({ runtimeValue: { constant: 'gs://example-data/iris/' } });
    expect(spec.root.dag.tasks.read.inputs.artifacts.raw).toEqual({ taskOutputArtifact: { producerTask: 'read-import-raw', outputArtifactKey: 'artifact' } });
    expect(spec.root.dag.tasks.read.dependentTasks).toEqual(['read-import-raw']);
    expect(spec.deploymentSpec.executors['exec-read'].container.args).toContain("MLOPS_INPUT_RAW={{$.inputs.artifacts['raw'].path}}");
  });

  test('in a branch or a loop body the importer sits in the same DAG as its reader; a model URI can be registered', () => {
    const p = new Pipeline('external-nested');
    const check = Step.script('check', { code, entry, metrics: ['ok'] });
    const model = DataSource.fromUri('s3://models-bucket/iris/v1/', { type: ArtifactType.MODEL });
    p.addStep(check,
      Step.script('per-region', { code, entry, forEach: ['eu', 'us'], inputs: { raw: DataSource.fromUri('minio://mlpipeline/raw/') } }),
      Step.condition('gate', { when: Condition.gt(check.metric('ok'), Value.number(0)), then: [Step.registerModel('register', { model, group: 'iris' })] }));
    const spec = valid(p).pipelineSpec;
    expect(Object.keys(spec.components['comp-per-region-for-each'].dag.tasks).sort()).toEqual(['per-region', 'per-region-import-raw']);
    expect(Object.keys(spec.components['comp-gate-then'].dag.tasks).sort()).toEqual(['register', 'register-import-model']);
    expect(spec.deploymentSpec.executors['exec-register-import-model'].importer.typeSchema.schemaTitle).toBe('system.Model');
    expect(spec.components['comp-gate-then'].dag.tasks.register.dependentTasks).toEqual(['register-import-model']);
  });

  test('a URI KFP cannot download from is a synth-time problem', () => {
    const p = new Pipeline('external-local');
    p.addStep(Step.script('read', { code, entry, inputs: { raw: DataSource.fromUri('/data/iris') } }));
    expect(problemsOf(p)).toEqual([
      "step 'read': input 'raw' reads /data/iris (scheme 'file'), which Kubeflow Pipelines cannot import: KFP's importer and launcher read only s3://, gs://, minio:// URIs; copy the data to a bucket and give its URI, e.g. 's3://my-bucket/data/'",
    ]);
  });
});

describe('a collected read, run through the launcher as KFP runs it', () => {
  let dir: string;
  let doc: KubeflowDocument;
  let codeZip: Buffer;
  const STEP = `
import json, os
item = os.environ.get("MLOPS_ITEM")
if os.environ["MLOPS_STEP"] == "each":
    open(os.path.join(os.environ["MLOPS_OUTPUT_PART"], "data.txt"), "w").write("rows of " + item)
    json.dump({"rows": len(item), "label": item.upper()}, open(os.environ["MLOPS_METRICS_FILE"], "w"))
elif os.environ["MLOPS_STEP"] == "fit":
    open(os.path.join(os.environ["MLOPS_MODEL_DIR"], "model.txt"), "w").write("model " + item)
else:
    seen = {}
    for name in ("PARTS", "SCORES", "MODELS"):
        root = os.environ["MLOPS_INPUT_" + name]
        seen[name] = {i: {f: open(os.path.join(root, i, f)).read() for f in sorted(os.listdir(os.path.join(root, i)))} for i in sorted(os.listdir(root))}
    json.dump(seen, open(os.path.join(os.environ["MLOPS_OUTPUT_MERGED"], "seen.json"), "w"))
`;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfp-collect-'));
    fs.mkdirSync(path.join(dir, 'code'));
    fs.writeFileSync(path.join(dir, 'code', 'step.py'), STEP);
    const stepCode = Code.fromDirectory(path.join(dir, 'code'));
    codeZip = packageCode(stepCode);
    const p = new Pipeline('collect-run');
    const each = Step.script('each', { code: stepCode, entry: 'step.py', forEach: ['eu', 'us'], outputs: ['part'], metrics: ['rows'], stringMetrics: ['label'] });
    const fit = Step.training('fit', { code: stepCode, entry: 'step.py', forEach: ['small', 'large'] });
    p.addStep(each, fit, Step.script('merge', {
      code: stepCode, entry: 'step.py', outputs: ['merged'],
      inputs: { parts: each.collect('part'), scores: each.collectMetrics(), models: fit.collect('model') },
    }));
    doc = compileForTest(p);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = (label: string, name: string, options: Omit<Parameters<typeof runExecutor>[2], 'root' | 'codeZip'>): EmulatedRun => {
    const root = path.join(dir, 'runs', name);
    fs.mkdirSync(root, { recursive: true });
    const result = runExecutor(doc, label, { root, codeZip, ...options, parameters: { 'mlops-step': label.replace(/^exec-/, ''), ...options.parameters } });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return result;
  };
  /** What KFP's driver hands the reader: each item's artifact with the metadata its launcher wrote. */
  const collected = (runs: EmulatedRun[], key: string) => runs.map((r) => ({ path: r.outputArtifacts[key], metadata: r.executorOutput!.artifacts[key].artifacts[0].metadata }));

  test('each item tags its artifacts with the item; the reader sees one directory per item', () => {
    const each = ['eu', 'us'].map((item) => run('exec-each', `each-${item}`, { parameters: { 'mlops-item': item } }));
    expect(each[0].executorOutput!.artifacts).toEqual({
      'mlops-metrics': { artifacts: [{ name: 'mlops-metrics', uri: 'minio://mlpipeline/emulated/exec-each/mlops-metrics', metadata: { 'rows': 2, 'mlops-item': 'eu' } }] },
      'part': { artifacts: [{ name: 'part', uri: 'minio://mlpipeline/emulated/exec-each/part', metadata: { 'mlops-item': 'eu' } }] },
    });
    const fit = ['small', 'large'].map((item) => run('exec-fit', `fit-${item}`, { parameters: { 'mlops-item': item } }));
    // KFP lists the items in no promised order; the directory names come from the tags.
    const merged = run('exec-merge', 'merge', {
      inputArtifactLists: { parts: collected(each, 'part').reverse(), scores: collected(each, 'mlops-metrics'), models: collected(fit, 'model') },
    });
    expect(JSON.parse(fs.readFileSync(path.join(merged.outputArtifacts.merged, 'seen.json'), 'utf8'))).toEqual({
      PARTS: { eu: { 'data.txt': 'rows of eu' }, us: { 'data.txt': 'rows of us' } },
      SCORES: { eu: { 'metrics.json': '{"label": "EU", "rows": 2}' }, us: { 'metrics.json': '{"label": "US", "rows": 2}' } },
      MODELS: { large: { 'model.txt': 'model large' }, small: { 'model.txt': 'model small' } },
    });
  });
});
