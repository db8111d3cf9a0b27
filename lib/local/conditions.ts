import {
  AndCondition,
  Comparison,
  ComparisonOperator,
  Condition,
  InCondition,
  NotCondition,
  OrCondition,
} from '../pipeline/condition';
import { isA } from '../pipeline/brand';
import { LiteralValue, MetricRef, ParameterRef, Scalar, Value } from '../pipeline/values';

/** What a condition reads at run time: parameter values and the metrics steps wrote. */
export interface ConditionInputs {
  readonly parameters: { readonly [name: string]: Scalar };
  /**
   * Metrics by step name. A step that ran but wrote no metrics file is present with `undefined`
   * metrics, so the error can say so.
   */
  readonly metricsOf: (step: string) => { readonly [name: string]: unknown } | undefined;
}

/** A condition that cannot be decided: a missing metric, a value of the wrong type. */
export class ConditionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConditionError';
  }
}

/** Decides a condition on real values: numbers compare with numbers, strings and booleans with their own kind. */
export function evaluateCondition(condition: Condition, inputs: ConditionInputs): boolean {
  if (isA(condition, Comparison)) {
    return compare(condition, resolve(condition.left, inputs), resolve(condition.right, inputs));
  }
  if (isA(condition, InCondition)) {
    const value = resolve(condition.value, inputs);
    return condition.candidates.some((candidate) => equal(condition, condition.value, value, candidate, resolve(candidate, inputs)));
  }
  if (isA(condition, AndCondition)) {
    return condition.conditions.every((c) => evaluateCondition(c, inputs));
  }
  if (isA(condition, OrCondition)) {
    return condition.conditions.some((c) => evaluateCondition(c, inputs));
  }
  if (isA(condition, NotCondition)) {
    return !evaluateCondition(condition.condition, inputs);
  }
  throw new ConditionError(`'${condition}' is not a condition the local runner knows`);
}

/** The run-time value of one operand. */
export function resolve(value: Value, inputs: ConditionInputs): Scalar {
  if (isA(value, LiteralValue)) {
    return value.value;
  }
  if (isA(value, ParameterRef)) {
    if (!(value.name in inputs.parameters)) {
      throw new ConditionError(`parameter '${value.name}' has no value in this run`);
    }
    return inputs.parameters[value.name];
  }
  if (isA(value, MetricRef)) {
    const producer = value.step.name;
    const metrics = inputs.metricsOf(producer);
    if (metrics === undefined) {
      throw new ConditionError(`needs metric '${value.name}' of step '${producer}', but '${producer}' wrote no metrics file; make its script write {"${value.name}": <value>} as JSON to the file named by MLOPS_METRICS_FILE`);
    }
    if (!(value.name in metrics)) {
      const found = Object.keys(metrics);
      throw new ConditionError(`needs metric '${value.name}' of step '${producer}', but its metrics file has ${found.length ? `only ${found.map((m) => `'${m}'`).join(', ')}` : 'no metrics'}; make its script write '${value.name}' to MLOPS_METRICS_FILE`);
    }
    const metric = metrics[value.name];
    if (typeof metric !== 'number' && typeof metric !== 'string' && typeof metric !== 'boolean') {
      throw new ConditionError(`metric '${value.name}' of step '${producer}' is ${JSON.stringify(metric)}, not a number or string`);
    }
    return metric;
  }
  throw new ConditionError(`${value} is not a value the local runner can read`);
}

function compare(condition: Comparison, left: Scalar, right: Scalar): boolean {
  const op = condition.operator;
  if (op === ComparisonOperator.EQ) {
    return equal(condition, condition.left, left, condition.right, right);
  }
  if (op === ComparisonOperator.NE) {
    return !equal(condition, condition.left, left, condition.right, right);
  }
  if (typeof left !== 'number' || typeof right !== 'number') {
    const culprit = typeof left !== 'number' ? { ref: condition.left, value: left } : { ref: condition.right, value: right };
    throw new ConditionError(`'${condition}': ${culprit.ref} is ${JSON.stringify(culprit.value)} (${typeof culprit.value}), but '${op}' compares numbers`);
  }
  switch (op) {
    case ComparisonOperator.LT:
      return left < right;
    case ComparisonOperator.LTE:
      return left <= right;
    case ComparisonOperator.GT:
      return left > right;
    case ComparisonOperator.GTE:
      return left >= right;
  }
  throw new ConditionError(`'${condition}': unknown operator '${op}'`);
}

function equal(condition: Condition, leftRef: Value, left: Scalar, rightRef: Value, right: Scalar): boolean {
  if (typeof left !== typeof right) {
    throw new ConditionError(`'${condition}': ${leftRef} is ${JSON.stringify(left)} (${typeof left}) and ${rightRef} is ${JSON.stringify(right)} (${typeof right}); only values of the same kind compare`);
  }
  return left === right;
}
