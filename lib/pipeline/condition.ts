import { Value } from './values';
import { brand, isA } from './brand';

export enum ComparisonOperator {
  EQ = '==',
  NE = '!=',
  LT = '<',
  LTE = '<=',
  GT = '>',
  GTE = '>=',
}

/**
 * A boolean expression over parameters, metrics and literals, evaluated when a condition step
 * runs. Build it with the static factories: `Condition.gte(train.metric('accuracy'), pipeline.parameter('minAccuracy'))`.
 */
export abstract class Condition {
  /** True for a Condition from any copy of cdk-mlops. */
  public static isCondition(x: unknown): x is Condition {
    return isA(x, Condition);
  }

  public static eq(left: Value, right: Value): Comparison {
    return new Comparison(ComparisonOperator.EQ, left, right);
  }

  public static ne(left: Value, right: Value): Comparison {
    return new Comparison(ComparisonOperator.NE, left, right);
  }

  public static lt(left: Value, right: Value): Comparison {
    return new Comparison(ComparisonOperator.LT, left, right);
  }

  public static lte(left: Value, right: Value): Comparison {
    return new Comparison(ComparisonOperator.LTE, left, right);
  }

  public static gt(left: Value, right: Value): Comparison {
    return new Comparison(ComparisonOperator.GT, left, right);
  }

  public static gte(left: Value, right: Value): Comparison {
    return new Comparison(ComparisonOperator.GTE, left, right);
  }

  /** True when `value` equals one of `candidates`. */
  public static isIn(value: Value, candidates: Value[]): InCondition {
    return new InCondition(value, candidates);
  }

  public static and(...conditions: Condition[]): AndCondition {
    return new AndCondition(conditions);
  }

  public static or(...conditions: Condition[]): OrCondition {
    return new OrCondition(conditions);
  }

  public static not(condition: Condition): NotCondition {
    return new NotCondition(condition);
  }

  /** Every value the condition reads, left to right. */
  public abstract values(): Value[];

  public abstract toString(): string;
}

export class Comparison extends Condition {
  /** @internal */
  constructor(
    public readonly operator: ComparisonOperator,
    public readonly left: Value,
    public readonly right: Value,
  ) {
    super();
  }

  public values(): Value[] {
    return [this.left, this.right];
  }

  public toString(): string {
    return `${this.left} ${this.operator} ${this.right}`;
  }
}

export class InCondition extends Condition {
  /** @internal */
  constructor(public readonly value: Value, public readonly candidates: Value[]) {
    super();
  }

  public values(): Value[] {
    return [this.value, ...this.candidates];
  }

  public toString(): string {
    return `${this.value} in [${this.candidates.join(', ')}]`;
  }
}

export class AndCondition extends Condition {
  /** @internal */
  constructor(public readonly conditions: Condition[]) {
    super();
  }

  public values(): Value[] {
    return valuesOf(this.conditions);
  }

  public toString(): string {
    return this.conditions.map((c) => `(${c})`).join(' and ');
  }
}

export class OrCondition extends Condition {
  /** @internal */
  constructor(public readonly conditions: Condition[]) {
    super();
  }

  public values(): Value[] {
    return valuesOf(this.conditions);
  }

  public toString(): string {
    return this.conditions.map((c) => `(${c})`).join(' or ');
  }
}

export class NotCondition extends Condition {
  /** @internal */
  constructor(public readonly condition: Condition) {
    super();
  }

  public values(): Value[] {
    return valuesOf([this.condition]);
  }

  public toString(): string {
    return `not (${this.condition})`;
  }
}

/** The values of the operands that are conditions; the others are left for validation to name. */
function valuesOf(conditions: Condition[]): Value[] {
  return conditions.flatMap((c) => (Condition.isCondition(c) ? c.values() : []));
}

brand(Condition, 'cdk-mlops.Condition');
brand(Comparison, 'cdk-mlops.Comparison');
brand(InCondition, 'cdk-mlops.InCondition');
brand(AndCondition, 'cdk-mlops.AndCondition');
brand(OrCondition, 'cdk-mlops.OrCondition');
brand(NotCondition, 'cdk-mlops.NotCondition');
