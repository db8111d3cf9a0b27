import { gatedDeployPipeline } from '../../../examples/katib-gated-deploy/pipeline';
import { Algorithm, Code, Objective, Parameter, Pipeline, Range, Step } from '../../../lib';
import { ArgoCompileOptions, ArgoDocuments, compileArgo } from '../../../lib/compile/argo';
import { katibTuneProgram } from '../../../lib/kubernetes/katib-programs';
import { FIXTURE_CODE } from '../../conformance/features';
import { podSecurityProblems, resourceProblems, validateManifest, validateManifests } from '../../support/k8s';
import { katibExperimentProblems } from '../../kubernetes/katib-schema';

/** A tuning step on Argo Workflows: a container that runs the step's Katib Experiment. */

type Json = { [key: string]: any };
const IMAGE = 'python:3.12-slim';

function compile(pipeline: Pipeline, options: Partial<ArgoCompileOptions> = {}): ArgoDocuments {
  return compileArgo(pipeline, { defaultImage: IMAGE, codeConfigMapName: (c: Code) => (c === FIXTURE_CODE ? 'code-fixture' : 'code-steps'), ...options });
}

function template(docs: ArgoDocuments, name: string): Json {
  return docs.workflowTemplate.spec.templates.find((t: Json) => t.name === name);
}

function task(docs: ArgoDocuments, name: string): Json {
  return template(docs, 'mlops-dag').dag.tasks.find((t: Json) => t.name === name);
}

function experimentOf(t: Json): Json {
  const args: string[] = t.container.args;
  return JSON.parse(args[args.indexOf('--experiment') + 1]);
}

test('the gated-deploy example: valid Argo v4.1.2 objects with restricted pods, its Experiment valid Katib, its trial Job valid Kubernetes', () => {
  const docs = compile(gatedDeployPipeline());
  const objects = [docs.workflowTemplate];
  expect([...validateManifests(objects, { argo: 'v4.1.2' }), ...objects.flatMap((o) => podSecurityProblems(o)), ...objects.flatMap((o) => resourceProblems(o))]).toEqual([]);
  const hpo = template(docs, 'hpo');
  const experiment = experimentOf(hpo);
  expect(katibExperimentProblems({ ...experiment, metadata: { ...experiment.metadata, name: 'hpo-12345678', namespace: 'ml' } })).toEqual([]);
  const job = experiment.spec.trialTemplate.trialSpec;
  expect(validateManifest({ ...job, metadata: { name: 'hpo-12345678-abcdefgh' } })).toEqual([]);
  expect([...podSecurityProblems(job), ...resourceProblems(job)]).toEqual([]);
  // The pipeline's defaultResources reach the trials, as they reach every container step.
  expect(job.spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1', memory: '2Gi' } });
  expect(job.spec.template.spec.volumes[0]).toEqual({ name: 'mlops-code', configMap: { name: 'code-steps' } });
  // Trial pods carry the labels of every step pod, which the steps' network policies select.
  expect(job.spec.template.metadata.labels).toEqual({ ...docs.workflowTemplate.spec.podMetadata.labels, 'mlops.cdk.io/step': 'hpo-trial' });
  expect(experiment.spec).toMatchObject({ parallelTrialCount: 2, maxTrialCount: 8, algorithm: { algorithmName: 'random', algorithmSettings: [{ name: 'random_state', value: '7' }] } });
});

test('the tuning template: katib_tune.py with the inputs as artifacts, the best model, parameters and metric as outputs', () => {
  const docs = compile(gatedDeployPipeline());
  const hpo = template(docs, 'hpo');
  expect(hpo.container.command).toEqual(['python3', '-c', katibTuneProgram()]);
  expect(hpo.container.env).toEqual([{ name: 'MLOPS_RUN_ID', value: '{{workflow.name}}' }]);
  expect(hpo.container.ports).toEqual([{ name: 'trials', containerPort: 8470, protocol: 'TCP' }]);
  expect(hpo.inputs.artifacts).toEqual([{ name: 'train', path: '/mlops/inputs/train' }, { name: 'test', path: '/mlops/inputs/test' }]);
  expect(hpo.outputs).toEqual({
    parameters: [{ name: 'accuracy', valueFrom: { path: '/mlops/work/metric-values/accuracy' } }],
    artifacts: [{ name: 'model', path: '/mlops/work/model' }, { name: 'parameters', path: '/mlops/work/outputs/parameters' }],
  });
  const args: string[] = hpo.container.args;
  const flags = (flag: string) => args.flatMap((a, i) => (args[i - 1] === flag ? [a] : []));
  expect(flags('--input')).toEqual(['train=/mlops/inputs/train', 'test=/mlops/inputs/test']);
  expect(flags('--model-dir')).toEqual(['/mlops/work/model']);
  expect(flags('--parameters-dir')).toEqual(['/mlops/work/outputs/parameters']);
  expect(flags('--metric-file')).toEqual(['accuracy=/mlops/work/metric-values/accuracy']);
  expect(flags('--name-prefix')).toEqual(['hpo']);
  expect(task(docs, 'hpo').arguments.artifacts).toEqual([
    { name: 'train', from: '{{tasks.clean.outputs.artifacts.train}}' },
    { name: 'test', from: '{{tasks.clean.outputs.artifacts.test}}' },
  ]);
});

test('a condition reads the best metric, register reads the best model, a later step the parameters', () => {
  const docs = compile(gatedDeployPipeline());
  expect(task(docs, 'register').when).toBe("{{=(asFloat(tasks['hpo'].outputs.parameters['accuracy']) >= asFloat(workflow.parameters['minAccuracy']))}}");
  expect(JSON.stringify(task(docs, 'register').arguments)).toContain('{{tasks.hpo.outputs.artifacts.model}}');
  const p = new Pipeline('reads-parameters');
  const trial = Step.training('trial', { code: FIXTURE_CODE, entry: 'noop.py', metrics: ['loss'] });
  const hpo = Step.tune('hpo', { trial, objective: Objective.minimize('loss'), space: { n: Range.integer(1, 3) }, algorithm: Algorithm.grid(), maxTrials: 3 });
  p.addStep(hpo, Step.script('report', { code: FIXTURE_CODE, entry: 'noop.py', inputs: { parameters: hpo.bestParameters() } }));
  const reads = compile(p);
  expect(task(reads, 'report').arguments.artifacts).toEqual([{ name: 'parameters', from: '{{tasks.hpo.outputs.artifacts.parameters}}' }]);
  expect(experimentOf(template(reads, 'hpo')).spec.algorithm).toEqual({ algorithmName: 'grid' });
});

test('a pipeline parameter the trial reads reaches it at run time through --trial-env, never pasted into the Experiment', () => {
  const p = new Pipeline('params', { parameters: { folds: Parameter.integer(5) } });
  const trial = Step.training('trial', { code: FIXTURE_CODE, entry: 'noop.py', metrics: ['accuracy'], params: { folds: p.parameter('folds') } });
  p.addStep(Step.tune('hpo', { trial, objective: Objective.maximize('accuracy'), space: { C: Range.logUniform(0.1, 1) }, maxTrials: 2 }));
  const docs = compile(p);
  const hpo = template(docs, 'hpo');
  expect(hpo.inputs.parameters).toEqual([{ name: 'folds' }]);
  expect(task(docs, 'hpo').arguments.parameters).toEqual([{ name: 'folds', value: '{{workflow.parameters.folds}}' }]);
  const args: string[] = hpo.container.args;
  expect(args[args.indexOf('--trial-env') + 1]).toBe('MLOPS_PARAM_FOLDS={{inputs.parameters.folds}}');
  expect(JSON.stringify(experimentOf(hpo))).not.toContain('MLOPS_PARAM_FOLDS');
});

test('what Katib cannot run as meant is a synth error naming the step, the feature and Argo', () => {
  const p = new Pipeline('bad');
  const trial = Step.training('trial', { code: FIXTURE_CODE, entry: 'noop.py', metrics: ['accuracy'], env: { X: '{{oops}}' } });
  p.addStep(Step.tune('hpo', { trial, objective: Objective.maximize('accuracy'), space: { alpha: Range.uniform(0, 1) }, algorithm: Algorithm.bayesian(), maxTrials: 2 }));
  expect(() => compileArgo(p, { codeConfigMapName: () => 'code' })).toThrow(expect.objectContaining({
    problems: [
      "step 'hpo': a tune step runs as a small container on Argo Workflows and needs an image with python3 (the tuning step's container runs katib_tune.py); set the engine's utilityImage or defaultImage",
      "step 'hpo': its trial 'trial' has no container image, and Argo Workflows runs every Katib trial in one; give the trial an image, or the engine a defaultImage, that has sh and python3 plus the packages 'noop.py' imports",
      "step 'hpo': space 'alpha' is Range.uniform, but on Argo Workflows Katib's bayesianoptimization (scikit-optimize) draws every real-valued hyperparameter log-uniformly (v0.19.0), so the search would run on another scale (and fails for min <= 0); use Range.logUniform for it, or Algorithm.random(), which draws uniform ranges uniformly",
      "step 'hpo': trial 'trial': env X \"{{oops}}\" contains '{{', which Argo Workflows reads as a template variable and cannot pass through literally; remove the double brace (e.g. write '{ {' or pass the text in a file of the step code)",
    ],
  }));
});
