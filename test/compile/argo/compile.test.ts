import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { irisPipeline } from '../../../examples/iris/pipeline';
import { CachePolicy, Code, Condition, Parameter, Pipeline, RateUnit, RetryPolicy, Schedule, Step, Value } from '../../../lib';
import { ArgoCompileOptions, ArgoDocuments, ArgoVersion, compileArgo } from '../../../lib/compile/argo';
import { packageCode } from '../../../lib/runtime';
import { FEATURES, FIXTURE_CODE } from '../../conformance/features';
import { podSecurityProblems, resourceProblems, validateManifests } from '../../support/k8s';
import { taskTemplate } from './resolve';

const code = FIXTURE_CODE;
const entry = 'noop.py';
const IMAGE = 'quay.io/jupyter/scipy-notebook:2025-03-14';

function compile(pipeline: Pipeline, options: Partial<ArgoCompileOptions> = {}): ArgoDocuments {
  return compileArgo(pipeline, { defaultImage: IMAGE, codeConfigMapName: () => 'code-cm', ...options });
}

type Json = { [key: string]: any };

function template(docs: ArgoDocuments, name: string): Json {
  const found = docs.workflowTemplate.spec.templates.find((t: Json) => t.name === name);
  if (!found) {
    throw new Error(`no template ${name}`);
  }
  return found;
}

function task(docs: ArgoDocuments, name: string): Json {
  const found = template(docs, 'mlops-dag').dag.tasks.find((t: Json) => t.name === name);
  if (!found) {
    throw new Error(`no task ${name}`);
  }
  return found;
}

/** The launcher's `--env` pairs of a container template. */
function launcherEnv(t: Json): { [name: string]: string } {
  const args: string[] = t.container.args;
  const env: { [name: string]: string } = {};
  args.forEach((a, i) => {
    if (a === '--env') {
      const [name, ...value] = args[i + 1].split('=');
      env[name] = value.join('=');
    }
  });
  return env;
}

function single(step: Step, options: Partial<ArgoCompileOptions> = {}, props: ConstructorParameters<typeof Pipeline>[1] = {}): ArgoDocuments {
  const p = new Pipeline('single', props);
  p.addStep(step);
  return compile(p, options);
}

function problemsOf(build: () => unknown): string[] {
  try {
    build();
  } catch (e) {
    return (e as { problems?: string[] }).problems ?? [(e as Error).message];
  }
  throw new Error('expected a synth-time error');
}

describe('Iris on Argo Workflows', () => {
  const docs = compile(irisPipeline(), { schedule: Schedule.daily(), serviceAccountName: 'iris-pipeline', namespace: 'ml' });

  test('snapshot of the WorkflowTemplate and CronWorkflow', () => {
    expect(YAML.stringify([docs.workflowTemplate, docs.cronWorkflow])).toMatchSnapshot();
  });

  test('validates against the Argo v4.1.2 CRDs and JSON Schema (and, compiled for v3.7, v3.7.18), unknown fields rejected', () => {
    expect(validateManifests([docs.workflowTemplate, docs.cronWorkflow!], { argo: 'v4.1.2' })).toEqual([]);
    const v37 = compile(irisPipeline(), { schedule: Schedule.daily(), serviceAccountName: 'iris-pipeline', namespace: 'ml', argoVersion: ArgoVersion.V3_7 });
    expect(validateManifests([v37.workflowTemplate, v37.cronWorkflow!], { argo: 'v3.7.18' })).toEqual([]);
  });

  test("every step pod passes Pod Security 'restricted' and has requests and limits", () => {
    expect(podSecurityProblems(docs.workflowTemplate)).toEqual([]);
    expect(resourceProblems(docs.workflowTemplate)).toEqual([]);
  });

  test('one DAG: a task per step, conditions as when on the branch tasks', () => {
    const dag = template(docs, 'mlops-dag');
    expect(docs.workflowTemplate.spec.entrypoint).toBe('mlops-dag');
    expect(dag.dag.tasks.map((t: Json) => [t.name, t.dependencies ?? []])).toEqual([
      ['extract', []],
      ['clean', ['extract']],
      ['train', ['clean']],
      ['evaluate', ['clean', 'train']],
      ['register', ['train', 'evaluate']],
      ['too-inaccurate', ['evaluate']],
    ]);
    const gate = "(asFloat(tasks['evaluate'].outputs.parameters['accuracy']) >= asFloat(workflow.parameters['minAccuracy']))";
    expect(task(docs, 'register').when).toBe(`{{=${gate}}}`);
    expect(task(docs, 'too-inaccurate').when).toBe(`{{=!${gate}}}`);
  });

  test('artifacts flow through the artifact repository; metrics are output parameters', () => {
    expect(task(docs, 'evaluate').arguments.artifacts).toEqual([
      { name: 'model', from: '{{tasks.train.outputs.artifacts.model}}' },
      { name: 'test', from: '{{tasks.clean.outputs.artifacts.test}}' },
    ]);
    const evaluate = taskTemplate(docs, 'evaluate');
    expect(evaluate.inputs.artifacts).toEqual([{ name: 'model', path: '/mlops/inputs/model' }, { name: 'test', path: '/mlops/inputs/test' }]);
    expect(evaluate.outputs.parameters).toEqual([
      { name: 'accuracy', valueFrom: { path: '/mlops/work/metric-values/accuracy' } },
      { name: 'f1Macro', valueFrom: { path: '/mlops/work/metric-values/f1Macro' } },
    ]);
    expect(evaluate.container.args).toEqual(expect.arrayContaining(['--metric', 'accuracy', '--metric-file', 'accuracy=/mlops/work/metric-values/accuracy']));
    expect(launcherEnv(evaluate)).toEqual({
      MLOPS_ENGINE: 'argo',
      MLOPS_PIPELINE: 'iris',
      MLOPS_STEP: 'evaluate',
      MLOPS_RUN_ID: '{{workflow.name}}',
      MLOPS_INPUT_MODEL: '/mlops/inputs/model',
      MLOPS_INPUT_TEST: '/mlops/inputs/test',
      MLOPS_OUTPUT_REPORT: '/mlops/work/outputs/report',
      MLOPS_METRICS_FILE: '/mlops/work/metrics/metrics.json',
    });
    expect(template(docs, 'train').outputs.artifacts).toEqual([{ name: 'model', path: '/mlops/work/model' }]);
    expect(launcherEnv(template(docs, 'train')).MLOPS_MODEL_DIR).toBe('/mlops/work/model');
  });

  test('steps run the code archive from the ConfigMap with the launcher, on a read-only root with writable /tmp', () => {
    const train = template(docs, 'train');
    expect(train.container.command).toEqual(['python3', '/mlops/code/code.zip']);
    expect(train.container.args.slice(0, 2)).toEqual(['--entry', 'train.py']);
    expect(train.container.volumeMounts).toEqual([
      { name: expect.stringMatching(/^mlops-code-[0-9a-f]{10}$/), mountPath: '/mlops/code', readOnly: true },
      { name: 'mlops-work', mountPath: '/mlops/work' },
      { name: 'mlops-tmp', mountPath: '/tmp' },
    ]);
    expect(docs.workflowTemplate.spec.volumes).toEqual([
      { name: train.container.volumeMounts[0].name, configMap: { name: 'code-cm' } },
      { name: 'mlops-work', emptyDir: {} },
      { name: 'mlops-tmp', emptyDir: {} },
    ]);
    expect(docs.codeConfigMaps).toEqual(['code-cm']);
  });

  test('the pipeline parameters are workflow arguments, passed to steps as template inputs', () => {
    expect(docs.workflowTemplate.spec.arguments.parameters).toEqual([
      { name: 'minAccuracy', value: '0.9', description: 'Lowest test accuracy that gets the model registered' },
      { name: 'nEstimators', value: '100', description: 'Trees in the random forest' },
    ]);
    expect(task(docs, 'train').arguments.parameters).toEqual([
      { name: 'mlops-step', value: 'train' },
      { name: 'mlops-memo', value: expect.stringMatching(/^[0-9a-f]{32}$/) },
      { name: 'nEstimators', value: '{{workflow.parameters.nEstimators}}' },
    ]);
    expect(template(docs, 'train').inputs.parameters).toEqual([{ name: 'mlops-step' }, { name: 'mlops-memo' }, { name: 'nEstimators' }]);
    expect(launcherEnv(template(docs, 'train')).MLOPS_PARAM_NESTIMATORS).toBe('{{inputs.parameters.nEstimators}}');
  });

  test('per-pipeline service account, namespace and labels', () => {
    expect(docs.workflowTemplate.spec.serviceAccountName).toBe('iris-pipeline');
    expect(docs.workflowTemplate.metadata).toMatchObject({ name: 'iris', namespace: 'ml', labels: { 'mlops.cdk.io/pipeline': 'iris' } });
    expect(docs.workflowTemplate.spec.podMetadata.labels['mlops.cdk.io/pipeline']).toBe('iris');
    expect(taskTemplate(docs, 'train').metadata.labels).toEqual({ 'mlops.cdk.io/step': 'train' });
  });

  test('the schedule is a CronWorkflow with schedules (plural) referencing the template', () => {
    const cron = docs.cronWorkflow!;
    expect(cron.spec.schedules).toEqual(['0 0 * * *']);
    expect(cron.spec).not.toHaveProperty('schedule');
    expect(cron.spec.timezone).toBe('UTC');
    expect(cron.spec.workflowSpec.workflowTemplateRef).toEqual({ name: 'iris' });
    expect(cron.spec.workflowSpec.arguments.parameters).toEqual([{ name: 'minAccuracy', value: '0.9' }, { name: 'nEstimators', value: '100' }]);
  });

  test('register-model writes the model, its metadata and its serving code as a new version under models/<group>/', () => {
    const register = template(docs, 'register');
    const version = '{{workflow.creationTimestamp.Y}}{{workflow.creationTimestamp.m}}{{workflow.creationTimestamp.d}}-{{workflow.creationTimestamp.H}}{{workflow.creationTimestamp.M}}{{workflow.creationTimestamp.S}}-{{workflow.name}}';
    expect(register.outputs.artifacts).toEqual([
      { name: 'model', path: '/mlops/work/registry/model', archive: { none: {} }, s3: { key: `models/iris-classifier/${version}/model` } },
      { name: 'metadata', path: '/mlops/work/registry/metadata.json', archive: { none: {} }, s3: { key: `models/iris-classifier/${version}/metadata.json` } },
      { name: 'code', path: '/mlops/work/registry/code.zip', archive: { none: {} }, s3: { key: `models/iris-classifier/${version}/code.zip` } },
    ]);
    expect(register.container.env).toEqual(expect.arrayContaining([{ name: 'MLOPS_INFERENCE', value: '{"entry":"inference.py","env":{}}' }]));
    expect(register.container.env).toEqual(expect.arrayContaining([{ name: 'MLOPS_MODEL_APPROVAL', value: 'Approved' }, { name: 'MLOPS_MODEL_SOURCE_STEP', value: 'train' }]));
  });

  test('the fail step prints its message and exits 1', () => {
    const fail = taskTemplate(docs, 'too-inaccurate');
    expect(fail.container.command).toEqual(['sh', '-c', 'echo "$MLOPS_FAIL_MESSAGE" >&2; exit 1']);
    expect(fail.container.env).toEqual([{ name: 'MLOPS_FAIL_MESSAGE', value: "[mlops] step 'too-inaccurate' failed the run: Test accuracy is below minAccuracy; the model was not registered" }]);
  });
});

describe('step scripts run as Argo would run them', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argo-run-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a container step: the launcher command line writes outputs and one file per metric where the template reads them', () => {
    const p = new Pipeline('contract', { parameters: { n: Parameter.integer(7) } });
    p.addStep(Step.script('score', { code, entry, outputs: ['out'], metrics: ['score'], stringMetrics: ['label'], params: { n: p.parameter('n') }, arguments: ['--flag'] }));
    const t = taskTemplate(compile(p), 'score');
    // What the pod would see: the ConfigMap's code.zip, Argo's substitutions, /mlops under a temp dir.
    const zip = path.join(dir, 'code', 'code.zip');
    fs.mkdirSync(path.dirname(zip));
    fs.writeFileSync(zip, packageCode(code));
    const local = (text: string) => text.split('/mlops/').join(`${dir}/mlops/`).replace('{{workflow.name}}', 'contract-abcde').replace('{{inputs.parameters.n}}', '7');
    expect(t.container.command).toEqual(['python3', '/mlops/code/code.zip']);
    const run = require('child_process').spawnSync('python3', [zip, ...t.container.args.map(local)], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const read = (p2: string) => fs.readFileSync(local(p2), 'utf8');
    expect(t.outputs.parameters.map((o: Json) => [o.name, read(o.valueFrom.path)])).toEqual([['score', '0.95'], ['label', 'good']]);
    expect(read(`${t.outputs.artifacts[0].path}/done.txt`)).toBe('score\n');
  });

  test('the register script writes the model and metadata where the output artifacts point', () => {
    const docs = compile(irisPipeline());
    const register = template(docs, 'register');
    const registry = path.join(dir, 'registry');
    const model = path.join(dir, 'model');
    fs.mkdirSync(model);
    fs.writeFileSync(path.join(model, 'model.joblib'), 'weights');
    const env: { [name: string]: string } = Object.fromEntries(register.container.env.map((e: Json) => [e.name, e.value]));
    env.MLOPS_INPUT_MODEL = model;
    env.MLOPS_MODEL_VERSION = '20250101-120000-iris-abcde';
    expect(env.MLOPS_INFERENCE_ARCHIVE).toBe('/mlops/code/code.zip');
    expect(register.container.volumeMounts[0]).toEqual({ name: expect.stringMatching(/^mlops-code-/), mountPath: '/mlops/code', readOnly: true });
    env.MLOPS_INFERENCE_ARCHIVE = path.join(dir, 'code.zip');
    fs.writeFileSync(env.MLOPS_INFERENCE_ARCHIVE, 'archive');
    const script = (register.container.command[2] as string).replace('/mlops/work/registry', registry);
    const run = require('child_process').spawnSync('python3', ['-c', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(fs.readFileSync(path.join(registry, 'model', 'model.joblib'), 'utf8')).toBe('weights');
    expect(fs.readFileSync(path.join(registry, 'version'), 'utf8')).toBe('20250101-120000-iris-abcde');
    const meta = JSON.parse(fs.readFileSync(path.join(registry, 'metadata.json'), 'utf8'));
    expect(meta).toMatchObject({ group: 'iris-classifier', version: '20250101-120000-iris-abcde', approval: 'Approved', pipeline: 'iris', sourceStep: 'train', contentTypes: ['text/csv'], inferenceImage: null, inference: { entry: 'inference.py', env: {}, archive: 'code.zip' } });
    expect(fs.readFileSync(path.join(registry, 'code.zip'), 'utf8')).toBe('archive');
  });

  test('the fail command prints the message to stderr and exits 1', () => {
    const fail = template(compile(irisPipeline()), 'too-inaccurate');
    const run = require('child_process').spawnSync(fail.container.command[0], fail.container.command.slice(1), { env: { MLOPS_FAIL_MESSAGE: fail.container.env[0].value }, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Test accuracy is below minAccuracy');
  });
});

test('determinism: the same model compiles to byte-identical objects', () => {
  const a = JSON.stringify(compile(irisPipeline(), { schedule: Schedule.daily() }));
  const b = JSON.stringify(compile(irisPipeline(), { schedule: Schedule.daily() }));
  expect(a).toBe(b);
});

/**
 * The `when` expressions are expr-lang; for the subset we emit (asFloat, ==, !=, <, <=, >, >=,
 * &&, ||, !, quoted strings with \u escapes) JavaScript has the same meaning, so they can be
 * evaluated here against metric values to check what the branches do.
 */
function evaluateWhen(when: string, metrics: { [task: string]: { [metric: string]: string } }, parameters: { [name: string]: string } = {}): boolean {
  const body = when.replace(/^\{\{=/, '').replace(/\}\}$/, '');
  const run = new Function('tasks', 'workflow', 'asFloat', `return (${body});`);
  const tasks = Object.fromEntries(Object.entries(metrics).map(([t, m]) => [t, { outputs: { parameters: m } }]));
  return run(tasks, { parameters }, (s: string) => {
    const n = Number(s);
    if (s.trim() === '' || Number.isNaN(n)) {
      throw new Error(`asFloat: ${s}`);
    }
    return n;
  });
}

describe('conditions', () => {
  test('and / or / not / isIn / != over numeric and string metrics', () => {
    const p = FEATURES.find((f) => f.id === 'condition-logic')!.build();
    const when = task(compile(p), 'ship').when;
    expect(when).toBe("{{=(((asFloat(tasks['evaluate'].outputs.parameters['score']) > 0.5) || (!(asFloat(tasks['evaluate'].outputs.parameters['score']) < 0.1))) && ((tasks['evaluate'].outputs.parameters['label'] == 'good' || tasks['evaluate'].outputs.parameters['label'] == 'great')) && (tasks['evaluate'].outputs.parameters['label'] != 'bad'))}}");
    const at = (score: string, label: string) => evaluateWhen(when, { evaluate: { score, label } });
    expect(at('0.9', 'good')).toBe(true);
    expect(at('1e-05', 'great')).toBe(false); // exponent notation, as json.dumps writes small floats
    expect(at('5e-01', 'great')).toBe(true);
    expect(at('0.05', 'good')).toBe(false);
    expect(at('0.9', 'bad')).toBe(false);
    expect(at('0.3', 'good')).toBe(true);
    expect(task(compile(p), 'ship').dependencies).toEqual(['evaluate']);
  });

  test('nested conditions are conjunctions of the enclosing branches', () => {
    const p = new Pipeline('nested');
    const e = Step.script('evaluate', { code, entry, metrics: ['score'] });
    p.addStep(e, Step.condition('outer', {
      when: Condition.gt(e.metric('score'), Value.number(0.5)),
      then: [Step.condition('inner', {
        when: Condition.gt(e.metric('score'), Value.number(0.9)),
        then: [Step.script('excellent', { code, entry })],
        otherwise: [Step.script('good', { code, entry })],
      })],
      otherwise: [Step.script('poor', { code, entry })],
    }));
    const docs = compile(p);
    const branch = (score: string) => ['excellent', 'good', 'poor'].filter((t) => evaluateWhen(task(docs, t).when, { evaluate: { score } }));
    expect(branch('0.95')).toEqual(['excellent']);
    expect(branch('0.7')).toEqual(['good']);
    expect(branch('0.2')).toEqual(['poor']);
    expect(task(docs, 'good').when).toBe("{{=(asFloat(tasks['evaluate'].outputs.parameters['score']) > 0.5) && !(asFloat(tasks['evaluate'].outputs.parameters['score']) > 0.9)}}");
  });

  test('strings are quoted for expr, with quotes, backslashes and braces escaped', () => {
    const p = new Pipeline('quoting', { parameters: { mode: Parameter.string("it's {{x}}") } });
    const e = Step.script('evaluate', { code, entry, stringMetrics: ['label'] });
    p.addStep(e, Step.condition('gate', {
      when: Condition.eq(e.metric('label'), Value.string("o'k \\ }}")),
      then: [Step.script('ship', { code, entry })],
    }));
    const problems = problemsOf(() => compile(p));
    expect(problems).toEqual([expect.stringContaining("parameter 'mode': default \"it's {{x}}\" contains '{{', which Argo Workflows reads as a template variable")]);
    const ok = new Pipeline('quoting');
    const e2 = Step.script('evaluate', { code, entry, stringMetrics: ['label'] });
    ok.addStep(e2, Step.condition('gate', { when: Condition.eq(e2.metric('label'), Value.string("o'k \\ }}")), then: [Step.script('ship', { code, entry })] }));
    const when = task(compile(ok), 'ship').when as string;
    expect(when).toBe("{{=(tasks['evaluate'].outputs.parameters['label'] == 'o\\'k \\\\ \\u007d\\u007d')}}");
    expect(when.slice(3, -2)).not.toContain('}}');
    expect(evaluateWhen(when, { evaluate: { label: "o'k \\ }}" } })).toBe(true);
    expect(evaluateWhen(when, { evaluate: { label: 'ok' } })).toBe(false);
  });

  test('integer and boolean parameters: numbers through asFloat, booleans as the text true', () => {
    const p = new Pipeline('typed', { parameters: { epochs: Parameter.integer(3), verbose: Parameter.boolean(false) } });
    const e = Step.script('evaluate', { code, entry, metrics: ['n'] });
    p.addStep(e, Step.condition('gate', {
      when: Condition.and(Condition.eq(e.metric('n'), p.parameter('epochs')), Condition.eq(p.parameter('verbose'), Value.boolean(true)), Condition.lt(e.metric('n'), Value.integer(-2))),
      then: [Step.script('ship', { code, entry })],
    }));
    const when = task(compile(p), 'ship').when;
    expect(when).toContain("(workflow.parameters['verbose'] == 'true') == true");
    expect(when).toContain('< (-2.0)');
    expect(evaluateWhen(when, { evaluate: { n: '-3' } }, { epochs: '-3', verbose: 'true' })).toBe(true);
    expect(evaluateWhen(when, { evaluate: { n: '-3' } }, { epochs: '-3', verbose: 'false' })).toBe(false);
    expect(evaluateWhen(when, { evaluate: { n: '3' } }, { epochs: '3', verbose: 'true' })).toBe(false);
  });

  test('a step that waits for a condition waits for everything in its branches', () => {
    const p = new Pipeline('after-gate');
    const e = Step.script('evaluate', { code, entry, metrics: ['score'] });
    const gate = Step.condition('gate', {
      when: Condition.gt(e.metric('score'), Value.number(0.5)),
      then: [Step.script('ship', { code, entry })],
      otherwise: [Step.script('retrain', { code, entry })],
    });
    p.addStep(e, gate, Step.script('report', { code, entry, dependsOn: [gate] }));
    const docs = compile(p);
    expect(task(docs, 'report').dependencies).toEqual(['evaluate', 'ship', 'retrain']);
    expect(task(docs, 'report').when).toBeUndefined();
  });
});

test('static fan-out: withItems with the item passed as MLOPS_ITEM, joined by dependsOn', () => {
  const p = new Pipeline('fan-out');
  const each = Step.script('each', { code, entry, forEach: ['a', 'b', 'c'] });
  p.addStep(each, Step.script('after', { code, entry, dependsOn: [each] }));
  const docs = compile(p);
  expect(task(docs, 'each')).toMatchObject({ withItems: ['a', 'b', 'c'], arguments: { parameters: [{ name: 'mlops-step', value: 'each' }, { name: 'mlops-item', value: '{{item}}' }] } });
  expect(template(docs, 'each').inputs.parameters).toEqual([{ name: 'mlops-step' }, { name: 'mlops-item' }]);
  expect(launcherEnv(template(docs, 'each')).MLOPS_ITEM).toBe('{{inputs.parameters.mlops-item}}');
  expect(task(docs, 'after').dependencies).toEqual(['each']);
  expect(validateManifests([docs.workflowTemplate])).toEqual([]);
});

test('typed parameters: defaults as text, allowed values as enum, literals inline', () => {
  const p = new Pipeline('parameters', {
    parameters: {
      region: Parameter.string('eu', { allowedValues: ['eu', 'us'] }),
      epochs: Parameter.integer(3),
      rate: Parameter.number(0.1),
      verbose: Parameter.boolean(false),
      required: Parameter.string(),
    },
  });
  p.addStep(Step.script('use', { code, entry, params: { region: p.parameter('region'), n: p.parameter('epochs'), fixed: Value.string('literal'), flag: Value.boolean(true) } }));
  const docs = compile(p);
  expect(docs.workflowTemplate.spec.arguments.parameters).toEqual([
    { name: 'region', value: 'eu', enum: ['eu', 'us'] },
    { name: 'epochs', value: '3' },
    { name: 'rate', value: '0.1' },
    { name: 'verbose', value: 'false' },
    { name: 'required' },
  ]);
  expect(task(docs, 'use').arguments.parameters).toEqual([{ name: 'mlops-step', value: 'use' }, { name: 'region', value: '{{workflow.parameters.region}}' }, { name: 'n', value: '{{workflow.parameters.epochs}}' }]);
  expect(launcherEnv(template(docs, 'use'))).toMatchObject({ MLOPS_PARAM_REGION: '{{inputs.parameters.region}}', MLOPS_PARAM_N: '{{inputs.parameters.n}}', MLOPS_PARAM_FIXED: 'literal', MLOPS_PARAM_FLAG: 'true' });
});

test('env and arguments: user env on the container, arguments after -- for the script', () => {
  const docs = single(Step.script('configured', { code, entry, env: { LOG_LEVEL: 'debug' }, arguments: ['--mode', 'full'] }));
  const t = template(docs, 'configured');
  expect(t.container.env).toEqual([{ name: 'LOG_LEVEL', value: 'debug' }]);
  expect(t.container.args.slice(-3)).toEqual(['--', '--mode', 'full']);
});

describe('retries', () => {
  test('retryStrategy with limit = maxRetries, policy Always (retries a non-zero exit), backoff duration and factor', () => {
    const docs = single(Step.script('flaky', { code, entry, retry: RetryPolicy.of({ maxRetries: 3, intervalSeconds: 5, backoffRate: 2 }) }));
    expect(template(docs, 'flaky').retryStrategy).toEqual({ limit: 3, retryPolicy: 'Always', backoff: { duration: '5s', factor: 2 } });
  });

  test('no retryStrategy for maxRetries 0', () => {
    expect(template(single(Step.script('once', { code, entry, retry: RetryPolicy.none() })), 'once').retryStrategy).toBeUndefined();
  });

  test('a fractional backoffRate cannot be expressed (Argo factor is a whole number)', () => {
    expect(problemsOf(() => single(Step.script('flaky', { code, entry, retry: RetryPolicy.of({ maxRetries: 2, backoffRate: 1.5 }) })))).toEqual([
      "step 'flaky': retry backoffRate 1.5 cannot be expressed on Argo Workflows, whose retryStrategy.backoff.factor is a whole number; use a whole backoffRate such as 1, 2 or 3",
    ]);
  });
});

describe('caching with memoize', () => {
  const CACHE_KEY = /^[a-zA-Z0-9][-a-zA-Z0-9]*$/;

  test('memoize with a key from the definition, maxAge from the expiry, and the pipeline cache ConfigMap', () => {
    const docs = single(Step.script('cached', { code, entry, cache: CachePolicy.enabled({ expireAfterHours: 24 }) }));
    const memoize = taskTemplate(docs, 'cached').memoize;
    expect(memoize.maxAge).toBe('24h');
    expect(memoize.cache).toEqual({ configMap: { name: 'single-memo' } });
    expect(memoize.key).toMatch(CACHE_KEY);
    expect(docs.memoizeCache).toBe('single-memo');
    expect(validateManifests([docs.workflowTemplate], { argo: 'v4.1.2' })).toEqual([]);
  });

  test('v3.7 needs a key in the cache ConfigMap selector and v4 refuses one: ArgoVersion picks', () => {
    const step = () => Step.script('cached', { code, entry, cache: CachePolicy.enabled() });
    const v4 = single(step()).workflowTemplate;
    const v37 = single(step(), { argoVersion: ArgoVersion.V3_7 }).workflowTemplate;
    expect(template({ workflowTemplate: v37 } as ArgoDocuments, 'cached').memoize.cache).toEqual({ configMap: { name: 'single-memo', key: 'entries' } });
    expect(validateManifests([v37], { argo: 'v3.7.18' })).toEqual([]);
    expect(validateManifests([v4], { argo: 'v3.7.18' })).toEqual(expect.arrayContaining([expect.stringContaining("memoize/cache/configMap must have required property 'key'")]));
    expect(validateManifests([v37], { argo: 'v4.1.2' })).toEqual(expect.arrayContaining([expect.stringContaining("memoize/cache/configMap must NOT have additional properties 'key'")]));
  });

  test('no expiry is an empty maxAge; fractional hours become seconds', () => {
    expect(template(single(Step.script('c', { code, entry, cache: CachePolicy.enabled() })), 'c').memoize.maxAge).toBe('');
    expect(template(single(Step.script('c', { code, entry, cache: CachePolicy.enabled({ expireAfterHours: 1.5 }) })), 'c').memoize.maxAge).toBe('5400s');
  });

  test('the key hashes the parameters read (here and upstream) and the item at run time, and is valid once substituted', () => {
    const p = new Pipeline('keys', { parameters: { a: Parameter.string('x'), b: Parameter.integer(1) } });
    const first = Step.script('first', { code, entry, outputs: ['out'], params: { a: p.parameter('a') }, cache: CachePolicy.enabled() });
    const second = Step.script('second', { code, entry, inputs: { x: first.output('out') }, params: { b: p.parameter('b') }, forEach: ['1', '2'], cache: CachePolicy.enabled() });
    p.addStep(first, second);
    const docs = compile(p);
    const key = taskTemplate(docs, 'second').memoize.key as string;
    expect(key).toMatch(/^[0-9a-f]{32}-\{\{=sprig\.sha256sum\(toJson\(\[workflow\.parameters\['a'\], workflow\.parameters\['b'\], inputs\.parameters\['mlops-item'\]\]\)\)\}\}$/);
    expect(key.replace(/\{\{=.*\}\}/, 'f'.repeat(64))).toMatch(CACHE_KEY);
    expect(taskTemplate(docs, 'first').memoize.key).toMatch(/^[0-9a-f]{32}-\{\{=sprig\.sha256sum\(toJson\(\[workflow\.parameters\['a'\]\]\)\)\}\}$/);
  });

  test('reading from a step that is not cached scopes the cache to the run (its data is new every run)', () => {
    const p = new Pipeline('scoped');
    const fresh = Step.script('fresh', { code, entry, outputs: ['out'] });
    p.addStep(fresh, Step.script('cached', { code, entry, inputs: { x: fresh.output('out') }, cache: CachePolicy.enabled() }));
    expect(taskTemplate(compile(p), 'cached').memoize.key).toMatch(/toJson\(\[workflow\.uid\]\)/);
  });

  test('the key changes with the code, the definition and the image, and not otherwise', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argo-cache-'));
    try {
      fs.writeFileSync(path.join(dir, 'step.py'), 'print(1)\n');
      const key = (args: string[] = [], image = IMAGE) => {
        const docs = single(Step.script('c', { code: Code.fromDirectory(dir), entry: 'step.py', arguments: args, image, cache: CachePolicy.enabled() }));
        return taskTemplate(docs, 'c').memoize.key;
      };
      const before = key();
      expect(key()).toBe(before);
      expect(key(['--x'])).not.toBe(before);
      expect(key([], 'python:3.12')).not.toBe(before);
      fs.writeFileSync(path.join(dir, 'step.py'), 'print(2)\n');
      expect(key()).not.toBe(before);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('resources and GPUs', () => {
  test('requests equal limits; fractions in millicores and MiB; disk as ephemeral-storage', () => {
    const docs = single(Step.script('sized', { code, entry, resources: { cpu: 0.25, memoryGiB: 1.5, diskGiB: 20 } }));
    expect(template(docs, 'sized').container.resources).toEqual({
      requests: { 'cpu': '250m', 'memory': '1536Mi', 'ephemeral-storage': '20Gi' },
      limits: { 'cpu': '250m', 'memory': '1536Mi', 'ephemeral-storage': '20Gi' },
    });
  });

  test('steps without resources get the engine default, then the built-in 0.5 CPU / 1 GiB', () => {
    expect(template(single(Step.script('bare', { code, entry })), 'bare').container.resources.limits).toEqual({ cpu: '500m', memory: '1Gi' });
    expect(template(single(Step.script('bare', { code, entry }), { defaultResources: { cpu: 2 } }), 'bare').container.resources.limits).toEqual({ cpu: '2', memory: '1Gi' });
    expect(template(single(Step.script('bare', { code, entry }), { defaultResources: { cpu: 2 } }, { defaultResources: { cpu: 4 } }), 'bare').container.resources.limits.cpu).toBe('4');
  });

  test('GPUs are limits of the configured resource, with node selector and tolerations', () => {
    const gpu = {
      resourceName: 'amd.com/gpu',
      nodeSelector: { 'node.kubernetes.io/instance-type': 'g5.xlarge' },
      tolerations: [{ key: 'amd.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      requireNodeSelection: true,
    };
    const docs = single(Step.training('fit', { code, entry, resources: { cpu: 4, memoryGiB: 16, gpu: 1 } }), { gpu });
    const fit = template(docs, 'fit');
    expect(fit.container.resources.limits).toEqual({ 'cpu': '4', 'memory': '16Gi', 'amd.com/gpu': '1' });
    expect(fit.container.resources.requests).toEqual({ cpu: '4', memory: '16Gi' });
    expect(fit.nodeSelector).toEqual(gpu.nodeSelector);
    expect(fit.tolerations).toEqual(gpu.tolerations);
    expect(validateManifests([docs.workflowTemplate])).toEqual([]);
    expect(template(single(Step.training('fit', { code, entry, resources: { gpu: 1 } })), 'fit').container.resources.limits['nvidia.com/gpu']).toBe('1');
  });

  test('CPU steps get no GPU placement', () => {
    const docs = single(Step.script('cpu', { code, entry }), { gpu: { nodeSelector: { gpu: 'true' } } });
    expect(template(docs, 'cpu').nodeSelector).toBeUndefined();
  });

  test('a GPU request without GPU node selection, where the engine requires it, is an error', () => {
    expect(problemsOf(() => single(Step.training('fit', { code, entry, resources: { gpu: 2 } }), { gpu: { requireNodeSelection: true } }))).toEqual([
      "step 'fit': requests 2 GPUs, and the Argo Workflows options require GPU node selection (gpu.requireNodeSelection) but set no gpu.nodeSelector; set gpu.nodeSelector to the labels of your GPU nodes, e.g. { 'nvidia.com/gpu.present': 'true' }",
    ]);
  });
});

test('timeoutSeconds becomes activeDeadlineSeconds', () => {
  expect(template(single(Step.script('bounded', { code, entry, timeoutSeconds: 600 })), 'bounded').activeDeadlineSeconds).toBe(600);
});

describe('schedules', () => {
  const cron = (schedule: Schedule) => single(Step.script('s', { code, entry }), { schedule }).cronWorkflow!.spec.schedules[0];

  test('cron expressions pass through; time zone and parameters go along', () => {
    const p = new Pipeline('scheduled', { parameters: { n: Parameter.integer() } });
    p.addStep(Step.script('s', { code, entry }));
    const docs = compile(p, { schedule: Schedule.cron('30 2 * * MON-FRI', { timeZone: 'Europe/Berlin', parameters: { n: '5' } }) });
    expect(docs.cronWorkflow!.spec).toMatchObject({ schedules: ['30 2 * * MON-FRI'], timezone: 'Europe/Berlin', workflowSpec: { arguments: { parameters: [{ name: 'n', value: '5' }] } } });
    expect(validateManifests([docs.cronWorkflow!])).toEqual([]);
  });

  test('rates: aligned cron where the unit divides evenly, else @every', () => {
    expect(cron(Schedule.rate(15, RateUnit.MINUTES))).toBe('*/15 * * * *');
    expect(cron(Schedule.rate(7, RateUnit.MINUTES))).toBe('@every 7m');
    expect(cron(Schedule.rate(6, RateUnit.HOURS))).toBe('0 */6 * * *');
    expect(cron(Schedule.rate(5, RateUnit.HOURS))).toBe('@every 5h');
    expect(cron(Schedule.rate(1, RateUnit.DAYS))).toBe('0 0 * * *');
    expect(cron(Schedule.rate(2, RateUnit.DAYS))).toBe('@every 48h');
  });

  test('day-of-week 7 (Sunday in standard cron) is rewritten for robfig/cron, which knows 0-6 only', () => {
    expect(cron(Schedule.cron('0 0 * * 7'))).toBe('0 0 * * 0');
    expect(cron(Schedule.cron('0 0 * * 5-7'))).toBe('0 0 * * 0,5,6');
    expect(cron(Schedule.cron('0 0 * * 1,7'))).toBe('0 0 * * 0,1');
    expect(cron(Schedule.cron('0 0 * * 1-5'))).toBe('0 0 * * 1-5');
  });

  test("valid cron that Argo's parser cannot express is an error", () => {
    expect(problemsOf(() => single(Step.script('s', { code, entry }), { schedule: Schedule.cron('0 0 L * *') }))).toEqual([
      "schedule cron(0 0 L * *) uses 'L' (last day), which Argo Workflows' cron parser (robfig/cron) does not support; write it with plain fields, lists and ranges, e.g. '0 3 28-31 * *' plus a check in the first step",
    ]);
    expect(problemsOf(() => single(Step.script('s', { code, entry }), { schedule: Schedule.cron('0 0 * * 1#2') }))[0]).toContain("'#' (nth weekday of the month)");
    expect(cron(Schedule.cron('0 0 * JUL THU'))).toBe('0 0 * JUL THU');
  });

  test('a schedule that does not parse throws where it is written', () => {
    expect(() => Schedule.cron('every day')).toThrow(/has 2 fields, standard cron has 5/);
    expect(() => Schedule.cron('61 * * * *')).toThrow(/does not parse/);
  });

  test('a schedule without a value for a required parameter is an error', () => {
    const p = new Pipeline('needs', { parameters: { n: Parameter.integer() } });
    p.addStep(Step.script('s', { code, entry }));
    expect(problemsOf(() => compile(p, { schedule: Schedule.daily() }))).toEqual([
      "schedule cron(0 0 * * *): parameter 'n' has no default and was not given; pass n=<integer>",
    ]);
  });
});

describe('names', () => {
  test('the pipeline name is lowercased; step names lowercased with _ as -', () => {
    const p = new Pipeline('Churn-Model');
    p.addStep(Step.script('Train_Model', { code, entry }));
    const docs = compile(p);
    expect(docs.workflowTemplate.metadata.name).toBe('churn-model');
    expect(template(docs, 'train-model')).toBeDefined();
  });

  test('a pipeline name longer than 52 characters is an error (the scheduled-run suffix must fit 63)', () => {
    const p = new Pipeline('p'.repeat(53));
    p.addStep(Step.script('s', { code, entry }));
    expect(problemsOf(() => compile(p))).toEqual([
      `object name '${'p'.repeat(53)}' (pipeline name '${'p'.repeat(53)}' lowercased) is invalid for Argo Workflows (rule: a DNS-1123 label of lowercase letters, digits and '-', at most 52 chars, so that the '-<10-digit time>' suffix of scheduled runs still fits the 63-char label limit); shorten or rename it, e.g. '${'p'.repeat(52)}'`,
    ]);
    const ok = new Pipeline('p'.repeat(52));
    ok.addStep(Step.script('s', { code, entry }));
    expect(compile(ok).workflowTemplate.metadata.name).toHaveLength(52);
  });

  test('an explicit object name is checked by the same rule', () => {
    expect(problemsOf(() => single(Step.script('s', { code, entry }), { name: 'Bad_Name' }))[0]).toContain("object name 'Bad_Name' (options.name) is invalid for Argo Workflows");
  });

  test('steps whose names collide, break the label rule, or take the reserved DAG name are errors naming step and rule', () => {
    const p = new Pipeline('names');
    p.addStep(
      Step.script('Train', { code, entry }),
      Step.script('train', { code, entry }),
      Step.script('_hidden', { code, entry }),
      Step.script('x'.repeat(64), { code, entry }),
      Step.script('mlops-dag', { code, entry }),
    );
    expect(problemsOf(() => compile(p))).toEqual([
      "step 'train': steps 'Train' and 'train' both become Argo template name 'train' (rule: lowercased, '_' as '-'); rename one of them",
      "step '_hidden': Argo template name '-hidden' (the step name lowercased, '_' as '-') is invalid for Argo Workflows (rule: a DNS-1123 label, at most 63 chars, starting and ending with a letter or digit); rename the step, e.g. 'hidden'",
      `step '${'x'.repeat(64)}': Argo template name '${'x'.repeat(64)}' (the step name lowercased, '_' as '-') is invalid for Argo Workflows (rule: a DNS-1123 label, at most 63 chars, starting and ending with a letter or digit); rename the step, e.g. '${'x'.repeat(63)}'`,
      "step 'mlops-dag': Argo template name 'mlops-dag' is reserved for the pipeline's DAG template on Argo Workflows; rename the step",
    ]);
  });
});

describe('images', () => {
  test('a .py step without an image, and no default, says the image needs python3', () => {
    const p = new Pipeline('no-image');
    p.addStep(Step.script('s', { code, entry }));
    expect(problemsOf(() => compileArgo(p, { codeConfigMapName: () => 'c' }))).toEqual([
      "step 's': has no container image, and Argo Workflows runs every step in one; give the step an image, or the engine a defaultImage, that has python3 for 'noop.py' and the step launcher plus the packages the script imports",
    ]);
  });

  test('a .sh step without an image says it needs sh (and python3 for the launcher)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argo-sh-'));
    try {
      fs.writeFileSync(path.join(dir, 'run.sh'), 'echo hi\n');
      const p = new Pipeline('no-image');
      p.addStep(Step.script('s', { code: Code.fromDirectory(dir), entry: 'run.sh' }));
      expect(problemsOf(() => compileArgo(p, { codeConfigMapName: () => 'c' }))[0]).toContain("that has sh for 'run.sh' and python3 for the step launcher");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('fail and register-model steps need a utility image', () => {
    const p = new Pipeline('utility');
    const t = Step.training('fit', { code, entry, image: IMAGE });
    p.addStep(t, Step.registerModel('register', { model: t.model(), group: 'g' }), Step.fail('stop', { message: 'no' }));
    expect(problemsOf(() => compileArgo(p, { codeConfigMapName: () => 'c' }))).toEqual([
      "step 'register': a register-model step runs as a small container on Argo Workflows and needs an image with python3; set the engine's utilityImage or defaultImage",
      "step 'stop': a fail step runs as a small container on Argo Workflows and needs an image with sh; set the engine's utilityImage or defaultImage",
    ]);
    const docs = compileArgo(p, { codeConfigMapName: () => 'c', utilityImage: 'python:3.12-slim' });
    expect(template(docs, 'stop').container.image).toBe('python:3.12-slim');
    expect(template(docs, 'fit').container.image).toBe(IMAGE);
  });
});

test('an object over the etcd limit is an error with its size and how to shrink it', () => {
  const big = Step.script('big', { code, entry, params: { blob: Value.string('x'.repeat(1_700_000)) } });
  const problems = problemsOf(() => single(big));
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatch(/^WorkflowTemplate 'single' is 1\.6\d MiB \(\d+ bytes\), over the 1\.50 MiB \(1572864 bytes\) Kubernetes \(etcd\) object size limit; split the pipeline, pass large values as files/);
});

test("'{{' in text Argo would substitute is an error naming step and feature", () => {
  expect(problemsOf(() => single(Step.script('s', { code, entry, arguments: ['{{workflow.name}}'] })))).toEqual([
    "step 's': argument 1 \"{{workflow.name}}\" contains '{{', which Argo Workflows reads as a template variable and cannot pass through literally; remove the double brace (e.g. write '{ {' or pass the text in a file of the step code)",
  ]);
});

test('bad engine options are errors naming the option', () => {
  expect(problemsOf(() => single(Step.script('s', { code, entry }), { defaultImage: 'has space', podUser: { runAsUser: 0 }, gpu: { resourceName: 'gpu', tolerations: [{ operator: 'Maybe' }] } }))).toEqual([
    "Argo option defaultImage 'has space' is not an image reference; give e.g. 'python:3.12-slim' or omit it",
    'Argo option podUser.runAsUser 0 is invalid (allowed: a whole number >= 1; step pods never run as root)',
    "Argo option gpu.resourceName 'gpu' is not an extended resource name (allowed: <domain>/<name>, e.g. 'nvidia.com/gpu' or 'amd.com/gpu')",
    "Argo option gpu.tolerations[0].operator 'Maybe' is invalid (allowed: Exists, Equal)",
  ]);
});

test('an invalid pipeline fails with the model validation error first', () => {
  const p = new Pipeline('empty');
  expect(() => compile(p)).toThrow(/has no steps/);
});
