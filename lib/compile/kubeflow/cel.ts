import { isA } from '../../pipeline/brand';
import { AndCondition, Comparison, Condition, InCondition, NotCondition, OrCondition } from '../../pipeline/condition';
import { isNumeric, LiteralValue, MetricRef, ParameterRef, Value } from '../../pipeline/values';

/**
 * A condition as the CEL expression KFP evaluates in a task's trigger policy. Operands are the
 * task's input parameters (`inputs.parameter_values['<channel>']`), which hold
 * google.protobuf.Value: numbers arrive as doubles whatever the parameter type, so numeric
 * comparisons cast both sides to double (CEL has no int/double comparison in older evaluators).
 */
export function celCondition(condition: Condition, channelOf: (value: ParameterRef | MetricRef) => string): string {
  const operand = (value: Value, numeric: boolean): string => {
    if (isA(value, LiteralValue)) {
      return numeric ? celDouble(value.value as number) : celLiteral(value.value);
    }
    const ref = `inputs.parameter_values['${channelOf(value as ParameterRef | MetricRef)}']`;
    return numeric ? `double(${ref})` : ref;
  };
  const render = (c: Condition): string => {
    if (isA(c, Comparison)) {
      const numeric = isNumeric(c.left.type) || isNumeric(c.right.type);
      return `${operand(c.left, numeric)} ${c.operator} ${operand(c.right, numeric)}`;
    }
    if (isA(c, InCondition)) {
      const numeric = isNumeric(c.value.type) || c.candidates.some((v) => isNumeric(v.type));
      const left = operand(c.value, numeric);
      const tests = c.candidates.map((candidate) => `${left} == ${operand(candidate, numeric)}`);
      return tests.length === 1 ? tests[0] : tests.map((t) => `(${t})`).join(' || ');
    }
    if (isA(c, AndCondition) || isA(c, OrCondition)) {
      const parts = c.conditions.map(render);
      return parts.length === 1 ? parts[0] : parts.map((p) => `(${p})`).join(isA(c, AndCondition) ? ' && ' : ' || ');
    }
    if (isA(c, NotCondition)) {
      return `!(${render(c.condition)})`;
    }
    throw new Error(`internal: unknown condition ${c}`);
  };
  return render(condition);
}

/** The negation KFP's own compiler writes for an else branch. */
export function celNot(expression: string): string {
  return `!(${expression})`;
}

function celDouble(n: number): string {
  const text = String(n);
  return /^-?\d+$/.test(text) ? `${text}.0` : text;
}

function celLiteral(value: string | number | boolean): string {
  if (typeof value === 'string') {
    return `'${value.replace(/[\\'\u0000-\u001f\u007f]/g, escapeChar)}'`;
  }
  return typeof value === 'number' ? celDouble(value) : String(value);
}

function escapeChar(ch: string): string {
  switch (ch) {
    case '\\':
      return '\\\\';
    case "'":
      return "\\'";
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
  }
}
