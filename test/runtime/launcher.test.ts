import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LAUNCHER_PATH } from '../../lib/runtime';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'launcher-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function writeCode(files: { [name: string]: string }): string {
  const code = path.join(dir, 'code');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(code, name)), { recursive: true });
    fs.writeFileSync(path.join(code, name), text);
  }
  return code;
}

function launch(args: string[], env: NodeJS.ProcessEnv = {}) {
  const run = spawnSync('python3', [LAUNCHER_PATH, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('sets --env variables, creates output and model directories, and passes script arguments', () => {
  const code = writeCode({
    'step.py': [
      'import os, sys',
      'open(os.path.join(os.environ["MLOPS_OUTPUT_DATA"], "x.txt"), "w").write(" ".join(sys.argv[1:]))',
      'open(os.path.join(os.environ["MLOPS_MODEL_DIR"], "m.txt"), "w").write(os.environ["MLOPS_PARAM_SEED"])',
    ].join('\n'),
  });
  const out = path.join(dir, 'out', 'data');
  const model = path.join(dir, 'model');
  const r = launch(['--code', code, '--entry', 'step.py', '--env', `MLOPS_OUTPUT_DATA=${out}`, '--env', `MLOPS_MODEL_DIR=${model}`, '--env', 'MLOPS_PARAM_SEED=7', '--', '--mode', 'a=b']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(fs.readFileSync(path.join(out, 'x.txt'), 'utf8')).toBe('--mode a=b');
  expect(fs.readFileSync(path.join(model, 'm.txt'), 'utf8')).toBe('7');
});

test('sibling modules of the code root are importable from a script in a subdirectory', () => {
  const code = writeCode({ 'helpers.py': 'VALUE = 42\n', 'sub/step.py': 'import helpers\nprint(helpers.VALUE)\n' });
  const r = launch(['--code', code, '--entry', 'sub/step.py']);
  expect(r.status).toBe(0);
  expect(r.stdout.trim()).toBe('42');
});

test('--unpack extracts a model.tar.gz in the input directory and removes the tarball', () => {
  const modelSrc = path.join(dir, 'src');
  fs.mkdirSync(modelSrc);
  fs.writeFileSync(path.join(modelSrc, 'model.joblib'), 'weights');
  const input = path.join(dir, 'input', 'model');
  fs.mkdirSync(input, { recursive: true });
  expect(spawnSync('tar', ['-czf', path.join(input, 'model.tar.gz'), '-C', modelSrc, 'model.joblib']).status).toBe(0);
  const code = writeCode({ 'step.py': 'import os\nprint(sorted(os.listdir(os.environ["MLOPS_INPUT_MODEL"])))\n' });
  const r = launch(['--code', code, '--entry', 'step.py', '--unpack', 'model'], { MLOPS_INPUT_MODEL: input });
  expect(r.status).toBe(0);
  expect(r.stdout.trim()).toBe("['model.joblib']");
});

test('retries a failing script with backoff, then succeeds', () => {
  const counter = path.join(dir, 'attempts');
  const code = writeCode({
    'flaky.py': `import sys\np="${counter}"\nn=int(open(p).read()) if __import__("os").path.exists(p) else 0\nopen(p,"w").write(str(n+1))\nsys.exit(0 if n >= 2 else 3)\n`,
  });
  const r = launch(['--code', code, '--entry', 'flaky.py', '--retries', '3', '--interval', '0.05', '--backoff', '2']);
  expect(r.status).toBe(0);
  expect(fs.readFileSync(counter, 'utf8')).toBe('3');
  expect(r.stderr).toContain('flaky.py exited with 3; retry 1 of 3 in 0.05s');
  expect(r.stderr).toContain('retry 2 of 3 in 0.1s');
});

test("returns the script's exit status when the retries run out", () => {
  const code = writeCode({ 'bad.py': 'import sys\nsys.exit(5)\n' });
  const r = launch(['--code', code, '--entry', 'bad.py', '--retries', '1', '--interval', '0']);
  expect(r.status).toBe(5);
  expect(r.stderr).toContain('bad.py failed with exit status 5');
});

test('checks declared metrics and writes each to its own file, and echoes numeric ones', () => {
  const metrics = path.join(dir, 'metrics', 'metrics.json');
  const code = writeCode({ 'm.py': `import json\njson.dump({"accuracy": 0.97, "label": "good", "extra": 1}, open("${metrics}", "w"))\n` });
  const accuracyFile = path.join(dir, 'params', 'accuracy');
  const labelFile = path.join(dir, 'params', 'label');
  const r = launch(['--code', code, '--entry', 'm.py', '--metric', 'accuracy', '--string-metric', 'label',
    '--metric-file', `accuracy=${accuracyFile}`, '--metric-file', `label=${labelFile}`, '--echo-metrics'], { MLOPS_METRICS_FILE: metrics });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(fs.readFileSync(accuracyFile, 'utf8')).toBe('0.97');
  expect(fs.readFileSync(labelFile, 'utf8')).toBe('good');
  expect(r.stdout).toContain('[mlops-metric] accuracy=0.97');
  expect(r.stdout).not.toContain('label=');
});

test.each([
  ['no metrics file', 'pass', /declares metrics \['accuracy'\] but wrote no metrics file/],
  ['a missing metric', 'json.dump({"other": 1}, open(P, "w"))', /metric 'accuracy' is declared but missing .*found: \['other'\]/],
  ['a string where a number is declared', 'json.dump({"accuracy": "high"}, open(P, "w"))', /metric 'accuracy' is 'high', expected a number/],
  ['not JSON', 'open(P, "w").write("{oops")', /is not valid JSON/],
])('a step that writes %s fails with a contract error', (_what, body, message) => {
  const metrics = path.join(dir, 'metrics.json');
  const code = writeCode({ 's.py': `import json\nP = "${metrics}"\n${body}\n` });
  const r = launch(['--code', code, '--entry', 's.py', '--metric', 'accuracy'], { MLOPS_METRICS_FILE: metrics });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(message);
});

test('runs from a code archive that holds the launcher as __main__.py', () => {
  const code = writeCode({ 'step.py': 'import os\nprint("ran in", os.path.basename(os.path.dirname(__file__)))\n' });
  fs.copyFileSync(LAUNCHER_PATH, path.join(code, '__main__.py'));
  const archive = path.join(dir, 'code.zip');
  expect(spawnSync('python3', ['-m', 'zipfile', '-c', archive, ...fs.readdirSync(code)], { cwd: code }).status).toBe(0);
  const run = spawnSync('python3', [archive, '--entry', 'step.py'], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.stdout.trim()).toBe('ran in code');
});

test('an entry that is not in the code is a contract error', () => {
  const code = writeCode({ 'a.py': '' });
  const r = launch(['--code', code, '--entry', 'missing.py']);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/entry 'missing.py' is not in the step's code/);
});

test('Kubeflow: numeric metrics go into the system.Metrics artifact of the executor output file', () => {
  const metrics = path.join(dir, 'metrics.json');
  const outputFile = path.join(dir, 'kfp', 'executor_output.json');
  const executorInput = {
    inputs: {},
    outputs: {
      artifacts: { 'mlops-metrics': { artifacts: [{ name: 'mlops-metrics', uri: 'minio://bucket/run/evaluate/mlops-metrics', type: { schemaTitle: 'system.Metrics' } }] } },
      outputFile,
    },
  };
  const code = writeCode({ 'm.py': `import json\njson.dump({"accuracy": 0.97, "label": "good"}, open("${metrics}", "w"))\n` });
  const r = launch(['--code', code, '--entry', 'm.py', '--metric', 'accuracy', '--string-metric', 'label',
    '--kfp-executor-input', JSON.stringify(executorInput), '--kfp-metrics-artifact', 'mlops-metrics'], { MLOPS_METRICS_FILE: metrics });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(JSON.parse(fs.readFileSync(outputFile, 'utf8'))).toEqual({
    artifacts: { 'mlops-metrics': { artifacts: [{ name: 'mlops-metrics', uri: 'minio://bucket/run/evaluate/mlops-metrics', metadata: { accuracy: 0.97 } }] } },
  });
});

test('Kubeflow: an executor input without the metrics artifact is a contract error', () => {
  const metrics = path.join(dir, 'metrics.json');
  const code = writeCode({ 'm.py': `import json\njson.dump({"accuracy": 1}, open("${metrics}", "w"))\n` });
  const r = launch(['--code', code, '--entry', 'm.py', '--metric', 'accuracy',
    '--kfp-executor-input', '{"outputs": {"outputFile": "/tmp/x"}}', '--kfp-metrics-artifact', 'mlops-metrics'], { MLOPS_METRICS_FILE: metrics });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/--kfp-executor-input has no output file or artifact 'mlops-metrics'/);
});

test('only an archive needs a scratch directory, so a step killed mid-run from a code directory leaves nothing behind', () => {
  const scratchRoot = path.join(dir, 'tmp');
  fs.mkdirSync(scratchRoot);
  const code = writeCode({ 'step.py': 'import os\nprint(len(os.listdir(os.environ["TMPDIR"])))\n' });
  const env = { TMPDIR: scratchRoot };
  const fromDirectory = launch(['--code', code, '--entry', 'step.py'], env);
  expect(fromDirectory.stdout.trim()).toBe('0');

  fs.copyFileSync(LAUNCHER_PATH, path.join(code, '__main__.py'));
  const archive = path.join(dir, 'code.zip');
  expect(spawnSync('python3', ['-m', 'zipfile', '-c', archive, ...fs.readdirSync(code)], { cwd: code }).status).toBe(0);
  const fromArchive = spawnSync('python3', [archive, '--entry', 'step.py'], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  expect(fromArchive.stdout.trim()).toBe('1');
  expect(fs.readdirSync(scratchRoot)).toEqual([]);
});

describe('Kubeflow collected reads', () => {
  /** An executor input as KFP's driver builds it for a step reading a dsl.Collected list. */
  const collectedInput = (artifacts: object[]) => JSON.stringify({ inputs: { artifacts: { parts: { artifacts } } }, outputs: { outputFile: path.join(dir, 'kfp', 'out.json') } });
  const listing = 'import os\nroot = os.environ["MLOPS_INPUT_PARTS"]\nprint(sorted((i, os.readlink(os.path.join(root, i))) for i in os.listdir(root)))\n';

  test('--kfp-collected links each item of a list input into one directory, named by the item tag', () => {
    const code = writeCode({ 'ls.py': listing });
    const local = path.join(dir, 'downloaded');
    const target = path.join(dir, 'scratch', 'collected', 'parts');
    const input = collectedInput([
      { name: '41', uri: 'minio://mlpipeline/run/each-1/part', metadata: { 'mlops-item': 'us' } },
      { name: '40', uri: 's3://bucket/run/each-0/part', metadata: { 'mlops-item': 'eu', 'other': 1 } },
      { name: '42', uri: 'gs://bucket/run/each-2/part', customPath: local, metadata: { 'mlops-item': 'apac' } },
    ]);
    const r = launch(['--code', code, '--entry', 'ls.py', '--env', `MLOPS_INPUT_PARTS=${target}`, '--kfp-executor-input', input, '--kfp-collected', 'parts']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // KFP's launcher downloads each artifact to /minio/, /s3/ or /gcs/ + the URI's path, or to its customPath.
    expect(r.stdout.trim()).toBe(`[('apac', '${local}'), ('eu', '/s3/bucket/run/each-0/part'), ('us', '/minio/mlpipeline/run/each-1/part')]`);
  });

  test('an artifact without an item tag, or an item twice, is a contract error', () => {
    const code = writeCode({ 'ls.py': listing });
    const env = ['--env', `MLOPS_INPUT_PARTS=${path.join(dir, 'c')}`];
    const untagged = launch(['--code', code, '--entry', 'ls.py', ...env, '--kfp-executor-input', collectedInput([{ uri: 's3://b/x' }]), '--kfp-collected', 'parts']);
    expect(untagged.status).toBe(1);
    expect(untagged.stderr).toMatch(/collected input 'parts': artifact 's3:\/\/b\/x' has no usable 'mlops-item' in its metadata/);
    const twice = collectedInput([{ uri: 's3://b/x', metadata: { 'mlops-item': 'a' } }, { uri: 's3://b/y', metadata: { 'mlops-item': 'a' } }]);
    const duplicate = launch(['--code', code, '--entry', 'ls.py', ...env, '--kfp-executor-input', twice, '--kfp-collected', 'parts']);
    expect(duplicate.status).toBe(1);
    expect(duplicate.stderr).toMatch(/item 'a' appears twice/);
  });

  test('--kfp-item-artifact tags outputs with MLOPS_ITEM and --kfp-metrics-dir writes metrics.json into the metrics artifact', () => {
    const metrics = path.join(dir, 'metrics.json');
    const outputFile = path.join(dir, 'kfp', 'executor_output.json');
    const metricsDir = path.join(dir, 'artifacts', 'mlops-metrics');
    const executorInput = {
      outputs: {
        artifacts: {
          'mlops-metrics': { artifacts: [{ name: 'mlops-metrics', uri: 'minio://b/run/each/mlops-metrics' }] },
          'part': { artifacts: [{ name: 'part', uri: 'minio://b/run/each/part' }] },
        },
        outputFile,
      },
    };
    const code = writeCode({ 'm.py': `import json\njson.dump({"rows": 3, "label": "eu", "extra": 1}, open("${metrics}", "w"))\n` });
    const r = launch(['--code', code, '--entry', 'm.py', '--env', 'MLOPS_ITEM=eu', '--metric', 'rows', '--string-metric', 'label',
      '--kfp-executor-input', JSON.stringify(executorInput), '--kfp-metrics-artifact', 'mlops-metrics', '--kfp-metrics-dir', metricsDir,
      '--kfp-item-artifact', 'part', '--kfp-item-artifact', 'mlops-metrics'], { MLOPS_METRICS_FILE: metrics });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(outputFile, 'utf8'))).toEqual({
      artifacts: {
        'mlops-metrics': { artifacts: [{ name: 'mlops-metrics', uri: 'minio://b/run/each/mlops-metrics', metadata: { 'rows': 3, 'mlops-item': 'eu' } }] },
        'part': { artifacts: [{ name: 'part', uri: 'minio://b/run/each/part', metadata: { 'mlops-item': 'eu' } }] },
      },
    });
    expect(JSON.parse(fs.readFileSync(path.join(metricsDir, 'metrics.json'), 'utf8'))).toEqual({ rows: 3, label: 'eu' });
  });
});

describe('SageMaker collected reads', () => {
  /** A model directory packed as SageMaker packs /opt/ml/model: `<dir>/model.tar.gz`. */
  const tarball = (into: string, file: string, text: string) => {
    const src = fs.mkdtempSync(path.join(dir, 'src-'));
    fs.writeFileSync(path.join(src, file), text);
    fs.mkdirSync(into, { recursive: true });
    expect(spawnSync('tar', ['-czf', path.join(into, 'model.tar.gz'), '-C', src, file]).status).toBe(0);
  };
  const tree = [
    'import os',
    'root = os.environ["MLOPS_INPUT_MODELS"]',
    'print(sorted((item, sorted(os.listdir(os.path.join(root, item)))) for item in os.listdir(root)))',
  ].join('\n');

  test('--unpack-items extracts the tarball inside each item directory of a collected input', () => {
    const input = path.join(dir, 'input', 'models');
    tarball(path.join(input, 'small'), 'small.joblib', 's');
    tarball(path.join(input, 'large'), 'large.joblib', 'l');
    const code = writeCode({ 'ls.py': tree });
    const r = launch(['--code', code, '--entry', 'ls.py', '--unpack-items', 'models'], { MLOPS_INPUT_MODELS: input });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe("[('large', ['large.joblib']), ('small', ['small.joblib'])]");
  });

  test('--collect-item links one directory per item (training channels), then --unpack-items unpacks through the links', () => {
    const channels = path.join(dir, 'data');
    tarball(path.join(channels, 'models-small'), 'small.joblib', 's');
    tarball(path.join(channels, 'models-large'), 'large.joblib', 'l');
    const target = path.join(dir, 'collected', 'models');
    const code = writeCode({ 'ls.py': tree });
    const r = launch(['--code', code, '--entry', 'ls.py',
      '--collect-item', `models/small=${channels}/models-small`, '--collect-item', `models/large=${channels}/models-large`,
      '--unpack-items', 'models'], { MLOPS_INPUT_MODELS: target });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe("[('large', ['large.joblib']), ('small', ['small.joblib'])]");
    expect(fs.readlinkSync(path.join(target, 'small'))).toBe(`${channels}/models-small`);
  });

  test('a malformed --collect-item, or one for an input whose variable is not set, is a contract error', () => {
    const code = writeCode({ 'ls.py': 'pass\n' });
    const bad = launch(['--code', code, '--entry', 'ls.py', '--collect-item', 'models/../x=/tmp/y'], { MLOPS_INPUT_MODELS: path.join(dir, 'c') });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("--collect-item 'models/../x=/tmp/y' is not INPUT/ITEM=PATH");
    const unset = launch(['--code', code, '--entry', 'ls.py', '--collect-item', 'models/a=/tmp/y']);
    expect(unset.status).toBe(1);
    expect(unset.stderr).toContain('--collect-item models/a=/tmp/y: MLOPS_INPUT_MODELS is not set');
  });
});
