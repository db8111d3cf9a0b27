import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Code, Parameter, Pipeline, Step, Value } from '../../../lib';
import { KubeflowDocument } from '../../../lib/compile/kubeflow';
import { packageCode } from '../../../lib/runtime';
import { compileForTest, runExecutor, validateKubeflowDocument } from '../../support/kubeflow';

/**
 * Runs the compiled executors on this machine the way KFP's launcher runs them in a pod (see
 * test/support/kubeflow/emulate.ts), with the real step launcher from the packaged code: proves
 * that the command, the placeholders and the platform spec's mounts fit the step contract.
 */
let dir: string;
let doc: KubeflowDocument;
let codeZip: Buffer;
const RUN_ID = '6f1c2d7e-0000-4000-8000-000000000001';

const STEP = `
import json, os, shutil
env = {k: v for k, v in sorted(os.environ.items()) if k.startswith("MLOPS_")}
out = os.environ.get("MLOPS_OUTPUT_DATA")
if out:
    with open(os.path.join(out, "env.json"), "w") as f:
        json.dump(env, f)
model = os.environ.get("MLOPS_MODEL_DIR")
if model:
    shutil.copy(os.path.join(os.environ["MLOPS_INPUT_DATA"], "env.json"), os.path.join(model, "seen.json"))
with open(os.environ["MLOPS_METRICS_FILE"], "w") as f:
    json.dump({"score": 0.9, "label": "good", "acc": 0.75, "item": os.environ.get("MLOPS_ITEM", "")}, f)
print("ran", os.environ["MLOPS_STEP"], os.environ.get("MLOPS_ITEM", ""))
`;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfp-launch-'));
  const codeDir = path.join(dir, 'code');
  fs.mkdirSync(codeDir);
  fs.writeFileSync(path.join(codeDir, 'step.py'), STEP);
  const code = Code.fromDirectory(codeDir);
  codeZip = packageCode(code);
  const p = new Pipeline('launch', { parameters: { mode: Parameter.string('fast') } });
  const produce = Step.script('produce', {
    code, entry: 'step.py', outputs: ['data'], metrics: ['score'], stringMetrics: ['label'],
    params: { mode: p.parameter('mode'), n: Value.integer(3) }, env: { EXTRA: 'yes' },
  });
  const train = Step.training('train', { code, entry: 'step.py', inputs: { data: produce.output('data') }, metrics: ['acc'] });
  const each = Step.script('each', { code, entry: 'step.py', forEach: ['eu', 'us'] });
  p.addStep(produce, train, each,
    Step.registerModel('register', { model: train.model(), group: 'launch-models' }),
    Step.fail('stop', { message: 'stopped: accuracy too low' }));
  doc = compileForTest(p);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const run = (label: string, options: Omit<Parameters<typeof runExecutor>[2], 'root'>) => {
  const root = path.join(dir, 'runs', label);
  fs.mkdirSync(root, { recursive: true });
  // The task's constant input: the step's name (the executor is its shape's, named after its first step).
  return runExecutor(doc, label, { root, codeZip, runId: RUN_ID, ...options, parameters: { 'mlops-step': label.replace(/^exec-/, ''), ...options.parameters } });
};

test('the document is valid', () => {
  expect(validateKubeflowDocument(doc)).toEqual([]);
});

test('a script step: outputs, params, env and the run id reach the script; metrics become output parameters', () => {
  const result = run('exec-produce', { parameters: { 'mode': 'fast', 'n': '3', 'mlops-code': 'code-code' } });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('ran produce');
  const env = JSON.parse(fs.readFileSync(path.join(result.outputArtifacts.data, 'env.json'), 'utf8'));
  expect(env).toMatchObject({
    MLOPS_ENGINE: 'kubeflow',
    MLOPS_PIPELINE: 'launch',
    MLOPS_STEP: 'produce',
    MLOPS_PARAM_MODE: 'fast',
    MLOPS_PARAM_N: '3',
    MLOPS_RUN_ID: RUN_ID,
    MLOPS_OUTPUT_DATA: result.outputArtifacts.data,
  });
  expect(env.MLOPS_METRICS_FILE).toMatch(/mounts\/mlops-tmp\/mlops\/metrics\.json$/);
  expect(result.outputParameters).toEqual({ score: '0.9', label: 'good' });
  expect(result.executorOutput).toEqual({
    artifacts: { 'mlops-metrics': { artifacts: [{ name: 'mlops-metrics', uri: 'minio://mlpipeline/emulated/exec-produce/mlops-metrics', metadata: { score: 0.9 } }] } },
  });
});

test('a training step reads its input artifact and writes the model directory', () => {
  const produced = run('exec-produce', { parameters: { 'mode': 'fast', 'n': '3' } });
  const result = run('exec-train', { inputArtifacts: { data: produced.outputArtifacts.data } });
  expect(result.status).toBe(0);
  expect(JSON.parse(fs.readFileSync(path.join(result.outputArtifacts.model, 'seen.json'), 'utf8')).MLOPS_STEP).toBe('produce');
  expect(result.outputParameters).toEqual({ acc: '0.75' });
});

test('a forEach step sees its item', () => {
  const result = run('exec-each', { parameters: { 'mlops-item': 'us' } });
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('ran each us');
});

test('register copies the model into a new artifact and reports the run id as the version', () => {
  const model = path.join(dir, 'model-in');
  fs.mkdirSync(model, { recursive: true });
  fs.writeFileSync(path.join(model, 'model.joblib'), 'weights');
  const result = run('exec-register', { inputArtifacts: { model } });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(fs.readFileSync(path.join(result.outputArtifacts.model, 'model.joblib'), 'utf8')).toBe('weights');
  expect(result.outputParameters).toEqual({ version: RUN_ID });
  expect(result.stdout).toContain('launch-models');
});

test('the fail step exits 1 and prints its message', () => {
  const result = run('exec-stop', {});
  expect(result.status).toBe(1);
  expect(result.stderr).toBe('stopped: accuracy too low\n');
});

test('a failing script fails the task with its exit status', () => {
  const failing = JSON.parse(JSON.stringify(doc));
  const args: string[] = failing.pipelineSpec.deploymentSpec.executors['exec-each'].container.args;
  args[args.indexOf('--entry') + 1] = 'missing.py';
  const root = path.join(dir, 'runs', 'missing');
  fs.mkdirSync(root, { recursive: true });
  const result = runExecutor(failing, 'exec-each', { root, codeZip, parameters: { 'mlops-item': 'eu', 'mlops-step': 'each' } });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain("entry 'missing.py' is not in the step's code");
});
