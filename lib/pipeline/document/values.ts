import { CollectedArtifact, DataSource, ExternalData, METRICS_PORT, StepArtifact } from '../artifacts';
import { AndCondition, Comparison, ComparisonOperator, Condition, InCondition, NotCondition, OrCondition } from '../condition';
import { isA } from '../brand';
import { FeatureSnapshot } from '../feature-snapshot';
import { LiteralValue, MetricRef, ParameterRef, Value, ValueType } from '../values';
import type { Step } from '../step';
import { ContainerStep } from '../steps/container-step';

/** A value in a pipeline document. */
export type ValueDocument =
  | { readonly literal: string | number | boolean; readonly type: string }
  | { readonly parameter: string }
  | { readonly metric: string; readonly step: string };

/** A condition in a pipeline document. */
export type ConditionDocument =
  | { readonly compare: string; readonly left: ValueDocument; readonly right: ValueDocument }
  | { readonly in: ValueDocument; readonly candidates: ValueDocument[] }
  | { readonly and: ConditionDocument[] }
  | { readonly or: ConditionDocument[] }
  | { readonly not: ConditionDocument };

/** Where an input reads from, in a pipeline document. */
export type SourceDocument =
  | { readonly step: string; readonly port: string }
  | { readonly step: string; readonly collect: string }
  | { readonly uri: string; readonly type: string }
  | { readonly featureSnapshot: string; readonly version: ValueDocument; readonly store?: string };

export function encodeValue(value: Value): ValueDocument {
  if (isA(value, LiteralValue)) {
    return { literal: value.value, type: value.type! };
  }
  if (isA(value, ParameterRef)) {
    return { parameter: value.name };
  }
  if (isA(value, MetricRef)) {
    return { metric: value.name, step: value.step.name };
  }
  throw new Error(`a value of class ${value?.constructor?.name} has no pipeline document form`);
}

export function encodeCondition(condition: Condition): ConditionDocument {
  if (isA(condition, Comparison)) {
    return { compare: condition.operator, left: encodeValue(condition.left), right: encodeValue(condition.right) };
  }
  if (isA(condition, InCondition)) {
    return { in: encodeValue(condition.value), candidates: condition.candidates.map(encodeValue) };
  }
  if (isA(condition, AndCondition)) {
    return { and: condition.conditions.map(encodeCondition) };
  }
  if (isA(condition, OrCondition)) {
    return { or: condition.conditions.map(encodeCondition) };
  }
  if (isA(condition, NotCondition)) {
    return { not: encodeCondition(condition.condition) };
  }
  throw new Error(`a condition of class ${condition?.constructor?.name} has no pipeline document form`);
}

export function encodeSource(source: DataSource): SourceDocument {
  if (isA(source, StepArtifact)) {
    return { step: source.step.name, port: source.name };
  }
  if (isA(source, CollectedArtifact)) {
    return { step: source.step.name, collect: source.name };
  }
  if (isA(source, ExternalData)) {
    return { uri: source.uri, type: source.type };
  }
  if (isA(source, FeatureSnapshot)) {
    return { featureSnapshot: source.table, version: encodeValue(source.version), store: source.store };
  }
  throw new Error(`a data source of kind '${source?.sourceKind}' has no pipeline document form`);
}

/** What decoding needs: steps by name (built on demand), parameters, and where problems go. */
export interface DecodeContext {
  step(name: string, at: string): Step | undefined;
  parameter(name: string): ParameterRef;
  problem(at: string, message: string): void;
}

const OPERATORS = Object.values(ComparisonOperator) as string[];
const VALUE_TYPES = Object.values(ValueType) as string[];

export function decodeValue(doc: any, at: string, c: DecodeContext): Value {
  if (doc && typeof doc === 'object' && 'literal' in doc) {
    if (!VALUE_TYPES.includes(doc.type)) {
      c.problem(at, `literal type ${JSON.stringify(doc.type)} is not one of ${VALUE_TYPES.join(', ')}`);
      return Value.string(String(doc.literal));
    }
    return new LiteralValue(doc.type as ValueType, doc.literal);
  }
  if (doc && typeof doc === 'object' && typeof doc.parameter === 'string') {
    return c.parameter(doc.parameter);
  }
  if (doc && typeof doc === 'object' && typeof doc.metric === 'string' && typeof doc.step === 'string') {
    const step = c.step(doc.step, at);
    return step ? new MetricRef(step, doc.metric) : Value.string('');
  }
  c.problem(at, `${JSON.stringify(doc)} is not a value; write { "literal": 0.9, "type": "number" }, { "parameter": "<name>" } or { "metric": "<name>", "step": "<step>" }`);
  return Value.string('');
}

export function decodeCondition(doc: any, at: string, c: DecodeContext): Condition {
  if (doc && typeof doc === 'object') {
    if (typeof doc.compare === 'string') {
      if (!OPERATORS.includes(doc.compare)) {
        c.problem(at, `compare ${JSON.stringify(doc.compare)} is not one of ${OPERATORS.join(', ')}`);
      }
      return new Comparison(doc.compare as ComparisonOperator, decodeValue(doc.left, `${at}.left`, c), decodeValue(doc.right, `${at}.right`, c));
    }
    if ('in' in doc && Array.isArray(doc.candidates)) {
      return new InCondition(decodeValue(doc.in, `${at}.in`, c), doc.candidates.map((v: unknown, i: number) => decodeValue(v, `${at}.candidates[${i}]`, c)));
    }
    if (Array.isArray(doc.and)) {
      return new AndCondition(doc.and.map((d: unknown, i: number) => decodeCondition(d, `${at}.and[${i}]`, c)));
    }
    if (Array.isArray(doc.or)) {
      return new OrCondition(doc.or.map((d: unknown, i: number) => decodeCondition(d, `${at}.or[${i}]`, c)));
    }
    if ('not' in doc) {
      return new NotCondition(decodeCondition(doc.not, `${at}.not`, c));
    }
  }
  c.problem(at, `${JSON.stringify(doc)} is not a condition; write { "compare": ">=", "left": ..., "right": ... }, { "in": ..., "candidates": [...] }, { "and": [...] }, { "or": [...] } or { "not": ... }`);
  return new AndCondition([]);
}

export function decodeSource(doc: any, at: string, c: DecodeContext): DataSource | undefined {
  if (doc && typeof doc === 'object' && typeof doc.uri === 'string') {
    return DataSource.fromUri(doc.uri, { type: doc.type });
  }
  if (doc && typeof doc === 'object' && typeof doc.featureSnapshot === 'string') {
    return FeatureSnapshot.read(doc.featureSnapshot, { version: doc.version === undefined ? undefined : decodeValue(doc.version, `${at}.version`, c), store: doc.store });
  }
  if (doc && typeof doc === 'object' && typeof doc.step === 'string' && (typeof doc.port === 'string' || typeof doc.collect === 'string')) {
    const step = c.step(doc.step, at);
    if (step === undefined) {
      return undefined;
    }
    const port: string = doc.port ?? doc.collect;
    if (typeof doc.port === 'string') {
      const type = step.outputPorts()[port];
      if (type === undefined) {
        c.problem(at, `step '${doc.step}' has no output '${port}' (outputs: ${Object.keys(step.outputPorts()).join(', ') || 'none'})`);
        return undefined;
      }
      return new StepArtifact(step, port, type);
    }
    if (!ContainerStep.isContainerStep(step)) {
      c.problem(at, `step '${doc.step}' is a '${step.kind}' step: it has nothing to collect`);
      return undefined;
    }
    return port === METRICS_PORT ? step.collectMetrics() : step.collect(port);
  }
  c.problem(at, `${JSON.stringify(doc)} is not a data source; write { "step": "<step>", "port": "<output>" }, { "step": "<step>", "collect": "<output>" }, { "uri": "s3://...", "type": "dataset" } or { "featureSnapshot": "<table>", "version": { "parameter": "<name>" } }`);
  return undefined;
}
