import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO } from '../support/local/fixtures';

/**
 * The package as a user gets it: `npm pack`, installed into a fresh project whose pipeline module
 * imports 'cdk-mlops' by name. The user's module then loads the compiled build while `mlops`
 * runs from its own sources, two copies of the model: every check must hold across them.
 */
const PIPELINE_MODULE = `
const path = require('path');
const { Code, Condition, Parameter, Pipeline, Step, Value } = require('cdk-mlops');

const code = Code.fromDirectory(path.join(__dirname, 'steps'));
const pipeline = new Pipeline('packaged', { parameters: { minScore: Parameter.number(0.5) } });
const prepare = Step.script('prepare', { code, entry: 'prepare.py', outputs: ['rows'], forEach: ['a', 'b'] });
const fit = Step.training('fit', { code, entry: 'fit.py', inputs: { rows: prepare.collect('rows') }, metrics: ['score'] });
pipeline.addStep(prepare, fit, Step.condition('gate', {
  when: Condition.gte(fit.metric('score'), pipeline.parameter('minScore')),
  then: [Step.registerModel('register', { model: fit.model(), group: 'packaged-models', inference: { code, entry: 'serve_model.py' } })],
  otherwise: [Step.fail('too-weak', { message: 'score below minScore' })],
}));
module.exports = { pipeline, Value };
`;

/** An infra app of the consumer: the same pipeline on SageMaker and on Argo, synthesized. */
const SYNTH_SCRIPT = `
const { App, Stack } = require('aws-cdk-lib');
const { Template } = require('aws-cdk-lib/assertions');
const { App: K8sApp, Chart, Testing } = require('cdk8s');
const { aws, k8s } = require('cdk-mlops');
const { pipeline } = require('./pipeline');

const stack = new Stack(new App(), 'Ml');
new aws.MlPipeline(stack, 'Packaged', { pipeline, orchestrator: aws.Orchestrator.sageMaker() });
const template = Template.fromStack(stack).toJSON();
const k8sApp = new K8sApp({ outdir: 'dist' });
const chart = new Chart(k8sApp, 'ml', { namespace: 'ml' });
new k8s.MlPipeline(chart, 'Packaged', { pipeline, engine: k8s.Engine.argo({ defaultImage: 'python:3.12-slim' }) });
const manifests = Testing.synth(chart);
k8sApp.synth();
console.log(JSON.stringify({
  resources: Object.values(template.Resources).map((r) => r.Type).sort(),
  kinds: manifests.map((m) => m.kind).sort(),
}));
`;

const PREPARE = `
import os
out = os.environ["MLOPS_OUTPUT_ROWS"]
with open(os.path.join(out, "rows.txt"), "w") as f:
    f.write(os.environ["MLOPS_ITEM"] * 3)
`;

const FIT = `
import json, os
rows = os.environ["MLOPS_INPUT_ROWS"]
items = sorted(os.listdir(rows))
text = "".join(open(os.path.join(rows, item, "rows.txt")).read() for item in items)
with open(os.path.join(os.environ["MLOPS_MODEL_DIR"], "model.txt"), "w") as f:
    f.write(text)
with open(os.environ["MLOPS_METRICS_FILE"], "w") as f:
    json.dump({"score": len(items) / 2}, f)
`;

/** Serves the fitted "model" (its text): the prediction for each row is the text's length. */
const SERVE_MODEL = `
import json, os
def model_fn(model_dir):
    with open(os.path.join(model_dir, "model.txt")) as f:
        return f.read()
def predict_fn(rows, model):
    return [len(model) for _ in rows]
`;

/** A consumer's snapshot test of its stack, as infra repos write them. */
const SNAPSHOT_TEST = `
const { App, Stack } = require('aws-cdk-lib');
const { Template } = require('aws-cdk-lib/assertions');
const { aws } = require('cdk-mlops');
const { pipeline } = require('./pipeline');

test('the ML stack', () => {
  const stack = new Stack(new App(), 'Ml');
  new aws.MlPipeline(stack, 'Packaged', { pipeline, orchestrator: aws.Orchestrator.sageMaker() });
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::SageMaker::Pipeline', 1);
  expect(template.toJSON()).toMatchSnapshot();
});
`;

let project: string;
let tarball: string;

beforeAll(() => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-package-'));
  // prepack builds the package; --ignore-scripts=false because npm 11 asks before running scripts.
  const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  tarball = path.join(scratch, JSON.parse(packed)[0].filename);
  project = path.join(scratch, 'consumer');
  fs.mkdirSync(path.join(project, 'steps'), { recursive: true });
  // The consumer pins the lowest version of each peer range, the oldest it may run with.
  const own = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  const peers = Object.fromEntries(Object.entries<string>(own.peerDependencies).map(([name, range]) => [name, range.replace(/^[\^~>=]+/, '')]));
  const jest = JSON.parse(fs.readFileSync(path.join(REPO, 'node_modules', 'jest', 'package.json'), 'utf8')).version;
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({
    name: 'consumer',
    private: true,
    dependencies: { 'cdk-mlops': `file:${tarball}`, ...peers },
    devDependencies: { jest },
  }, null, 2));
  fs.writeFileSync(path.join(project, 'stack.test.js'), SNAPSHOT_TEST);
  fs.writeFileSync(path.join(project, 'pipeline.js'), PIPELINE_MODULE);
  fs.writeFileSync(path.join(project, 'synth.js'), SYNTH_SCRIPT);
  fs.writeFileSync(path.join(project, 'steps', 'prepare.py'), PREPARE);
  fs.writeFileSync(path.join(project, 'steps', 'fit.py'), FIT);
  fs.writeFileSync(path.join(project, 'steps', 'serve_model.py'), SERVE_MODEL);
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
}, 600_000);

afterAll(() => {
  fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
});

function mlops(...args: string[]) {
  return spawnSync(path.join(project, 'node_modules', '.bin', 'mlops'), args, { cwd: project, encoding: 'utf8', timeout: 300_000 });
}

test('the tarball holds the compiled build and what it needs at run time, nothing else', () => {
  const listed = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter((f) => f && !f.endsWith('/')).map((f) => f.replace(/^package\//, ''));
  const own = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  const bundled = new Set(listed.filter((f) => f.startsWith('node_modules/')).map((f) => f.split('/')[1]));
  // jsii asks for the non-jsii dependencies to be bundled; npm bundles what they depend on too.
  expect([...bundled].sort()).toEqual([...own.bundledDependencies, 'luxon'].sort());
  expect(listed.filter((f) => !/^build\/.*\.(js|d\.ts|py)$/.test(f) && !f.startsWith('node_modules/')).sort()).toEqual(['.jsii', 'LICENSE', 'README.md', 'bin/mlops.js', 'package.json', 'schemas/pipeline-document.v1.schema.json']);
  for (const runtime of ['build/index.js', 'build/index.d.ts', 'build/bin/mlops.js', 'build/lib/runtime/launcher.py', 'build/lib/runtime/serve.py', 'build/constructs/k8s/kfp-recurring-run.py', 'build/constructs/k8s/run-pipeline.py', 'build/constructs/k8s/mlops_api.py', 'build/constructs/aws/endpoint/handler/index.js']) {
    expect(listed).toContain(runtime);
  }
  const installed = path.join(project, 'node_modules', 'cdk-mlops');
  const pkg = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
  expect(fs.existsSync(path.join(installed, pkg.main))).toBe(true);
  expect(fs.existsSync(path.join(installed, pkg.types))).toBe(true);
});

test('the construct libraries are peers: the consumer has one copy of each, its own', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  for (const peer of ['aws-cdk-lib', 'constructs', 'cdk8s', 'cdk8s-plus-27']) {
    expect(pkg.peerDependencies[peer]).toBeDefined();
    expect(pkg.dependencies[peer]).toBeUndefined();
    expect(fs.existsSync(path.join(project, 'node_modules', 'cdk-mlops', 'node_modules', peer))).toBe(false);
    const installed = JSON.parse(fs.readFileSync(path.join(project, 'node_modules', peer, 'package.json'), 'utf8'));
    expect(`^${installed.version}`).toBe(pkg.peerDependencies[peer]);
  }
});

test("a consumer's Jest snapshot test of its stack writes a snapshot, then passes against it", () => {
  const jest = (...args: string[]) => spawnSync(process.execPath, [path.join(project, 'node_modules', 'jest', 'bin', 'jest.js'), ...args], { cwd: project, encoding: 'utf8', timeout: 120_000 });
  // As a developer's first run: CI=true (set on CI machines) would make Jest refuse to write it.
  const first = jest('--ci=false');
  expect(first.stderr).toMatch(/1 snapshot written/);
  expect(first.status).toBe(0);
  const again = jest('--ci');
  expect(again.stderr).toMatch(/1 passed/);
  expect(again.status).toBe(0);
}, 240_000);

test("a consumer's app synthesizes the pipeline on SageMaker and on Argo from the package", () => {
  const out = execFileSync(process.execPath, ['synth.js'], { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const { resources, kinds } = JSON.parse(out.trim().split('\n').pop()!);
  expect(resources).toEqual(expect.arrayContaining(['AWS::SageMaker::Pipeline', 'AWS::SageMaker::ModelPackageGroup', 'AWS::IAM::Role', 'AWS::KMS::Key']));
  expect(kinds).toEqual(expect.arrayContaining(['WorkflowTemplate', 'ConfigMap', 'ServiceAccount', 'NetworkPolicy']));
}, 120_000);

test('mlops graph draws the pipeline from the manifest that app wrote (dist/ml.k8s.yaml)', () => {
  const r = mlops('graph', 'dist/ml.k8s.yaml');
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toBe(mlops('graph', 'pipeline.js').stdout);
  expect(fs.readdirSync(path.join(project, '.mlops', 'manifest-code', 'ml'))).toEqual([expect.stringMatching(/^packaged-code-[0-9a-f]{10}$/)]);
}, 120_000);

test('mlops run --local runs a module that imports cdk-mlops: every step, fan-out collected, model registered', () => {
  const r = mlops('run', 'pipeline.js', '--local', '--json', '--python', 'python3');
  expect(r.status).toBe(0);
  const report = JSON.parse(r.stdout);
  expect(report.status).toBe('succeeded');
  const states = Object.fromEntries(report.steps.map((s: { name: string; state: string }) => [s.name, s.state]));
  expect(states).toEqual({ prepare: 'succeeded', fit: 'succeeded', gate: 'succeeded', register: 'succeeded', 'too-weak': 'skipped' });
  const registry = path.join(project, '.mlops', 'registry', 'packaged-models');
  const versions = fs.readdirSync(registry).filter((v) => fs.statSync(path.join(registry, v)).isDirectory());
  expect(versions).toHaveLength(1);
  const model = fs.readFileSync(path.join(registry, versions[0], 'model', 'model.txt'), 'utf8');
  expect(model).toBe('aaabbb');
}, 300_000);

test('mlops serve --local answers from the model that run registered, through its inference code (serve.py is shipped)', async () => {
  const { spawn } = require('child_process');
  const child = spawn(path.join(project, 'node_modules', '.bin', 'mlops'), ['serve', 'packaged-models', '--local', '--port', '0', '--python', 'python3'], { cwd: project });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const found = /at (http:\/\/127\.0\.0\.1:\d+) /.exec(out);
        if (found) {
          resolve(found[1]);
        }
      });
      child.on('close', () => reject(new Error(`mlops serve exited: ${out}`)));
    });
    const r = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '[[1], [2]]' });
    expect(await r.json()).toEqual([6, 6]);
  } finally {
    child.kill('SIGINT');
  }
}, 120_000);

test("the installed mlops reports the package's version", () => {
  const r = mlops('--version');
  expect(r.status).toBe(0);
  expect(r.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version);
});

test('mlops graph draws every step and edge of that module', () => {
  const r = mlops('graph', 'pipeline.js');
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  for (const step of ['prepare', 'fit', 'gate', 'register', 'too-weak']) {
    expect(r.stdout).toContain(`<b>${step}</b>`);
  }
  expect(r.stdout).toMatch(/s_prepare -->.*s_fit/);
  expect(r.stdout).toMatch(/s_fit -->.*s_gate/);
  expect(r.stdout).toMatch(/s_gate ==>.*s_register/);
}, 120_000);

test('a TypeScript pipeline module without tsx in the project: mlops says to install tsx', () => {
  fs.writeFileSync(path.join(project, 'pipeline.ts'), "export { pipeline } from './pipeline.js';\n");
  const r = mlops('graph', 'pipeline.ts');
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('loading the TypeScript module pipeline.ts needs the package tsx');
  expect(r.stderr).toContain('fix: install it in your project: npm install --save-dev tsx');
});

// The Python wheel jsii-pacmak makes from the same build (after the npm tests: both use build/).
describe('the Python wheel', () => {
  let unpacked: string;
  let api: { [module: string]: { [cls: string]: { [method: string]: { args: string[]; kwonly: string[] } } } };

  beforeAll(() => {
    execFileSync(process.execPath, [path.join(REPO, 'bin', 'build-package.js'), '--python'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    const dir = path.join(REPO, 'dist-jsii', 'python');
    const wheel = fs.readdirSync(dir).filter((f) => f.endsWith('.whl'));
    expect(wheel).toEqual([`cdk_mlops-${JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version}-py3-none-any.whl`]);
    unpacked = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-wheel-'));
    execFileSync('python3', ['-m', 'zipfile', '-e', path.join(dir, wheel[0]), unpacked]);
    api = JSON.parse(execFileSync('python3', [path.join(REPO, 'test', 'support', 'package', 'python_api.py'), path.join(unpacked, 'cdk_mlops')], { encoding: 'utf8' })).api;
  }, 600_000);

  afterAll(() => fs.rmSync(unpacked, { recursive: true, force: true }));

  test('exposes the model and both construct families with Python signatures', () => {
    expect(Object.keys(api).sort()).toEqual(['cdk_mlops', 'cdk_mlops.aws', 'cdk_mlops.k8s']);
    const model = api['cdk_mlops'];
    expect(model.Pipeline.__init__).toEqual({ args: ['name'], kwonly: expect.arrayContaining(['parameters', 'default_resources', 'default_retry', 'default_cache', 'description']), varargs: false });
    expect(model.Step.script.kwonly).toEqual(expect.arrayContaining(['code', 'entry', 'inputs', 'outputs', 'metrics', 'params', 'resources', 'for_each', 'timeout_seconds']));
    expect(model.Step.register_model.kwonly).toEqual(expect.arrayContaining(['model', 'group', 'approval']));
    expect(Object.keys(model.Condition)).toEqual(expect.arrayContaining(['and_', 'or_', 'not_', 'gte', 'is_in']));
    expect(model.Code.from_directory).toEqual({ args: ['directory'], kwonly: ['exclude'], varargs: false });
    expect(api['cdk_mlops.aws'].MlPipeline.__init__).toEqual({ args: ['scope', 'id'], kwonly: expect.arrayContaining(['pipeline', 'orchestrator', 'schedule', 'alarm_emails']), varargs: false });
    expect(api['cdk_mlops.aws'].Orchestrator.sage_maker.kwonly).toEqual(expect.arrayContaining(['default_image', 'max_parallel_steps']));
    expect(api['cdk_mlops.k8s'].MlPipeline.__init__).toEqual({ args: ['scope', 'id'], kwonly: expect.arrayContaining(['pipeline', 'engine', 'api_server', 'namespace']), varargs: false });
    expect(Object.keys(api['cdk_mlops.k8s'].Engine)).toEqual(expect.arrayContaining(['argo', 'kubeflow']));
    // TypeScript-only parts stay out of the Python surface.
    expect(Object.keys(model)).not.toContain('PipelineValidationError');
  });

  test("the README's Python example calls only what the wheel has, with its keyword arguments", () => {
    const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const snippet = /```python\n([\s\S]*?)```/.exec(readme)![1];
    const file = path.join(unpacked, 'readme_example.py');
    fs.writeFileSync(file, snippet);
    const checked = JSON.parse(execFileSync('python3', [path.join(REPO, 'test', 'support', 'package', 'python_api.py'), path.join(unpacked, 'cdk_mlops'), '--snippet', file], { encoding: 'utf8' }));
    expect(checked.problems).toEqual([]);
    expect(snippet).toMatch(/Step\.register_model\(/);
  });

  test('the npm tarball inside the wheel loads with only the construct libraries beside it', () => {
    const jsiiDir = path.join(unpacked, 'cdk_mlops', '_jsii');
    const tgz = fs.readdirSync(jsiiDir).find((f) => f.endsWith('.jsii.tgz'))!;
    const modules = path.join(unpacked, 'node', 'node_modules');
    fs.mkdirSync(path.join(modules, 'cdk-mlops'), { recursive: true });
    execFileSync('tar', ['-xzf', path.join(jsiiDir, tgz), '-C', path.join(modules, 'cdk-mlops'), '--strip-components=1']);
    // As the jsii runtime has them: each peer its own package, nothing else of this repository's.
    for (const peer of ['aws-cdk-lib', 'constructs', 'cdk8s', 'cdk8s-plus-27']) {
      fs.symlinkSync(path.join(REPO, 'node_modules', peer), path.join(modules, peer));
    }
    const script = `
      const m = require('cdk-mlops');
      const p = new m.Pipeline('wheel');
      p.addStep(m.Step.fail('stop', { message: 'x' }));
      require('cdk-mlops/local'); require('cdk-mlops/render'); require('cdk-mlops/compile'); require('cdk-mlops/document');
      console.log(JSON.stringify({ steps: p.steps.map((s) => s.name), aws: typeof m.aws.MlPipeline, k8s: typeof m.k8s.MlPipeline }));`;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: path.dirname(modules), encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
    expect(JSON.parse(out)).toEqual({ steps: ['stop'], aws: 'function', k8s: 'function' });
  });
});

// After the wheel: jsii-docgen reads the assembly (.jsii) that the build wrote.
test('the API reference in docs/api is the one the current assembly generates (npm run docs:api)', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-api-'));
  try {
    execFileSync(path.join(REPO, 'node_modules', '.bin', 'jsii-docgen'), ['--language', 'typescript', '--language', 'python', '--output', path.join(out, 'API')], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const language of ['typescript', 'python']) {
      const committed = fs.readFileSync(path.join(REPO, 'docs', 'api', `API.${language}.md`), 'utf8');
      const current = fs.readFileSync(path.join(out, `API.${language}.md`), 'utf8');
      expect({ language, current: current === committed }).toEqual({ language, current: true });
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}, 300_000);
