import { createHash } from 'crypto';
import { isA } from '../pipeline/brand';
import * as contract from '../pipeline/contract';
import { FeatureSnapshot } from '../pipeline/feature-snapshot';
import { RetryPolicy } from '../pipeline/policies';
import { TuneStep } from '../pipeline/steps/tune-step';
import { AlgorithmName, Range, RangeKind } from '../pipeline/tuning';
import { ParameterRef } from '../pipeline/values';
import { launchInvocation } from '../runtime/launch';
import { katibTrialProgram } from './katib-programs';

/**
 * A tuning step on Kubernetes, as both Kubernetes compilers build it: a Katib `Experiment`
 * (kubeflow.org/v1beta1) whose trials are Kubernetes Jobs running the trial step through the
 * launcher. A small step container (katib_tune.py) creates the Experiment, serves the step's
 * inputs to the trials and receives each trial's model over HTTP (the trial pods are Katib's, so
 * Argo's and KFP's artifact passing does not reach them), waits for the Experiment and writes the
 * best trial's model, parameters and objective metric as the step's outputs.
 */

export const KATIB_API_VERSION = 'kubeflow.org/v1beta1';
/** The trial Job's container, Katib's primaryContainerName. */
export const TRIAL_CONTAINER = 'trial';
/** Where the trial container mounts the step code's ConfigMap, as every step does. */
export const TRIAL_CODE_DIR = '/mlops/code';
export const TRIAL_CODE_ARCHIVE = `${TRIAL_CODE_DIR}/code.zip`;
/** The trial's writable work directory (an emptyDir): inputs, model, metrics. */
export const TRIAL_WORK_DIR = '/mlops/trial';
/** The file Katib's File collector reads: one JSON object per line, values as strings. */
export const KATIB_METRICS_FILE = '/mlops/katib/metrics.json';
/** The port the tune step's container serves the trials on. */
export const TUNE_PORT = 8470;
/** Katib's db-manager, where the metrics collector sidecar of every trial pod reports (gRPC). */
export const KATIB_DB_MANAGER = { namespace: 'kubeflow', podLabels: { 'katib.kubeflow.org/component': 'db-manager' }, port: 6789 };
/** The Katib release the compiled Experiment is written and tested against. */
export const KATIB_VERSION = 'v0.19.0';

const ALGORITHMS: { [name: string]: string } = {
  [AlgorithmName.RANDOM]: 'random',
  [AlgorithmName.GRID]: 'grid',
  [AlgorithmName.BAYESIAN]: 'bayesianoptimization',
};

/** What the engine decides about the trial pods; everything else is the step's. */
export interface KatibTrialPod {
  /** 'argo' or 'kubeflow' (MLOPS_ENGINE of the trials). */
  readonly engine: string;
  readonly pipelineName: string;
  readonly image: string;
  readonly codeConfigMap: string;
  /** The container's resources, in the engine's own shape (requests and limits). */
  readonly resources: { [key: string]: unknown };
  readonly podSecurityContext: { [key: string]: unknown };
  readonly containerSecurityContext: { [key: string]: unknown };
  /** The labels of the engine's step pods: the trial pods get the steps' network policies. */
  readonly podLabels: { [label: string]: string };
  readonly nodeSelector?: { [label: string]: string };
  readonly tolerations?: unknown[];
  readonly trackingUri?: string;
}

/** The Experiment of a tuning step, and what the awaiting container fills in at run time. */
export interface KatibExperiment {
  /** The Experiment without metadata.name and namespace (katib_tune.py sets them per run). */
  readonly experiment: { [key: string]: any };
  /** Trial variables whose value is a pipeline parameter: name -> the parameter. */
  readonly parameterVariables: [string, ParameterRef][];
}

/** The step's hyperparameters, sorted by name (a stable document). */
function space(step: TuneStep): [string, Range][] {
  return Object.keys(step.space).sort().map((name) => [name, step.space[name]]);
}

/** The Katib name prefix of a step's Experiments: a DNS label short enough for trial and Job names. */
export function experimentPrefix(step: TuneStep): string {
  const text = step.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 24).replace(/-+$/, '');
  return text === '' ? `tune-${createHash('sha256').update(step.name).digest('hex').slice(0, 6)}` : text;
}

/**
 * What Katib cannot run as the model means it, for `engine` (its name in messages). The model has
 * checked the step itself.
 */
export function katibProblems(step: TuneStep, engine: string, retry: RetryPolicy | undefined): string[] {
  const at = `step '${step.name}'`;
  const problems: string[] = [];
  const trial = step.trial;
  if (retry && retry.maxRetries > 0) {
    problems.push(`${at}: its trial '${trial.name}' retries (maxRetries ${retry.maxRetries}), but on ${engine} a Katib trial is a Kubernetes Job, which retries with Kubernetes' own back-off (10s, doubling), not intervalSeconds/backoffRate, and a retried trial would count once in Katib; remove retry from the trial (and from the pipeline's defaults), and use maxFailedTrials to let the search go on past failed trials`);
  }
  for (const [name, source] of Object.entries(trial.inputs())) {
    if (isA(source, FeatureSnapshot)) {
      problems.push(`${at}: its trial reads feature snapshot '${name}', which ${engine} cannot hand to Katib's trial pods (a snapshot is laid out by the step's own launcher); read the snapshot in an earlier step and pass its output to the trial`);
    }
  }
  if (step.algorithm.name === AlgorithmName.BAYESIAN) {
    const uniform = Object.keys(step.space).sort().filter((name) => step.space[name].kind === RangeKind.UNIFORM);
    if (uniform.length > 0) {
      problems.push(`${at}: space ${uniform.map((n) => `'${n}'`).join(', ')} ${uniform.length > 1 ? 'are' : 'is'} Range.uniform, but on ${engine} Katib's bayesianoptimization (scikit-optimize) draws every real-valued hyperparameter log-uniformly (${KATIB_VERSION}), so the search would run on another scale (and fails for min <= 0); use Range.logUniform for it, or Algorithm.random(), which draws uniform ranges uniformly`);
    }
  }
  if (!(step.algorithm.name in ALGORITHMS)) {
    problems.push(`${at}: algorithm '${step.algorithm.name}' has no Katib suggestion on ${engine} (Katib has: random, grid, bayesianoptimization); use Algorithm.random(), Algorithm.grid() or Algorithm.bayesian()`);
  }
  return problems;
}

/** Katib's parameter spec of one range; feasibleSpace numbers are strings in Katib's API. */
function parameterSpec(name: string, range: Range): { [key: string]: unknown } {
  switch (range.kind) {
    case RangeKind.CATEGORICAL:
      return { name, parameterType: 'categorical', feasibleSpace: { list: [...range.values!] } };
    case RangeKind.INTEGER:
      return { name, parameterType: 'int', feasibleSpace: { min: String(range.min), max: String(range.max) } };
    case RangeKind.LOG_UNIFORM:
      return { name, parameterType: 'double', feasibleSpace: { min: String(range.min), max: String(range.max), distribution: 'logUniform' } };
    default:
      return { name, parameterType: 'double', feasibleSpace: { min: String(range.min), max: String(range.max), distribution: 'uniform' } };
  }
}

/** The trial's launcher invocation: inputs, model and metrics under the trial's work directory. */
function trialLaunch(step: TuneStep, pod: KatibTrialPod): { args: string[]; env: [string, string][]; parameterVariables: [string, ParameterRef][] } {
  const trial = step.trial;
  const parameterVariables: [string, ParameterRef][] = [];
  const invocation = launchInvocation(trial, {
    engine: pod.engine,
    pipelineName: pod.pipelineName,
    inputPath: (name) => `${TRIAL_WORK_DIR}/inputs/${name}`,
    outputPath: () => `${TRIAL_WORK_DIR}/model`,
    metricsFile: `${TRIAL_WORK_DIR}/metrics/${contract.METRICS_FILE_NAME}`,
    parameter: (ref, param) => {
      parameterVariables.push([contract.paramVar(param), ref]);
      return '';
    },
    contractVariables: 'environment',
    trackingUri: pod.trackingUri,
  });
  const runtime = new Set(parameterVariables.map(([variable]) => variable));
  const env = invocation.environment.filter(([variable]) => !runtime.has(variable)) as [string, string][];
  return { args: invocation.arguments as string[], env, parameterVariables };
}

/** The Katib Experiment of a tuning step, with its trial Job. */
export function katibExperiment(step: TuneStep, pod: KatibTrialPod, timeoutSeconds: number | undefined): KatibExperiment {
  const trial = step.trial;
  const metric = step.objective.metric;
  const launch = trialLaunch(step, pod);
  const hyper = space(step);
  const env: { name: string; value: string }[] = [
    { name: 'MLOPS_TRIAL_PROGRAM', value: katibTrialProgram() },
    { name: 'MLOPS_TRIAL_LAUNCH', value: JSON.stringify([TRIAL_CODE_ARCHIVE, ...launch.args]) },
    { name: 'MLOPS_TRIAL_INPUTS', value: JSON.stringify(Object.keys(trial.inputs())) },
    { name: 'MLOPS_TRIAL_OBJECTIVE', value: metric },
    { name: 'MLOPS_KATIB_METRICS_FILE', value: KATIB_METRICS_FILE },
    ...launch.env.map(([name, value]) => ({ name, value })),
    // Katib replaces ${trialParameters.<name>} in the trial spec with the trial's value.
    ...hyper.map(([name]) => ({ name: contract.paramVar(name), value: `\${trialParameters.${name}}` })),
  ];
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    spec: dropUndefined({
      // A failed trial is a failed trial: Katib counts it against maxFailedTrialCount.
      backoffLimit: 0,
      activeDeadlineSeconds: timeoutSeconds,
      template: {
        metadata: {
          labels: { ...pod.podLabels, 'mlops.cdk.io/step': `${experimentPrefix(step)}-trial` },
          annotations: { 'sidecar.istio.io/inject': 'false' },
        },
        spec: dropUndefined({
          restartPolicy: 'Never',
          // Trials talk to the tune step and Katib's metrics collector, never to the API server.
          automountServiceAccountToken: false,
          securityContext: pod.podSecurityContext,
          nodeSelector: pod.nodeSelector,
          tolerations: pod.tolerations,
          containers: [{
            name: TRIAL_CONTAINER,
            image: pod.image,
            // Katib's File collector wraps the command in `sh -c "<command> <args> && ..."`, joined
            // with spaces: one shell word list, with the program in the environment, survives that.
            command: ['sh', '-c'],
            args: ['python3 -c "$MLOPS_TRIAL_PROGRAM"'],
            env,
            resources: pod.resources,
            securityContext: pod.containerSecurityContext,
            volumeMounts: [
              { name: 'mlops-code', mountPath: TRIAL_CODE_DIR, readOnly: true },
              { name: 'mlops-trial', mountPath: TRIAL_WORK_DIR },
              { name: 'mlops-tmp', mountPath: '/tmp' },
            ],
          }],
          volumes: [
            { name: 'mlops-code', configMap: { name: pod.codeConfigMap } },
            { name: 'mlops-trial', emptyDir: {} },
            { name: 'mlops-tmp', emptyDir: {} },
          ],
        }),
      },
    }),
  };
  const settings = step.seed !== undefined && step.algorithm.name !== AlgorithmName.GRID ? [{ name: 'random_state', value: String(step.seed) }] : undefined;
  const experiment = {
    apiVersion: KATIB_API_VERSION,
    kind: 'Experiment',
    metadata: { labels: { ...pod.podLabels, 'mlops.cdk.io/step': experimentPrefix(step) } },
    spec: dropUndefined({
      objective: {
        type: step.objective.goal,
        objectiveMetricName: metric,
        // Each trial reports its metric once, at the end: the latest value is the trial's.
        metricStrategies: [{ name: metric, value: 'latest' }],
      },
      algorithm: dropUndefined({ algorithmName: ALGORITHMS[step.algorithm.name], algorithmSettings: settings }),
      earlyStopping: step.earlyStopping ? { algorithmName: 'medianstop' } : undefined,
      parallelTrialCount: step.parallelTrials,
      maxTrialCount: step.maxTrials,
      maxFailedTrialCount: step.maxFailedTrials,
      parameters: hyper.map(([name, range]) => parameterSpec(name, range)),
      metricsCollectorSpec: {
        collector: { kind: 'File' },
        source: { fileSystemPath: { kind: 'File', path: KATIB_METRICS_FILE, format: 'JSON' } },
      },
      trialTemplate: {
        primaryContainerName: TRIAL_CONTAINER,
        successCondition: 'status.conditions.#(type=="Complete")#|#(status=="True")#',
        failureCondition: 'status.conditions.#(type=="Failed")#|#(status=="True")#',
        trialParameters: hyper.map(([name, range]) => ({ name, reference: name, description: `${name}: ${range}` })),
        trialSpec: job,
      },
    }),
  };
  return { experiment, parameterVariables: launch.parameterVariables };
}

/** Where the engine places the step's files, as its placeholders or paths. */
export interface KatibTuneFiles {
  /** Each input's directory, by input name. */
  readonly inputs: [string, string][];
  /** Trial variables set at run time: MLOPS_PARAM_<NAME> of pipeline parameters, MLOPS_RUN_ID. */
  readonly trialEnv: [string, string][];
  readonly modelDir: string;
  readonly parametersDir: string;
  /** The file the objective metric's value is written to (the step's output parameter). */
  readonly metricFile: string;
}

/** The arguments of katib_tune.py (after `python3 -c <program>`). */
export function katibTuneArguments(step: TuneStep, experiment: object, files: KatibTuneFiles): string[] {
  return [
    '--experiment', JSON.stringify(experiment),
    '--name-prefix', experimentPrefix(step),
    '--step', step.name,
    '--port', String(TUNE_PORT),
    ...files.inputs.flatMap(([name, dir]) => ['--input', `${name}=${dir}`]),
    ...files.trialEnv.flatMap(([name, value]) => ['--trial-env', `${name}=${value}`]),
    '--model-dir', files.modelDir,
    '--parameters-dir', files.parametersDir,
    '--metric-file', `${step.objective.metric}=${files.metricFile}`,
  ];
}

/** The Role rules a tuning step's container needs: its own Experiments, nothing else. */
export const KATIB_STEP_RULES = [
  { apiGroups: ['kubeflow.org'], resources: ['experiments'], verbs: ['create', 'get', 'delete'] },
];

function dropUndefined<T extends { [key: string]: unknown }>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
