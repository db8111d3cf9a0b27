import type { Parameter } from './parameter';
import type { Step } from './step';
import { brand, isA } from './brand';

/** The type of a parameter, metric or literal. */
export enum ValueType {
  STRING = 'string',
  INTEGER = 'integer',
  NUMBER = 'number',
  BOOLEAN = 'boolean',
}

/** A JSON scalar a parameter or literal can hold. */
export type Scalar = string | number | boolean;

/** True for the types `<`, `<=`, `>` and `>=` can compare. */
export function isNumeric(type: ValueType | undefined): boolean {
  return type === ValueType.INTEGER || type === ValueType.NUMBER;
}

/** True when two values of these types can be compared with `==`, `!=` or `in`. */
export function areComparable(a: ValueType | undefined, b: ValueType | undefined): boolean {
  if (a === undefined || b === undefined) {
    return true; // an unresolved reference is reported on its own
  }
  return a === b || (isNumeric(a) && isNumeric(b));
}

/**
 * A value a condition compares or a step reads: a literal, a pipeline parameter, or a metric a
 * step reports. Use the static factories for literals.
 */
export abstract class Value {
  /** True for a Value from any copy of cdk-mlops. */
  public static isValue(x: unknown): x is Value {
    return isA(x, Value);
  }

  public static string(value: string): LiteralValue {
    return new LiteralValue(ValueType.STRING, value);
  }

  public static number(value: number): LiteralValue {
    return new LiteralValue(ValueType.NUMBER, value);
  }

  public static integer(value: number): LiteralValue {
    return new LiteralValue(ValueType.INTEGER, value);
  }

  public static boolean(value: boolean): LiteralValue {
    return new LiteralValue(ValueType.BOOLEAN, value);
  }

  /** The value's type, or undefined when it refers to something that does not exist. */
  public abstract readonly type: ValueType | undefined;

  /** How the value reads in messages and diagrams: `0.9`, `param:minAccuracy`, `train.accuracy`. */
  public abstract toString(): string;
}

export class LiteralValue extends Value {
  public readonly type: ValueType | undefined;

  /** @internal */
  constructor(type: ValueType, public readonly value: Scalar) {
    super();
    this.type = type;
  }

  public toString(): string {
    return JSON.stringify(this.value);
  }
}

/** A reference to a pipeline parameter; get one with `pipeline.parameter(name)`. */
export class ParameterRef extends Value {
  /** @internal */
  constructor(
    public readonly name: string,
    /** The parameter, or undefined when the pipeline has none of that name (a validation error). */
    public readonly parameter: Parameter | undefined,
  ) {
    super();
  }

  public get type(): ValueType | undefined {
    return this.parameter?.type;
  }

  public toString(): string {
    return `param:${this.name}`;
  }
}

/** A metric a step writes to its metrics file; get one with `step.metric(name)`. */
export class MetricRef extends Value {
  /** @internal */
  constructor(public readonly step: Step, public readonly name: string) {
    super();
  }

  public get type(): ValueType | undefined {
    return this.step.metricType(this.name);
  }

  public toString(): string {
    return `${this.step.name}.${this.name}`;
  }
}

brand(Value, 'cdk-mlops.Value');
brand(LiteralValue, 'cdk-mlops.LiteralValue');
brand(ParameterRef, 'cdk-mlops.ParameterRef');
brand(MetricRef, 'cdk-mlops.MetricRef');
