import {
  AndCondition,
  Comparison,
  ComparisonOperator,
  Condition,
  InCondition,
  NotCondition,
  OrCondition,
} from '../../pipeline/condition';
import { isA } from '../../pipeline/brand';
import { Value } from '../../pipeline/values';
import { ComparisonType, ConditionDefinition, ExpressionOrScalar } from './definition';

const COMPARISONS: { [op in ComparisonOperator]?: ComparisonType } = {
  [ComparisonOperator.EQ]: 'Equals',
  [ComparisonOperator.LT]: 'LessThan',
  [ComparisonOperator.LTE]: 'LessThanOrEqualTo',
  [ComparisonOperator.GT]: 'GreaterThan',
  [ComparisonOperator.GTE]: 'GreaterThanOrEqualTo',
};

export type ValueRenderer = (value: Value) => ExpressionOrScalar;

/**
 * The Conditions list of a SageMaker condition step (all must hold). SageMaker has Equals,
 * the four orderings, In, Not and Or, but no And: a top-level `and` becomes the list itself, and
 * an `and` nested under `or` or `not` becomes not(or(not a, not b, ...)) (De Morgan). `!=` is
 * not(Equals). Double negations cancel.
 */
export function conditionList(condition: Condition, value: ValueRenderer): ConditionDefinition[] {
  if (isA(condition, AndCondition)) {
    return condition.conditions.flatMap((c) => conditionList(c, value));
  }
  return [single(condition, value)];
}

function single(condition: Condition, value: ValueRenderer): ConditionDefinition {
  if (isA(condition, Comparison)) {
    if (condition.operator === ComparisonOperator.NE) {
      return negate({ Type: 'Equals', LeftValue: value(condition.left), RightValue: value(condition.right) });
    }
    return { Type: COMPARISONS[condition.operator]!, LeftValue: value(condition.left), RightValue: value(condition.right) };
  }
  if (isA(condition, InCondition)) {
    return { Type: 'In', QueryValue: value(condition.value), Values: condition.candidates.map(value) };
  }
  if (isA(condition, NotCondition)) {
    return negate(single(condition.condition, value));
  }
  if (isA(condition, OrCondition)) {
    const members = condition.conditions.map((c) => single(c, value));
    return members.length === 1 ? members[0] : { Type: 'Or', Conditions: members };
  }
  if (isA(condition, AndCondition)) {
    const members = condition.conditions.map((c) => single(c, value));
    return members.length === 1 ? members[0] : negate({ Type: 'Or', Conditions: members.map(negate) });
  }
  throw new Error(`condition '${condition}' (${condition.constructor.name}) has no SageMaker Pipelines form`);
}

function negate(condition: ConditionDefinition): ConditionDefinition {
  return condition.Type === 'Not' ? condition.Condition : { Type: 'Not', Condition: condition };
}
