import { Parameter } from '../../pipeline/parameter';
import { Step } from '../../pipeline/step';
import { ArtifactType, CollectedArtifact, isMetricsPort } from '../../pipeline/artifacts';
import { MetricRef, ParameterRef, ValueType } from '../../pipeline/values';
import { METRICS_ARTIFACT, SYSTEM_ARTIFACT, SYSTEM_METRICS, SYSTEM_MODEL } from './executors';

/**
 * A value a task reads: a pipeline parameter, a step's metric or a step's output artifact. A
 * task in a sub-DAG (a condition branch or a forEach loop) reads values produced outside it
 * through the sub-DAG's inputs, named like KFP's own compiler names them ("pipeline channels").
 */
export type Need =
  | { readonly kind: 'parameter'; readonly name: string; readonly type: ValueType }
  | { readonly kind: 'metric'; readonly step: Step; readonly metric: string; readonly type: ValueType }
  | {
    readonly kind: 'artifact';
    readonly step: Step;
    /** The producer component's output key; for a list, the port collected from a forEach. */
    readonly key: string;
    readonly schemaTitle: string;
    /** Every item's artifact of a forEach step: an output of its loop DAG, isArtifactList. */
    readonly list?: boolean;
  };

const CHANNEL = 'pipelinechannel--';
/** The forEach item inside a loop DAG; '-' keeps it apart from parameter names (identifiers). */
export const LOOP_ITEM_CHANNEL = `${CHANNEL}loop-item`;
export const ARTIFACT_SCHEMA_VERSION = '0.0.1';

export function parameterNeed(ref: ParameterRef): Need {
  return { kind: 'parameter', name: ref.name, type: ref.type! };
}

export function metricNeed(ref: MetricRef): Need {
  return { kind: 'metric', step: ref.step, metric: ref.name, type: ref.type! };
}

/** Output `key` of `producer`'s task; with `list`, that output of every item of a forEach step. */
export function artifactNeed(producer: Step, key: string, type: ArtifactType, list = false): Need {
  return { kind: 'artifact', step: producer, key, schemaTitle: schemaTitleOf(type), list: list || undefined };
}

/** The KFP artifact type of a port type. Datasets stay system.Artifact, as they always compiled. */
export function schemaTitleOf(type: ArtifactType): string {
  return type === ArtifactType.MODEL ? SYSTEM_MODEL : type === ArtifactType.METRICS ? SYSTEM_METRICS : SYSTEM_ARTIFACT;
}

/**
 * The output of a forEach step's loop DAG that collects output `key` of every item, named as
 * KFP's compiler names it; channels that carry it into other sub-DAGs have the same name.
 */
export function collectedKey(task: string, key: string): string {
  return `${CHANNEL}${task}-${key}`;
}

/** The body component's output a collected source reads: a port, or the metrics artifact. */
export function collectedOutputKey(source: CollectedArtifact): string {
  return isMetricsPort(source.name, source.type) ? METRICS_ARTIFACT : source.name;
}

/**
 * The sub-DAG input that carries a need. Parameter names have no '-', task names have no
 * uppercase and metric and output names no '-', so the three kinds never share a name.
 */
export function channelName(need: Need, taskOf: (step: Step) => string): string {
  switch (need.kind) {
    case 'parameter':
      return `${CHANNEL}${need.name}`;
    case 'metric':
      return `${CHANNEL}${taskOf(need.step)}-${need.metric}`;
    case 'artifact':
      return collectedKey(taskOf(need.step), need.key);
  }
}

export function parameterType(type: ValueType): string {
  switch (type) {
    case ValueType.STRING:
      return 'STRING';
    case ValueType.INTEGER:
      return 'NUMBER_INTEGER';
    case ValueType.NUMBER:
      return 'NUMBER_DOUBLE';
    case ValueType.BOOLEAN:
      return 'BOOLEAN';
  }
}

export function artifactType(schemaTitle: string): { [key: string]: string } {
  return { schemaTitle, schemaVersion: ARTIFACT_SCHEMA_VERSION };
}

/** A component's input definition for a need. */
export function needDefinition(need: Need): { [key: string]: any } {
  if (need.kind === 'artifact') {
    return artifactDefinition(need.schemaTitle, need.list);
  }
  return { parameterType: parameterType(need.type) };
}

/** An artifact input or output definition; a list (isArtifactList) for collected outputs. */
export function artifactDefinition(schemaTitle: string, list = false): { [key: string]: any } {
  return list ? { artifactType: artifactType(schemaTitle), isArtifactList: true } : { artifactType: artifactType(schemaTitle) };
}

/** The root component's definition of a pipeline parameter. */
export function pipelineParameterDefinition(parameter: Parameter): { [key: string]: any } {
  const spec: { [key: string]: any } = { parameterType: parameterType(parameter.type) };
  if (parameter.defaultValue !== undefined) {
    spec.defaultValue = parameter.defaultValue;
    spec.isOptional = true;
  }
  if (parameter.description) {
    spec.description = parameter.description;
  }
  if (parameter.allowedValues && parameter.allowedValues.length > 0) {
    spec.literals = [...parameter.allowedValues];
  }
  return spec;
}

/** The needs of one DAG that its own tasks cannot satisfy, keyed by channel name. */
export class NeedSet {
  private readonly byChannel = new Map<string, Need>();

  constructor(private readonly taskOf: (step: Step) => string) {}

  public add(need: Need): string {
    const channel = channelName(need, this.taskOf);
    this.byChannel.set(channel, need);
    return channel;
  }

  public addAll(other: NeedSet): void {
    other.entries().forEach(([channel, need]) => this.byChannel.set(channel, need));
  }

  /** Channel name and need, sorted by channel name. */
  public entries(): [string, Need][] {
    return [...this.byChannel.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  public get size(): number {
    return this.byChannel.size;
  }
}

/** The input definitions of a sub-DAG component for its needs (plus extra parameters). */
export function needsInputDefinitions(needs: NeedSet, extraParameters: { [name: string]: any } = {}): { [key: string]: any } | undefined {
  const artifacts: { [key: string]: any } = {};
  const parameters: { [key: string]: any } = { ...extraParameters };
  for (const [channel, need] of needs.entries()) {
    (need.kind === 'artifact' ? artifacts : parameters)[channel] = needDefinition(need);
  }
  const spec: { [key: string]: any } = {};
  if (Object.keys(artifacts).length > 0) {
    spec.artifacts = artifacts;
  }
  if (Object.keys(parameters).length > 0) {
    spec.parameters = parameters;
  }
  return Object.keys(spec).length > 0 ? spec : undefined;
}
