import * as path from 'path';
import { Code } from '../code';
import { PipelineValidationError, show } from '../errors';
import { Parameter } from '../parameter';
import { Pipeline } from '../pipeline';
import { CachePolicy, RetryPolicy } from '../policies';
import { Resources } from '../resources';
import { Step } from '../step';
import { ParameterRef, ValueType } from '../values';
import { STEP_DOCUMENTS, StepDecodeContext, StepDocument } from './steps';

/** The version of the pipeline document format this code writes and reads. */
export const PIPELINE_DOCUMENT_VERSION = 'cdk-mlops/pipeline/v1';

/** The neutral form of a pipeline: JSON any language can write, read, diff and run. */
export interface PipelineDocument {
  readonly version: string;
  readonly name: string;
  readonly description?: string;
  readonly parameters?: { [name: string]: { type: string; default?: string | number | boolean; allowedValues?: string[]; description?: string } };
  readonly defaults?: { resources?: Resources; retry?: { maxRetries: number; intervalSeconds: number; backoffRate: number }; cache?: { enabled: boolean; expireAfterHours?: number } };
  readonly steps: StepDocument[];
}

const drop = <T extends object>(o: T): T => JSON.parse(JSON.stringify(o));

export interface PipelineDocumentOptions {
  /**
   * What each code directory is written as, instead of its path relative to `baseDir`: for
   * example the name of the folder a Kubernetes manifest's code archive unpacks into.
   */
  readonly codeDirectory?: (code: Code) => string;
}

const posix = (p: string) => p.split(path.sep).join('/');

/** The pipeline as a document; code directories are written relative to `baseDir`. */
export function toPipelineDocument(pipeline: Pipeline, baseDir: string, options: PipelineDocumentOptions = {}): PipelineDocument {
  pipeline.validate();
  const codeDirectory = options.codeDirectory ?? ((code: Code) => posix(path.relative(baseDir, code.directory)) || '.');
  const encodeStep = (step: Step): StepDocument => {
    const codec = STEP_DOCUMENTS[step.kind];
    if (codec === undefined) {
      throw new PipelineValidationError(`Pipeline '${pipeline.name}' as a document`, [`step '${step.name}': kind '${step.kind}' has no document form (known: ${Object.keys(STEP_DOCUMENTS).join(', ')})`]);
    }
    const dependsOn = step.dependsOn.map((s) => s.name);
    return { name: step.name, kind: step.kind, description: step.description, ...(dependsOn.length > 0 ? { dependsOn } : {}), ...codec.encode(step, { codeDirectory, encodeStep }) };
  };
  const retry = pipeline.defaultRetry;
  const cache = pipeline.defaultCache;
  return drop({
    version: PIPELINE_DOCUMENT_VERSION,
    name: pipeline.name,
    description: pipeline.description,
    parameters: Object.fromEntries(Object.entries(pipeline.parameters).map(([name, p]) => [name, { type: p.type, default: p.defaultValue, allowedValues: p.allowedValues, description: p.description }])),
    defaults: {
      resources: pipeline.defaultResources,
      retry: retry && { maxRetries: retry.maxRetries, intervalSeconds: retry.intervalSeconds, backoffRate: retry.backoffRate },
      cache: cache && { enabled: cache.isEnabled, expireAfterHours: cache.expireAfterHours },
    },
    steps: pipeline.steps.map(encodeStep),
  });
}

const PARAMETER_FACTORIES: { [type: string]: (d: any, o: object) => Parameter } = {
  [ValueType.STRING]: (d, o) => Parameter.string(d, o),
  [ValueType.INTEGER]: (d, o) => Parameter.integer(d, o),
  [ValueType.NUMBER]: (d, o) => Parameter.number(d, o),
  [ValueType.BOOLEAN]: (d, o) => Parameter.boolean(d, o),
};

/**
 * The pipeline a document describes; code directories are read relative to `baseDir`. A document
 * of another version or shape throws one PipelineValidationError naming every problem and where.
 */
export function fromPipelineDocument(doc: unknown, baseDir: string, source = 'pipeline document'): Pipeline {
  const subject = source;
  const d = doc as PipelineDocument;
  if (!d || typeof d !== 'object' || Array.isArray(d)) {
    throw new PipelineValidationError(subject, [`is ${show(doc)}, not a JSON object; write { "version": "${PIPELINE_DOCUMENT_VERSION}", "name": ..., "steps": [...] }`]);
  }
  if (d.version !== PIPELINE_DOCUMENT_VERSION) {
    throw new PipelineValidationError(subject, [`version ${show(d.version)} is not one this cdk-mlops reads (it reads '${PIPELINE_DOCUMENT_VERSION}'); write it with the same cdk-mlops version, or upgrade cdk-mlops`]);
  }
  const problems: string[] = [];
  if (typeof d.name !== 'string' || !Array.isArray(d.steps)) {
    throw new PipelineValidationError(subject, ['needs "name" (a string) and "steps" (an array)']);
  }
  const parameters: { [name: string]: Parameter } = {};
  for (const [name, p] of Object.entries(d.parameters ?? {})) {
    const factory = PARAMETER_FACTORIES[p?.type];
    if (factory === undefined) {
      problems.push(`parameters.${name}: type ${show(p?.type)} is not one of ${Object.keys(PARAMETER_FACTORIES).join(', ')}`);
      continue;
    }
    parameters[name] = factory(p.default, { allowedValues: p.allowedValues, description: p.description });
  }
  const defaults = d.defaults ?? {};
  const pipeline = new Pipeline(d.name, {
    description: d.description,
    parameters,
    defaultResources: defaults.resources,
    defaultRetry: defaults.retry && RetryPolicy.of(defaults.retry),
    defaultCache: defaults.cache && (defaults.cache.enabled ? CachePolicy.enabled({ expireAfterHours: defaults.cache.expireAfterHours }) : CachePolicy.disabled()),
  });

  const docs = new Map<string, { doc: StepDocument; at: string }>();
  const collect = (list: unknown[], at: string) => list.forEach((s, i) => {
    const step = s as StepDocument;
    const where = `${at}[${i}]`;
    if (!step || typeof step.name !== 'string' || typeof step.kind !== 'string') {
      problems.push(`${where}: needs "name" and "kind" strings`);
      return;
    }
    if (docs.has(step.name)) {
      problems.push(`${where}: a second step named '${step.name}' (first at ${docs.get(step.name)!.at})`);
      return;
    }
    docs.set(step.name, { doc: step, at: where });
    for (const branch of ['then', 'otherwise']) {
      if (Array.isArray(step[branch])) {
        collect(step[branch] as unknown[], `${where}.${branch}`);
      }
    }
  });
  collect(d.steps, 'steps');

  const built = new Map<string, Step>();
  const building = new Set<string>();
  const context: StepDecodeContext = {
    baseDir,
    parameter: (name) => (name in parameters ? pipeline.parameter(name) : new ParameterRef(name, undefined)),
    problem: (at, message) => problems.push(`${at}: ${message}`),
    step: (name, at) => build(name, at),
    nested: (doc, at) => build((doc as StepDocument)?.name, at),
  };
  function build(name: string, at: string): Step | undefined {
    const existing = built.get(name);
    if (existing) {
      return existing;
    }
    const entry = docs.get(name);
    if (entry === undefined) {
      context.problem(at, `names step ${show(name)}, which the document does not have (steps: ${[...docs.keys()].join(', ')})`);
      return undefined;
    }
    if (building.has(name)) {
      context.problem(at, `step '${name}' depends on itself through ${[...building].join(' -> ')}`);
      return undefined;
    }
    const codec = STEP_DOCUMENTS[entry.doc.kind];
    if (codec === undefined) {
      context.problem(entry.at, `kind ${show(entry.doc.kind)} is not one this cdk-mlops reads (known: ${Object.keys(STEP_DOCUMENTS).join(', ')})`);
      return undefined;
    }
    building.add(name);
    const dependsOn = (entry.doc.dependsOn ?? []).map((n, i) => build(n, `${entry.at}.dependsOn[${i}]`)).filter((s): s is Step => s !== undefined);
    const step = codec.decode(entry.doc, { description: entry.doc.description, dependsOn }, context, entry.at);
    building.delete(name);
    built.set(name, step);
    return step;
  }
  const top = d.steps.map((s, i) => build((s as StepDocument)?.name, `steps[${i}]`)).filter((s): s is Step => s !== undefined);
  if (problems.length > 0) {
    throw new PipelineValidationError(subject, problems);
  }
  pipeline.addStep(...top);
  pipeline.validate();
  return pipeline;
}
