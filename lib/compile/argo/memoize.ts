import { createHash, hash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ArtifactType, DataSourceKind } from '../../pipeline/artifacts';
import { isA } from '../../pipeline/brand';
import { Code } from '../../pipeline/code';
import { ContainerStep } from '../../pipeline/steps/container-step';
import { PipelineGraph } from '../../pipeline/graph';
import { Step } from '../../pipeline/step';
import { LiteralValue, ParameterRef } from '../../pipeline/values';
import { LAUNCHER_PATH } from '../../runtime/paths';
import { ITEM_PARAMETER } from './paths';
import { quote } from './when';

/**
 * Argo memoization caches a template's outputs under a key we choose. The key stands for
 * "the same step definition, code, inputs and parameter values" (the model's cache contract):
 *
 * - a hash of the step's definition and code files, computed at synth time;
 * - the values, at run time, of every pipeline parameter the step reads, and of those read by
 *   the cached steps its inputs come from (their outputs depend on them);
 * - the fan-out item;
 * - the run's uid when an input comes (directly or further up) from a step that is not cached:
 *   that step writes new data every run, so a result computed from it is reused only within
 *   the run. Argo cannot hash artifact contents, so this is the safe reading of "same inputs".
 *
 * Argo allows only `[a-zA-Z0-9][-a-zA-Z0-9]*` as a cache key (it is a ConfigMap key): the run-time
 * part is hashed with sprig's sha256sum.
 */
export interface CacheKey {
  /** Hex digest of the step's definition, code and upstream definitions. */
  readonly definition: string;
  /** Pipeline parameters the cached result depends on, sorted. */
  readonly parameters: string[];
  /** True when the result is only valid within one run. */
  readonly runScoped: boolean;
}

export class CacheKeys {
  private readonly keys = new Map<Step, CacheKey>();
  private readonly codeHashes = new Map<string, string>();

  constructor(private readonly graph: PipelineGraph, private readonly imageOf: (step: ContainerStep) => string | undefined) {}

  public key(step: ContainerStep): CacheKey {
    const known = this.keys.get(step);
    if (known) {
      return known;
    }
    const parameters = new Set<string>();
    let runScoped = false;
    const inputs: { [name: string]: unknown } = {};
    for (const [name, source] of Object.entries(step.inputs())) {
      const producer = source.producer;
      if (producer === undefined) {
        // Data from before the run (a URI): the same URI counts as the same input, as on SageMaker.
        inputs[name] = { [source.sourceKind]: String(source) };
        continue;
      }
      if (!ContainerStep.isContainerStep(producer)) {
        continue;
      }
      const upstream = this.key(producer);
      const cached = this.graph.node(producer).cache?.isEnabled === true;
      const collected = source.sourceKind === DataSourceKind.COLLECTED_OUTPUT ? { collected: true } : {};
      inputs[name] = { producer: upstream.definition, artifact: (source as { name?: string }).name, cached, ...collected };
      upstream.parameters.forEach((p) => parameters.add(p));
      runScoped = runScoped || upstream.runScoped || !cached;
    }
    const params: { [name: string]: unknown } = {};
    for (const [name, value] of Object.entries(step.params)) {
      if (isA(value, ParameterRef)) {
        parameters.add(value.name);
        params[name] = { parameter: value.name };
      } else if (isA(value, LiteralValue)) {
        params[name] = { literal: value.value, type: value.type };
      }
    }
    const definition = sha256(JSON.stringify({
      kind: step.kind,
      entry: step.entry,
      arguments: step.arguments,
      image: this.imageOf(step) ?? null,
      env: sortedObject(step.env),
      params: sortedObject(params),
      inputs: sortedObject(inputs),
      // The declared dataset ports; a training step's model port follows from its kind.
      outputs: Object.entries(step.outputPorts()).filter(([, type]) => type === ArtifactType.DATASET).map(([port]) => port),
      metrics: step.metricTypes(),
      forEach: step.forEach ?? null,
      code: this.codeHash(step.code),
    }));
    const key = { definition, parameters: [...parameters].sort(), runScoped };
    this.keys.set(step, key);
    return key;
  }

  /**
   * The memoize key text of a step's template: `stem` (the definition hash, which differs between
   * steps of one shape and so reaches a shared template as a parameter), then the run-time part.
   */
  public memoizeKey(step: ContainerStep, stem: string = this.memoizeStem(step)): string {
    const key = this.key(step);
    const parts = key.parameters.map((p) => `workflow.parameters[${quote(p)}]`);
    if (step.forEach !== undefined) {
      parts.push(`inputs.parameters[${quote(ITEM_PARAMETER)}]`);
    }
    if (key.runScoped) {
      parts.push('workflow.uid');
    }
    return parts.length === 0 ? stem : `${stem}-{{=sprig.sha256sum(toJson([${parts.join(', ')}]))}}`;
  }

  /** The part of the memoize key that is fixed at synth time. */
  public memoizeStem(step: ContainerStep): string {
    return this.key(step).definition.slice(0, 32);
  }

  private codeHash(code: Code): string {
    const id = [code.directory, ...code.exclude].join('\0');
    const known = this.codeHashes.get(id);
    if (known) {
      return known;
    }
    const hash = createHash('sha256');
    hash.update(fs.readFileSync(LAUNCHER_PATH));
    for (const file of code.files()) {
      hash.update(`\0${file}\0`);
      hash.update(fs.readFileSync(path.join(code.directory, ...file.split('/'))));
    }
    const digest = hash.digest('hex');
    this.codeHashes.set(id, digest);
    return digest;
  }
}

/** Argo's maxAge: whole hours as '24h', else seconds; empty means no expiry. */
export function maxAge(expireAfterHours: number | undefined): string {
  if (expireAfterHours === undefined) {
    return '';
  }
  return Number.isInteger(expireAfterHours) ? `${expireAfterHours}h` : `${Math.max(1, Math.round(expireAfterHours * 3600))}s`;
}

function sha256(text: string): string {
  // The one-shot digest: once per cached step, where a Hash object would cost more than the hashing.
  return hash('sha256', text, 'hex');
}

function sortedObject(o: { [key: string]: unknown }): { [key: string]: unknown } {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}
