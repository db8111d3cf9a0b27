import { spawnSync } from 'child_process';
import * as path from 'path';
import { Algorithm, Code, Objective, Parameter, Pipeline, Range, RetryPolicy, Step, TuneStep, TuneStepProps, Value } from '../../lib';
import { experimentPrefix, KATIB_METRICS_FILE, katibExperiment, KatibTrialPod, katibProblems } from '../../lib/kubernetes/katib';
import { katibTrialProgram, katibTuneProgram } from '../../lib/kubernetes/katib-programs';
import { podSecurityProblems, resourceProblems, validateManifest } from '../support/k8s';
import { katibExperimentProblems } from './katib-schema';

/** The Katib Experiment both Kubernetes compilers build for a tuning step (lib/kubernetes/katib.ts). */

const code = Code.fromDirectory(path.join(__dirname, '..', 'fixtures', 'steps'));

const POD: KatibTrialPod = {
  engine: 'argo',
  pipelineName: 'tuned',
  image: 'python:3.12-slim',
  codeConfigMap: 'tuned-code-abc',
  resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1', memory: '2Gi' } },
  podSecurityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
  containerSecurityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  podLabels: { 'mlops.cdk.io/pipeline': 'tuned' },
};

function tune(props: Partial<TuneStepProps> = {}, trialProps: object = {}): TuneStep {
  const pipeline = new Pipeline('tuned', { parameters: { gamma: Parameter.number(0.1) } });
  const data = Step.script('prepare', { code, entry: 'noop.py', outputs: ['data'] });
  const trial = Step.training('trial', {
    code, entry: 'noop.py', inputs: { data: data.output('data') }, metrics: ['accuracy'],
    params: { gamma: pipeline.parameter('gamma'), folds: Value.number(5) }, env: { MODE: 'fast' }, ...trialProps,
  });
  const step = Step.tune('hpo', {
    trial,
    objective: Objective.maximize('accuracy'),
    space: { kernel: Range.categorical(['rbf', 'linear']), C: Range.logUniform(0.001, 100), depth: Range.integer(2, 8), alpha: Range.uniform(0, 1) },
    maxTrials: 12,
    parallelTrials: 3,
    maxFailedTrials: 2,
    earlyStopping: true,
    seed: 7,
    ...props,
  });
  pipeline.addStep(data, step);
  pipeline.graph();
  return step;
}

test('the Experiment of every range kind passes Katib v0.19.0 with unknown fields rejected, its trial Job Kubernetes 1.30 and PSS restricted', () => {
  const { experiment } = katibExperiment(tune(), POD, 3600);
  expect(katibExperimentProblems({ ...experiment, metadata: { ...experiment.metadata, name: 'hpo-0123abcd', namespace: 'ml' } })).toEqual([]);
  // The validator can fail: numbers where Katib wants strings, a field Katib does not have.
  const numeric = JSON.parse(JSON.stringify(experiment));
  numeric.spec.parameters[0].feasibleSpace.min = 0.001;
  numeric.spec.trialTemplate.retries = 1;
  expect(katibExperimentProblems(numeric)).toEqual(['/spec/parameters/0/feasibleSpace/min must be string', "/spec/trialTemplate must NOT have additional properties 'retries'"]);
  const job = experiment.spec.trialTemplate.trialSpec;
  expect(validateManifest({ ...job, metadata: { name: 'hpo-0123abcd-x7k2' } })).toEqual([]);
  expect(podSecurityProblems(job)).toEqual([]);
  expect(resourceProblems(job)).toEqual([]);
  expect(job.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 3600 });
  expect(job.spec.template.spec.automountServiceAccountToken).toBe(false);
});

test('the search: Katib parameter types, feasible spaces as strings, the algorithm with its seed, median stop and the counts', () => {
  const { spec } = katibExperiment(tune(), POD, undefined).experiment;
  expect(spec.parameters).toEqual([
    { name: 'C', parameterType: 'double', feasibleSpace: { min: '0.001', max: '100', distribution: 'logUniform' } },
    { name: 'alpha', parameterType: 'double', feasibleSpace: { min: '0', max: '1', distribution: 'uniform' } },
    { name: 'depth', parameterType: 'int', feasibleSpace: { min: '2', max: '8' } },
    { name: 'kernel', parameterType: 'categorical', feasibleSpace: { list: ['rbf', 'linear'] } },
  ]);
  expect(spec.objective).toEqual({ type: 'maximize', objectiveMetricName: 'accuracy', metricStrategies: [{ name: 'accuracy', value: 'latest' }] });
  expect(spec.algorithm).toEqual({ algorithmName: 'random', algorithmSettings: [{ name: 'random_state', value: '7' }] });
  expect(spec.earlyStopping).toEqual({ algorithmName: 'medianstop' });
  expect([spec.parallelTrialCount, spec.maxTrialCount, spec.maxFailedTrialCount]).toEqual([3, 12, 2]);
  expect(spec.metricsCollectorSpec).toEqual({ collector: { kind: 'File' }, source: { fileSystemPath: { kind: 'File', path: KATIB_METRICS_FILE, format: 'JSON' } } });
  expect(spec.trialTemplate.trialParameters.map((p: any) => [p.name, p.reference])).toEqual([['C', 'C'], ['alpha', 'alpha'], ['depth', 'depth'], ['kernel', 'kernel']]);

  const grid = katibExperiment(tune({ algorithm: Algorithm.grid(), space: { depth: Range.integer(2, 4) }, maxTrials: 3, maxFailedTrials: undefined, earlyStopping: false }), POD, undefined).experiment.spec;
  expect(grid.algorithm).toEqual({ algorithmName: 'grid' });
  expect([grid.earlyStopping, grid.maxFailedTrialCount]).toEqual([undefined, undefined]);
  const bayes = katibExperiment(tune({ algorithm: Algorithm.bayesian(), space: { C: Range.logUniform(0.01, 10) }, seed: undefined }), POD, undefined).experiment.spec;
  expect(bayes.algorithm).toEqual({ algorithmName: 'bayesianoptimization' });
  expect(katibExperimentProblems({ ...katibExperiment(tune({ objective: Objective.minimize('accuracy') }), POD, undefined).experiment, metadata: { name: 'x' } })).toEqual([]);
});

test("the trial container: the launcher's contract under the trial's work dir, hyperparameters from Katib, pipeline parameters left to run time", () => {
  const { experiment, parameterVariables } = katibExperiment(tune(), POD, undefined);
  const container = experiment.spec.trialTemplate.trialSpec.spec.template.spec.containers[0];
  expect(experiment.spec.trialTemplate.primaryContainerName).toBe(container.name);
  const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
  expect(env).toMatchObject({
    MLOPS_ENGINE: 'argo', MLOPS_PIPELINE: 'tuned', MLOPS_STEP: 'trial',
    MLOPS_INPUT_DATA: '/mlops/trial/inputs/data', MLOPS_MODEL_DIR: '/mlops/trial/model', MLOPS_METRICS_FILE: '/mlops/trial/metrics/metrics.json',
    MLOPS_PARAM_FOLDS: '5', MODE: 'fast',
    MLOPS_PARAM_C: '${trialParameters.C}', MLOPS_PARAM_KERNEL: '${trialParameters.kernel}', MLOPS_PARAM_DEPTH: '${trialParameters.depth}',
    MLOPS_TRIAL_INPUTS: '["data"]', MLOPS_TRIAL_OBJECTIVE: 'accuracy', MLOPS_KATIB_METRICS_FILE: KATIB_METRICS_FILE,
    MLOPS_TRIAL_PROGRAM: katibTrialProgram(),
  });
  expect(JSON.parse(env.MLOPS_TRIAL_LAUNCH)).toEqual(['/mlops/code/code.zip', '--entry', 'noop.py', '--metric', 'accuracy']);
  expect(env.MLOPS_PARAM_GAMMA).toBeUndefined();
  expect(parameterVariables.map(([variable, ref]) => [variable, ref.name])).toEqual([['MLOPS_PARAM_GAMMA', 'gamma']]);
  expect(container.volumeMounts.map((m: any) => m.mountPath)).toEqual(['/mlops/code', '/mlops/trial', '/tmp']);
});

test("the trial command survives Katib's File-collector wrapping (sh -c '<command args> && echo completed > <dir>/$$$$.pid')", () => {
  const { experiment } = katibExperiment(tune(), POD, undefined);
  const container = experiment.spec.trialTemplate.trialSpec.spec.template.spec.containers[0];
  expect(container.command).toEqual(['sh', '-c']);
  // What Katib's webhook does (pkg/webhook/v1beta1/pod/utils.go wrapWorkerContainer): keep `sh -c`, join the rest with spaces, append.
  const wrapped = `${container.args.join(' ')} && echo completed`;
  const run = spawnSync('sh', ['-c', wrapped], { env: { PATH: process.env.PATH, MLOPS_TRIAL_PROGRAM: 'import sys\nprint("trial ran", sys.argv)' }, encoding: 'utf8' });
  expect(run.stdout).toBe("trial ran ['-c']\ncompleted\n");
});

test('what Katib would run with another meaning is a problem naming the step, the feature and the engine', () => {
  expect(katibProblems(tune({ algorithm: Algorithm.bayesian() }), 'Argo Workflows', undefined)).toEqual([
    "step 'hpo': space 'alpha' is Range.uniform, but on Argo Workflows Katib's bayesianoptimization (scikit-optimize) draws every real-valued hyperparameter log-uniformly (v0.19.0), so the search would run on another scale (and fails for min <= 0); use Range.logUniform for it, or Algorithm.random(), which draws uniform ranges uniformly",
  ]);
  expect(katibProblems(tune(), 'Kubeflow Pipelines', RetryPolicy.of({ maxRetries: 2 }))).toEqual([
    "step 'hpo': its trial 'trial' retries (maxRetries 2), but on Kubeflow Pipelines a Katib trial is a Kubernetes Job, which retries with Kubernetes' own back-off (10s, doubling), not intervalSeconds/backoffRate, and a retried trial would count once in Katib; remove retry from the trial (and from the pipeline's defaults), and use maxFailedTrials to let the search go on past failed trials",
  ]);
  expect(katibProblems(tune(), 'Argo Workflows', undefined)).toEqual([]);
});

test('Experiment names: a DNS label prefix, short enough for trial and Job names', () => {
  expect(experimentPrefix(tune())).toBe('hpo');
  const long = Step.tune('Tune_The_Support_Vector_Machine_Hard', { trial: Step.training('t', { code, entry: 'noop.py', metrics: ['m'] }), objective: Objective.minimize('m'), space: { a: Range.integer(1, 2) }, maxTrials: 2 });
  expect(experimentPrefix(long)).toBe('tune-the-support-vector');
});

test("the programs are Argo- and KFP-safe: no '{{' that either engine would substitute", () => {
  for (const program of [katibTrialProgram(), katibTuneProgram()]) {
    expect(program).not.toContain('{{');
  }
});
