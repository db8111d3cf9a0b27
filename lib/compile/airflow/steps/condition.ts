import { AndCondition, Comparison, ComparisonOperator, Condition, InCondition, NotCondition, OrCondition } from '../../../pipeline/condition';
import { isA } from '../../../pipeline/brand';
import type { StepNode } from '../../../pipeline/graph';
import { Branch, ConditionStep } from '../../../pipeline/steps/condition-step';
import { LiteralValue, MetricRef, ParameterRef, Value } from '../../../pipeline/values';
import type { AirflowCompilation } from '../compilation';
import { call, py } from '../python';
import { AirflowStepHandler, AirflowTask, TaskArguments } from './handler';

/**
 * A condition: a @task.branch that reads the producers' metrics from XCom (each step task pushes
 * its metrics.json as its return value) and the run's params, and returns the task ids to follow:
 * the chosen branch's direct members plus the tasks outside the condition that wait for it (a
 * branch task skips every direct downstream task it does not return).
 */
export function conditionHandler(outside: (condition: ConditionStep) => string[]): AirflowStepHandler {
  return {
    compile(c: AirflowCompilation, node: StepNode, variable: string, common: TaskArguments): AirflowTask {
      const step = node.step as ConditionStep;
      const follow = (branch: Branch) => [
        ...c.graph.branchMembers(step, branch).map((n) => n.step.name),
        ...outside(step),
      ];
      return {
        code: [
          `    @${call('task.branch', common, '    ')}`,
          `    def ${variable}_branch(ti=None, params=None):`,
          `        """${docText(`${step.when}`)}"""`,
          `        if ${expression(step.when)}:`,
          `            return ${py(follow(Branch.THEN))}`,
          `        return ${py(follow(Branch.OTHERWISE))}`,
          '',
          `    ${variable} = ${variable}_branch()`,
        ].join('\n'),
        helpers: ['metric'],
      };
    },
  };
}

const OPERATORS: { [op: string]: string } = {
  [ComparisonOperator.EQ]: '==',
  [ComparisonOperator.NE]: '!=',
  [ComparisonOperator.LT]: '<',
  [ComparisonOperator.LTE]: '<=',
  [ComparisonOperator.GT]: '>',
  [ComparisonOperator.GTE]: '>=',
};

/** The condition as a Python expression over `ti` (XCom) and `params`. */
export function expression(condition: Condition): string {
  if (isA(condition, Comparison)) {
    return `${value(condition.left)} ${OPERATORS[condition.operator]} ${value(condition.right)}`;
  }
  if (isA(condition, InCondition)) {
    return `${value(condition.value)} in [${condition.candidates.map(value).join(', ')}]`;
  }
  if (isA(condition, AndCondition)) {
    return condition.conditions.map((x) => `(${expression(x)})`).join(' and ');
  }
  if (isA(condition, OrCondition)) {
    return condition.conditions.map((x) => `(${expression(x)})`).join(' or ');
  }
  if (isA(condition, NotCondition)) {
    return `not (${expression(condition.condition)})`;
  }
  throw new Error(`internal: condition ${condition} has no Airflow expression`);
}

function value(v: Value): string {
  if (isA(v, LiteralValue)) {
    return py(v.value);
  }
  if (isA(v, ParameterRef)) {
    return `params[${py(v.name)}]`;
  }
  if (isA(v, MetricRef)) {
    return `metric(ti, ${py(v.step.name)}, ${py(v.name)})`;
  }
  throw new Error(`internal: value ${v} has no Airflow expression`);
}

function docText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"');
}
