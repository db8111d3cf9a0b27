import { isA } from '../../pipeline/brand';
import { AndCondition, Comparison, Condition, InCondition, NotCondition, OrCondition } from '../../pipeline/condition';
import { Branch } from '../../pipeline/steps/condition-step';
import { BranchScope } from '../../pipeline/graph';
import { isNumeric, LiteralValue, MetricRef, ParameterRef, Value, ValueType } from '../../pipeline/values';
import { stepTemplateName } from './names';

/**
 * Conditions become Argo `when` fields written as one expression tag, `{{=...}}`, evaluated with
 * expr-lang over typed variables. Plain `{{tasks...}}` substitution would paste metric text into
 * govaluate, which breaks on values such as `1e-05` (not a govaluate number) and on strings that
 * contain quotes. The tag's result (`true`/`false`) is what govaluate then reads.
 *
 * Parameters and metrics are strings in Argo: numbers are compared through `asFloat(...)`,
 * booleans as `== 'true'`, strings as they are.
 */
export function whenExpression(scope: BranchScope[]): string | undefined {
  if (scope.length === 0) {
    return undefined;
  }
  const terms = scope.map((b) => (b.branch === Branch.THEN ? `(${conditionExpr(b.condition.when)})` : `!(${conditionExpr(b.condition.when)})`));
  return `{{=${terms.join(' && ')}}}`;
}

export function conditionExpr(condition: Condition): string {
  if (isA(condition, Comparison)) {
    const numeric = isNumeric(condition.left.type) || isNumeric(condition.right.type);
    return `${operand(condition.left, numeric)} ${condition.operator} ${operand(condition.right, numeric)}`;
  }
  if (isA(condition, InCondition)) {
    const numeric = isNumeric(condition.value.type);
    const value = operand(condition.value, numeric);
    return `(${condition.candidates.map((c) => `${value} == ${operand(c, numeric)}`).join(' || ')})`;
  }
  if (isA(condition, AndCondition)) {
    return condition.conditions.map((c) => `(${conditionExpr(c)})`).join(' && ');
  }
  if (isA(condition, OrCondition)) {
    return condition.conditions.map((c) => `(${conditionExpr(c)})`).join(' || ');
  }
  if (isA(condition, NotCondition)) {
    return `!(${conditionExpr(condition.condition)})`;
  }
  throw new Error(`internal: unknown condition ${condition}`);
}

function operand(value: Value, numeric: boolean): string {
  if (isA(value, LiteralValue)) {
    return literal(value);
  }
  const text = reference(value);
  if (numeric) {
    return `asFloat(${text})`;
  }
  return value.type === ValueType.BOOLEAN ? `(${text} == 'true')` : text;
}

function reference(value: Value): string {
  if (isA(value, ParameterRef)) {
    return `workflow.parameters[${quote(value.name)}]`;
  }
  if (isA(value, MetricRef)) {
    return `tasks[${quote(stepTemplateName(value.step.name))}].outputs.parameters[${quote(value.name)}]`;
  }
  throw new Error(`internal: unknown value ${value}`);
}

function literal(value: LiteralValue): string {
  const v = value.value;
  if (typeof v === 'boolean') {
    return v ? 'true' : 'false';
  }
  if (typeof v === 'number') {
    const text = Number.isInteger(v) && !/e/i.test(String(v)) ? `${v}.0` : String(v);
    return v < 0 ? `(${text})` : text;
  }
  return quote(v);
}

/**
 * A single-quoted string literal for expr (its escapes are Go's: \\, \' and \uXXXX). Braces are
 * escaped too, because Argo ends a tag at the first `}}`, even inside a string.
 */
export function quote(text: string): string {
  const escaped = text.replace(/[\\'{}\u0000-\u001f\u007f]/g, (c) => {
    if (c === '\\' || c === "'") {
      return `\\${c}`;
    }
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return `'${escaped}'`;
}
