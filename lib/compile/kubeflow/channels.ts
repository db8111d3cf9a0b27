import { Parameter } from '../../pipeline/parameter';
import { Step } from '../../pipeline/step';
import { MetricRef, ParameterRef, StepArtifact, ValueType } from '../../pipeline/values';
import { MODEL_OUTPUT, SYSTEM_ARTIFACT, SYSTEM_MODEL } from './executors';

/**
 * A value a task reads: a pipeline parameter, a step's metric or a step's output artifact. A
 * task in a sub-DAG (a condition branch or a forEach loop) reads values produced outside it
 * through the sub-DAG's inputs, named like KFP's own compiler names them ("pipeline channels").
 */
export type Need =
  | { readonly kind: 'parameter'; readonly name: string; readonly type: ValueType }
  | { readonly kind: 'metric'; readonly step: Step; readonly metric: string; readonly type: ValueType }
  | { readonly kind: 'artifact'; readonly step: Step; readonly key: string; readonly schemaTitle: string };

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

export function artifactNeed(source: StepArtifact): Need {
  return {
    kind: 'artifact',
    step: source.producer,
    key: source.isModel ? MODEL_OUTPUT : source.name,
    schemaTitle: source.isModel ? SYSTEM_MODEL : SYSTEM_ARTIFACT,
  };
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
      return `${CHANNEL}${taskOf(need.step)}-${need.key}`;
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
  return need.kind === 'artifact' ? { artifactType: artifactType(need.schemaTitle) } : { parameterType: parameterType(need.type) };
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
