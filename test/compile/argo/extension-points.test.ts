import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ArtifactType, CachePolicy, DataSource, Parameter, Pipeline, Step, StepKind } from '../../../lib';
import { ARGO_SOURCES, ARGO_STEPS, ArgoCompileOptions, ArgoDocuments, compileArgo } from '../../../lib/compile/argo';
import { packageCode } from '../../../lib/runtime';
import { FIXTURE_CODE as code } from '../../conformance/features';
import { podSecurityProblems, resourceProblems, validateManifests } from '../../support/k8s';
import { VectorIndexSource, TuningStep } from '../../support/extensions';
import { taskTemplate } from './resolve';

const entry = 'noop.py';
type Json = { [key: string]: any };


function compile(pipeline: Pipeline, options: Partial<ArgoCompileOptions> = {}): ArgoDocuments {
  return compileArgo(pipeline, { defaultImage: 'python:3.12-slim', codeConfigMapName: () => 'code', ...options });
}

/**
 * Compiles and insists on objects that every Argo CRD and JSON Schema we hold accepts (v4.1.2
 * only when a step memoizes: the cache selector differs by version), with 'restricted' pods.
 */
function compileValid(pipeline: Pipeline, options: Partial<ArgoCompileOptions> = {}): ArgoDocuments {
  const docs = compile(pipeline, options);
  expect(validateManifests([docs.workflowTemplate], docs.memoizeCache ? { argo: 'v4.1.2' } : {})).toEqual([]);
  expect(podSecurityProblems(docs.workflowTemplate)).toEqual([]);
  expect(resourceProblems(docs.workflowTemplate)).toEqual([]);
  return docs;
}

function problemsOf(build: () => unknown): string[] {
  try {
    build();
  } catch (e) {
    return (e as { problems?: string[] }).problems ?? [(e as Error).message];
  }
  throw new Error('expected a synth-time error');
}

const template = (docs: ArgoDocuments, name: string): Json => docs.workflowTemplate.spec.templates.find((t: Json) => t.name === name);
const task = (docs: ArgoDocuments, name: string): Json => template(docs, 'mlops-dag').dag.tasks.find((t: Json) => t.name === name);
const envNames = (t: Json): string[] => t.container.args.flatMap((a: string, i: number, all: string[]) => (a === '--env' ? [all[i + 1].split('=')[0]] : []));

describe('handler tables', () => {
  test('Argo compiles the six built-in step kinds and reads the four source kinds', () => {
    expect(Object.keys(ARGO_STEPS).sort()).toEqual(['condition', 'fail', 'register-model', 'script', 'training', 'tune']);
    expect(Object.keys(ARGO_SOURCES).sort()).toEqual(['collected-output', 'feature-snapshot', 'step-output', 'uri']);
  });

  test('a ContainerStep subclass of an unknown kind is the standard problem, not a plain container', () => {
    const p = new Pipeline('tuned');
    p.addStep(new TuningStep('tune', { code, entry }));
    expect(problemsOf(() => compile(p))).toEqual([
      "step 'tune': step kind 'tuning' is not supported on Argo Workflows (it runs 'condition', 'fail', 'register-model', 'script', 'training', 'tune' steps); remove the step, or run the pipeline on an engine that has a handler for 'tuning' steps",
    ]);
  });

  test('a data source of an unknown kind is the standard problem, not a dropped input', () => {
    const p = new Pipeline('features');
    p.addStep(Step.script('read', { code, entry, inputs: { features: new VectorIndexSource() } }));
    expect(problemsOf(() => compile(p))).toEqual([
      "step 'read': input 'features' reads features@v3, a data source of kind 'vector-index', which Argo Workflows cannot read (it reads 'collected-output', 'feature-snapshot', 'step-output', 'uri'); read another kind of source, or run the pipeline on an engine that reads this one",
    ]);
  });

  test('a step that claims a container kind but is no ContainerStep is refused, naming the kind', () => {
    class NotAContainer extends Step {
      public readonly kind = StepKind.SCRIPT;
      constructor(name: string) {
        super(name, {});
      }
      public problems(): string[] {
        return [];
      }
    }
    const p = new Pipeline('odd');
    p.addStep(new NotAContainer('odd'));
    expect(problemsOf(() => compile(p))).toEqual([
      "step 'odd': claims the built-in kind 'script', which belongs to ScriptStep, but is a NotAContainer; extend ScriptStep, or give the step a kind of its own",
    ]);
  });
});

describe('the launch contract', () => {
  test('MLOPS_* variables as --env flags in the contract order; the user env stays container env', () => {
    const p = new Pipeline('contract', { parameters: { n: Parameter.integer(3) } });
    const source = Step.script('source', { code, entry, outputs: ['data'] });
    const each = Step.script('each', {
      code, entry, forEach: ['a'], inputs: { data: source.output('data') }, outputs: ['part'], params: { n: p.parameter('n') }, env: { LOG_LEVEL: 'debug' },
    });
    p.addStep(source, each);
    const t = template(compileValid(p), 'each');
    expect(envNames(t)).toEqual([
      'MLOPS_ENGINE', 'MLOPS_PIPELINE', 'MLOPS_STEP', 'MLOPS_RUN_ID', 'MLOPS_INPUT_DATA', 'MLOPS_OUTPUT_PART', 'MLOPS_METRICS_FILE', 'MLOPS_PARAM_N', 'MLOPS_ITEM',
    ]);
    expect(t.container.args).toContain('MLOPS_ITEM={{inputs.parameters.mlops-item}}');
    expect(t.container.env).toEqual([{ name: 'LOG_LEVEL', value: 'debug' }]);
  });
});

describe('training fan-out', () => {
  const build = () => {
    const p = new Pipeline('sweep');
    const fit = Step.training('fit', { code, entry, forEach: ['small', 'large'], metrics: ['score'] });
    p.addStep(fit, Step.script('pick', { code, entry, inputs: { models: fit.collect('model') }, outputs: ['choice'] }));
    return p;
  };

  test('withItems on the training task, each run getting its item as MLOPS_ITEM and writing its model under the item', () => {
    const docs = compileValid(build());
    expect(task(docs, 'fit')).toEqual({
      name: 'fit',
      template: 'fit',
      arguments: { parameters: [{ name: 'mlops-step', value: 'fit' }, { name: 'mlops-item', value: '{{item}}' }] },
      withItems: ['small', 'large'],
    });
    const fit = template(docs, 'fit');
    expect(fit.inputs.parameters).toEqual([{ name: 'mlops-step' }, { name: 'mlops-item' }]);
    expect(fit.container.args).toEqual(expect.arrayContaining(['MLOPS_MODEL_DIR=/mlops/work/model', 'MLOPS_ITEM={{inputs.parameters.mlops-item}}']));
    expect(fit.outputs.artifacts).toEqual([
      { name: 'model', path: '/mlops/work/model', archive: { none: {} }, s3: { key: '{{workflow.name}}/mlops-collected/fit/outputs/model/{{inputs.parameters.mlops-item}}' } },
    ]);
  });

  test('the reader takes the key prefix of every item as one key-only input artifact, after the whole fan-out', () => {
    const docs = compileValid(build());
    expect(template(docs, 'pick').inputs.artifacts).toEqual([
      { name: 'models', path: '/mlops/inputs/models', s3: { key: '{{workflow.name}}/mlops-collected/fit/outputs/model' } },
    ]);
    expect(task(docs, 'pick')).toEqual({ name: 'pick', template: 'pick', dependencies: ['fit'], arguments: { parameters: [{ name: 'mlops-step', value: 'pick' }] } });
  });
});

describe('collected reads', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argo-collect-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const fanOut = () => {
    const p = new Pipeline('collect');
    const each = Step.script('each', { code, entry, forEach: ['a', 'b'], outputs: ['part', 'other'], metrics: ['score'] });
    p.addStep(each, Step.script('merge', { code, entry, inputs: { parts: each.collect('part'), scores: each.collectMetrics() }, outputs: ['merged'] }));
    return p;
  };

  test('only the collected ports and the metrics are written to item keys; the rest stays in the default layout', () => {
    const each = template(compileValid(fanOut()), 'each');
    expect(each.outputs.artifacts).toEqual([
      { name: 'part', path: '/mlops/work/outputs/part', archive: { none: {} }, s3: { key: '{{workflow.name}}/mlops-collected/each/outputs/part/{{inputs.parameters.mlops-item}}' } },
      { name: 'other', path: '/mlops/work/outputs/other' },
      { name: 'mlops-metrics', path: '/mlops/work/metrics/metrics.json', archive: { none: {} }, s3: { key: '{{workflow.name}}/mlops-collected/each/metrics/{{inputs.parameters.mlops-item}}/metrics.json' } },
    ]);
  });

  /**
   * Runs each item's template as its pod would (the launcher and the step), uploads its keyed
   * output artifacts as Argo's S3 driver does (a directory: a key per file under the artifact's
   * key; a file: the key itself), then downloads the reader's inputs as the driver does (no object
   * at the key: every object under `key/`, at its path relative to the prefix).
   */
  test('what the items upload is what the reader downloads: one directory per item, metrics as <item>/metrics.json', () => {
    const docs = compileValid(fanOut());
    const zip = path.join(dir, 'code.zip');
    fs.writeFileSync(zip, packageCode(code));
    const bucket = new Map<string, string>();
    const substitute = (text: string, item: string) => text.split('{{workflow.name}}').join('collect-x1').split('{{inputs.parameters.mlops-item}}').join(item);
    for (const item of ['a', 'b']) {
      const root = path.join(dir, 'pod', item);
      const local = (text: string) => substitute(text, item).split('/mlops/').join(`${root}/mlops/`);
      const each = taskTemplate(docs, 'each');
      const run = spawnSync('python3', [zip, ...each.container.args.map(local)], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      for (const artifact of each.outputs.artifacts.filter((a: Json) => a.s3)) {
        const from = local(artifact.path);
        const key = substitute(artifact.s3.key, item);
        const files = fs.statSync(from).isDirectory() ? fs.readdirSync(from, { recursive: true }).map(String).filter((f) => fs.statSync(path.join(from, f)).isFile()) : [''];
        files.forEach((f) => bucket.set(f ? `${key}/${f}` : key, fs.readFileSync(path.join(from, f), 'utf8')));
      }
    }
    const downloaded = (artifact: Json) => {
      const prefix = `${substitute(artifact.s3.key, '')}/`;
      expect(bucket.has(prefix.slice(0, -1))).toBe(false);
      return Object.fromEntries([...bucket].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [path.posix.join(artifact.path, k.slice(prefix.length)), v]));
    };
    const [parts, scores] = template(docs, 'merge').inputs.artifacts;
    expect(downloaded(parts)).toEqual({ '/mlops/inputs/parts/a/done.txt': 'each\n', '/mlops/inputs/parts/b/done.txt': 'each\n' });
    const metrics = downloaded(scores);
    expect(Object.keys(metrics)).toEqual(['/mlops/inputs/scores/a/metrics.json', '/mlops/inputs/scores/b/metrics.json']);
    expect(JSON.parse(metrics['/mlops/inputs/scores/a/metrics.json'])).toEqual({ score: 0.95, label: 'good' });
    expect(template(docs, 'merge').container.args).toEqual(expect.arrayContaining(['MLOPS_INPUT_PARTS=/mlops/inputs/parts', 'MLOPS_INPUT_SCORES=/mlops/inputs/scores']));
  });

  test('collecting from a cached fan-out is an error naming both steps, the cache and Argo', () => {
    const p = new Pipeline('cached');
    const each = Step.script('each', { code, entry, forEach: ['a', 'b'], outputs: ['part'], cache: CachePolicy.enabled() });
    p.addStep(each, Step.script('merge', { code, entry, inputs: { parts: each.collect('part') }, cache: CachePolicy.disabled() }));
    expect(problemsOf(() => compile(p))).toEqual([
      "step 'merge': input 'parts' collects output 'part' of every item of 'each', which is cached; Argo Workflows replays a cached item's outputs from the run that wrote them, so they are not under this run's keys and cannot be collected; turn caching off for 'each' (cache: CachePolicy.disabled()) on Argo Workflows",
    ]);
  });

  test('a cached reader of a collection is scoped to the run, since its producer is not cached', () => {
    const p = new Pipeline('cached-reader');
    const each = Step.script('each', { code, entry, forEach: ['a', 'b'], outputs: ['part'] });
    p.addStep(each, Step.script('merge', { code, entry, inputs: { parts: each.collect('part') }, cache: CachePolicy.enabled() }));
    expect(template(compileValid(p), 'merge').memoize.key).toContain('workflow.uid');
  });

  test('a register-model step cannot register every item\'s model', () => {
    const p = new Pipeline('register-all');
    const fit = Step.training('fit', { code, entry, forEach: ['a', 'b'] });
    p.addStep(fit, Step.registerModel('register', { model: fit.collect('model'), group: 'g' }));
    expect(problemsOf(() => compile(p))).toEqual([
      "step 'register': model is fit.collected.model, the models of every forEach item, but a register step registers one model; register the model of a training step that runs once (e.g. one that reads the collection and writes the chosen model), or register inside each item",
    ]);
  });
});

describe('data at a URI', () => {
  const reading = (uri: string, type?: ArtifactType) => {
    const p = new Pipeline('external');
    p.addStep(Step.script('read', { code, entry, inputs: { raw: DataSource.fromUri(uri, { type }) } }));
    return p;
  };

  test("a prefix in the artifact repository's bucket is a key-only input artifact, downloaded as the input directory", () => {
    const docs = compileValid(reading('s3://argo-artifacts/data/iris/'), { artifactRepositoryBucket: 'argo-artifacts' });
    expect(template(docs, 'read').inputs.artifacts).toEqual([{ name: 'raw', path: '/mlops/inputs/raw', s3: { key: 'data/iris' } }]);
    expect(task(docs, 'read').arguments).toEqual({ parameters: [{ name: 'mlops-step', value: 'read' }] });
  });

  test('a URI without a trailing slash lands inside the input directory under its last segment', () => {
    const docs = compileValid(reading('s3://argo-artifacts/data/iris.csv'), { artifactRepositoryBucket: 'argo-artifacts' });
    expect(template(docs, 'read').inputs.artifacts).toEqual([{ name: 'raw', path: '/mlops/inputs/raw/iris.csv', s3: { key: 'data/iris.csv' } }]);
    expect(template(docs, 'read').container.args).toContain('MLOPS_INPUT_RAW=/mlops/inputs/raw');
  });

  test('a model at a URI can be registered', () => {
    const p = new Pipeline('external-model');
    p.addStep(Step.registerModel('register', { model: DataSource.fromUri('s3://argo-artifacts/models/m/', { type: ArtifactType.MODEL }), group: 'g' }));
    const docs = compileValid(p, { artifactRepositoryBucket: 'argo-artifacts' });
    expect(template(docs, 'register').inputs.artifacts).toEqual([{ name: 'model', path: '/mlops/inputs/model', s3: { key: 'models/m' } }]);
    expect(template(docs, 'register').container.env).toContainEqual({ name: 'MLOPS_MODEL_SOURCE_STEP', value: '' });
  });

  test('the URI is part of the cache key', () => {
    const key = (uri: string) => {
      const p = new Pipeline('external');
      p.addStep(Step.script('read', { code, entry, inputs: { raw: DataSource.fromUri(uri) }, cache: CachePolicy.enabled() }));
      return taskTemplate(compile(p, { artifactRepositoryBucket: 'b-1' }), 'read').memoize.key;
    };
    expect(key('s3://b-1/x/')).not.toBe(key('s3://b-1/y/'));
    expect(key('s3://b-1/x/')).not.toContain('workflow.uid');
  });

  test('other buckets, other schemes, no bucket option and the bucket root are errors naming step, input and the fix', () => {
    expect(problemsOf(() => compile(reading('s3://example-data/iris/')))).toEqual([
      "step 'read': input 'raw' reads s3://example-data/iris/, in bucket 'example-data', but the engine names no artifactRepositoryBucket; Argo Workflows reads S3 with the artifact repository's location and credentials only, so copy the data into the repository's bucket and set artifactRepositoryBucket to it, or read the data in a step that has its own credentials",
    ]);
    expect(problemsOf(() => compile(reading('s3://example-data/iris/'), { artifactRepositoryBucket: 'argo-artifacts' }))[0]).toContain("in bucket 'example-data', but the artifact repository's bucket is 'argo-artifacts'");
    expect(problemsOf(() => compile(reading('/data/iris'), { artifactRepositoryBucket: 'argo-artifacts' }))).toEqual([
      "step 'read': input 'raw' reads /data/iris (scheme 'file'), but Argo Workflows reads data from before the run only from s3:// URIs in its artifact repository's bucket; copy the data there and give its URI, e.g. 's3://argo-artifacts/data/'",
    ]);
    expect(problemsOf(() => compile(reading('s3://argo-artifacts/'), { artifactRepositoryBucket: 'argo-artifacts' }))[0]).toContain('the whole bucket');
    expect(problemsOf(() => compile(reading('s3://argo-artifacts/x/'), { artifactRepositoryBucket: 'Bad Bucket' }))[0]).toBe(
      "Argo option artifactRepositoryBucket 'Bad Bucket' is not an S3 bucket name (allowed: 3-63 lower-case letters, digits, '.' and '-'); give the bucket of the workflow's artifact repository, e.g. 'my-argo-artifacts', or omit it",
    );
  });
});
