import * as path from 'path';
import { ArtifactType, DataSource } from '../artifacts';
import { Code, DEFAULT_EXCLUDE } from '../code';
import { InferenceCode } from '../inference-code';
import { CachePolicy, RetryPolicy } from '../policies';
import { Resources } from '../resources';
import { Step, StepKind } from '../step';
import { ConditionStep } from '../steps/condition-step';
import { ContainerStep, ContainerStepProps } from '../steps/container-step';
import { FailStep } from '../steps/fail-step';
import { ModelApproval, RegisterModelStep } from '../steps/register-model-step';
import { ScriptStep } from '../steps/script-step';
import { TrainingStep } from '../steps/training-step';
import { TuneStep } from '../steps/tune-step';
import { Algorithm, AlgorithmName, Objective, ObjectiveGoal, Range, RangeKind } from '../tuning';
import { Value } from '../values';
import { DecodeContext, decodeCondition, decodeSource, decodeValue, encodeCondition, encodeSource, encodeValue } from './values';

/** A step in a pipeline document: its name, kind, and the fields of its kind. */
export interface StepDocument {
  readonly name: string;
  readonly kind: string;
  readonly description?: string;
  readonly dependsOn?: string[];
  readonly [field: string]: unknown;
}

export interface EncodeContext {
  /** What a step's code directory is written as: a path relative to the document's directory. */
  codeDirectory(code: Code): string;
  encodeStep(step: Step): StepDocument;
}

export interface StepDecodeContext extends DecodeContext {
  readonly baseDir: string;
  /** Builds a nested step (a condition's branch), which no other step may name before. */
  nested(doc: unknown, at: string): Step | undefined;
}

/** How one step kind is written to and read from a pipeline document. */
export interface StepDocumentCodec {
  encode(step: Step, c: EncodeContext): { [field: string]: unknown };
  decode(doc: StepDocument, options: { description?: string; dependsOn: Step[] }, c: StepDecodeContext, at: string): Step;
}

const mapValues = <T, U>(o: { [k: string]: T }, f: (v: T, k: string) => U): { [k: string]: U } => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v, k)]));
const nonEmpty = <T>(o: { [k: string]: T }) => (Object.keys(o).length > 0 ? o : undefined);
const list = (a: string[] | undefined) => (a && a.length > 0 ? [...a] : undefined);

function encodeCode(code: Code, c: EncodeContext): { directory: string; exclude?: string[] } {
  return { directory: c.codeDirectory(code), exclude: list(code.exclude.slice(DEFAULT_EXCLUDE.length)) };
}

function encodeContainer(step: ContainerStep, c: EncodeContext): { [field: string]: unknown } {
  const declaredTypes = Object.entries(step.inputTypes()).filter(([, types]) => types.length === 1);
  return {
    code: encodeCode(step.code, c),
    entry: step.entry,
    arguments: list(step.arguments),
    image: step.image,
    inputs: nonEmpty(mapValues(step.inputs(), encodeSource)),
    inputTypes: declaredTypes.length > 0 ? Object.fromEntries(declaredTypes.map(([name, [type]]) => [name, type])) : undefined,
    params: nonEmpty(mapValues(step.params, encodeValue)),
    env: nonEmpty(step.env),
    metrics: list(step.metricNames),
    resources: step.resources,
    retry: step.retry && { maxRetries: step.retry.maxRetries, intervalSeconds: step.retry.intervalSeconds, backoffRate: step.retry.backoffRate },
    cache: step.cache && { enabled: step.cache.isEnabled, expireAfterHours: step.cache.expireAfterHours },
    timeoutSeconds: step.timeoutSeconds,
    forEach: step.forEach,
  };
}

function decodeContainer(doc: StepDocument, options: { description?: string; dependsOn: Step[] }, c: StepDecodeContext, at: string): ContainerStepProps {
  const inputs: { [name: string]: DataSource } = {};
  for (const [name, source] of Object.entries((doc.inputs ?? {}) as { [name: string]: unknown })) {
    const decoded = decodeSource(source, `${at}.inputs.${name}`, c);
    if (decoded) {
      inputs[name] = decoded;
    }
  }
  const retry = doc.retry as { maxRetries: number; intervalSeconds?: number; backoffRate?: number } | undefined;
  const cache = doc.cache as { enabled: boolean; expireAfterHours?: number } | undefined;
  return {
    ...options,
    code: decodeCode(doc.code, `${at}.code`, c) ?? Code.fromDirectory(c.baseDir),
    entry: doc.entry as string,
    arguments: doc.arguments as string[] | undefined,
    image: doc.image as string | undefined,
    inputs,
    inputTypes: doc.inputTypes as { [name: string]: ArtifactType } | undefined,
    params: mapValues((doc.params ?? {}) as { [name: string]: unknown }, (v, name) => decodeValue(v, `${at}.params.${name}`, c)) as { [name: string]: Value },
    env: doc.env as { [name: string]: string } | undefined,
    metrics: doc.metrics as string[] | undefined,
    resources: doc.resources as Resources | undefined,
    retry: retry && RetryPolicy.of(retry),
    cache: cache && (cache.enabled ? CachePolicy.enabled({ expireAfterHours: cache.expireAfterHours }) : CachePolicy.disabled()),
    timeoutSeconds: doc.timeoutSeconds as number | undefined,
    forEach: doc.forEach as string[] | undefined,
  };
}

/** The step kinds the document knows, by kind: the same table pattern as every engine's. */
function decodeCode(doc: unknown, at: string, c: StepDecodeContext): Code | undefined {
  const code = doc as { directory?: unknown; exclude?: string[] } | undefined;
  if (!code || typeof code.directory !== 'string') {
    c.problem(at, 'needs { "directory": "<path relative to the document>" }');
    return undefined;
  }
  return Code.fromDirectory(path.resolve(c.baseDir, code.directory), { exclude: code.exclude });
}

function decodeInference(doc: unknown, at: string, c: StepDecodeContext): InferenceCode | undefined {
  if (doc === undefined) {
    return undefined;
  }
  const d = doc as { code?: unknown; entry?: unknown; env?: { [name: string]: string } };
  const code = decodeCode(d.code, `${at}.code`, c);
  return code && { code, entry: d.entry as string, env: d.env };
}

export const STEP_DOCUMENTS: { [kind: string]: StepDocumentCodec } = {
  [StepKind.SCRIPT]: {
    encode: (step, c) => ({ ...encodeContainer(step as ScriptStep, c), outputs: list((step as ScriptStep).outputNames), stringMetrics: list((step as ScriptStep).stringMetricNames) }),
    decode: (doc, options, c, at) => new ScriptStep(doc.name, { ...decodeContainer(doc, options, c, at), outputs: doc.outputs as string[] | undefined, stringMetrics: doc.stringMetrics as string[] | undefined }),
  },
  [StepKind.TRAINING]: {
    encode: (step, c) => encodeContainer(step as TrainingStep, c),
    decode: (doc, options, c, at) => new TrainingStep(doc.name, decodeContainer(doc, options, c, at)),
  },
  [StepKind.CONDITION]: {
    encode: (step, c) => {
      const s = step as ConditionStep;
      return { when: encodeCondition(s.when), then: s.thenSteps.map((t) => c.encodeStep(t)), otherwise: s.otherwiseSteps.length > 0 ? s.otherwiseSteps.map((o) => c.encodeStep(o)) : undefined };
    },
    decode: (doc, options, c, at) => {
      const branch = (key: 'then' | 'otherwise') => ((doc[key] ?? []) as unknown[]).map((d, i) => c.nested(d, `${at}.${key}[${i}]`)).filter((s): s is Step => s !== undefined);
      return new ConditionStep(doc.name, { ...options, when: decodeCondition(doc.when, `${at}.when`, c), then: branch('then'), otherwise: doc.otherwise === undefined ? undefined : branch('otherwise') });
    },
  },
  [StepKind.FAIL]: {
    encode: (step) => ({ message: (step as FailStep).message }),
    decode: (doc, options) => new FailStep(doc.name, { ...options, message: doc.message as string }),
  },
  [StepKind.REGISTER_MODEL]: {
    encode: (step, c) => {
      const s = step as RegisterModelStep;
      const inference = s.inference && { code: encodeCode(s.inference.code, c), entry: s.inference.entry, env: nonEmpty(s.inference.env ?? {}) };
      return { model: encodeSource(s.model), group: s.group, approval: s.approval, image: s.image, contentTypes: s.contentTypes, responseTypes: s.responseTypes, inference };
    },
    decode: (doc, options, c, at) => new RegisterModelStep(doc.name, {
      ...options,
      model: decodeSource(doc.model, `${at}.model`, c) as DataSource,
      group: doc.group as string,
      approval: doc.approval as ModelApproval | undefined,
      image: doc.image as string | undefined,
      contentTypes: doc.contentTypes as string[] | undefined,
      responseTypes: doc.responseTypes as string[] | undefined,
      inference: decodeInference(doc.inference, `${at}.inference`, c),
    }),
  },
  [StepKind.TUNE]: {
    encode: (step, c) => {
      const s = step as TuneStep;
      return {
        trial: c.encodeStep(s.trial),
        objective: { goal: s.objective.goal, metric: s.objective.metric },
        space: mapValues(s.space, (r) => ({ kind: r.kind, min: r.min, max: r.max, values: r.values })),
        algorithm: s.algorithm.name,
        maxTrials: s.maxTrials,
        parallelTrials: s.parallelTrials,
        maxFailedTrials: s.maxFailedTrials,
        earlyStopping: s.earlyStopping || undefined,
        seed: s.seed,
      };
    },
    decode: (doc, options, c, at) => new TuneStep(doc.name, {
      ...options,
      trial: decodeTrial(doc.trial, `${at}.trial`, c) as TrainingStep,
      objective: decodeObjective(doc.objective, `${at}.objective`, c) as Objective,
      space: mapValues((doc.space ?? {}) as { [name: string]: unknown }, (r, name) => decodeRange(r, `${at}.space.${name}`, c)) as { [name: string]: Range },
      algorithm: decodeAlgorithm(doc.algorithm, `${at}.algorithm`, c),
      maxTrials: doc.maxTrials as number,
      parallelTrials: doc.parallelTrials as number | undefined,
      maxFailedTrials: doc.maxFailedTrials as number | undefined,
      earlyStopping: doc.earlyStopping as boolean | undefined,
      seed: doc.seed as number | undefined,
    }),
  },
};

function decodeTrial(doc: unknown, at: string, c: StepDecodeContext): TrainingStep | undefined {
  const trial = doc as StepDocument | undefined;
  if (!trial || typeof trial.name !== 'string' || trial.kind !== StepKind.TRAINING) {
    c.problem(at, 'needs a training step: { "name": ..., "kind": "training", ... }');
    return undefined;
  }
  const dependsOn = (trial.dependsOn ?? []).map((n, i) => c.step(n, `${at}.dependsOn[${i}]`)).filter((s): s is Step => s !== undefined);
  return STEP_DOCUMENTS[StepKind.TRAINING].decode(trial, { description: trial.description, dependsOn }, c, at) as TrainingStep;
}

function decodeObjective(doc: unknown, at: string, c: StepDecodeContext): Objective | undefined {
  const o = doc as { goal?: unknown; metric?: unknown } | undefined;
  if (o?.goal === ObjectiveGoal.MAXIMIZE) {
    return Objective.maximize(o.metric as string);
  }
  if (o?.goal === ObjectiveGoal.MINIMIZE) {
    return Objective.minimize(o.metric as string);
  }
  c.problem(at, 'needs { "goal": "maximize" | "minimize", "metric": "<name>" }');
  return undefined;
}

const RANGE_FACTORIES: { [kind: string]: (r: { min?: number; max?: number; values?: string[] }) => Range } = {
  [RangeKind.UNIFORM]: (r) => Range.uniform(r.min as number, r.max as number),
  [RangeKind.LOG_UNIFORM]: (r) => Range.logUniform(r.min as number, r.max as number),
  [RangeKind.INTEGER]: (r) => Range.integer(r.min as number, r.max as number),
  [RangeKind.CATEGORICAL]: (r) => Range.categorical(r.values as string[]),
};

function decodeRange(doc: unknown, at: string, c: StepDecodeContext): Range | undefined {
  const r = doc as { kind?: string; min?: number; max?: number; values?: string[] } | undefined;
  const factory = r && typeof r.kind === 'string' && Object.prototype.hasOwnProperty.call(RANGE_FACTORIES, r.kind) ? RANGE_FACTORIES[r.kind] : undefined;
  if (factory === undefined) {
    c.problem(at, `needs "kind" (${Object.keys(RANGE_FACTORIES).join(', ')})`);
    return undefined;
  }
  return factory(r!);
}

const ALGORITHMS: { [name: string]: () => Algorithm } = {
  [AlgorithmName.RANDOM]: Algorithm.random,
  [AlgorithmName.GRID]: Algorithm.grid,
  [AlgorithmName.BAYESIAN]: Algorithm.bayesian,
};

function decodeAlgorithm(doc: unknown, at: string, c: StepDecodeContext): Algorithm | undefined {
  if (doc === undefined) {
    return undefined;
  }
  if (typeof doc !== 'string' || !Object.prototype.hasOwnProperty.call(ALGORITHMS, doc)) {
    c.problem(at, `is ${JSON.stringify(doc)} (allowed: ${Object.keys(ALGORITHMS).join(', ')})`);
    return undefined;
  }
  return ALGORITHMS[doc]();
}
