import { Branch, ConditionStep } from '../../../pipeline/steps/condition-step';
import { StepNode } from '../../../pipeline/graph';
import { ParameterRef } from '../../../pipeline/values';
import { isA } from '../../../pipeline/brand';
import { celCondition, celNot } from '../cel';
import { metricNeed, needsInputDefinitions, NeedSet, parameterNeed } from '../channels';
import { literalPlaceholderProblems } from '../checks';
import type { KubeflowCompilation, Level } from '../compile';
import { drop, Json } from '../json';
import { componentName, otherwiseTaskName, thenTaskName } from '../names';
import { KubeflowStepHandler } from './handler';

/**
 * A condition: task T runs a DAG holding `T-then` (triggered when the condition holds) and
 * `T-otherwise` (triggered when it does not), as KFP's dsl.If/dsl.Else compile. The wrapper
 * DAG succeeds whichever branch runs, so steps may depend on the condition step itself.
 */
export const CONDITION_STEP: KubeflowStepHandler = {
  task(c: KubeflowCompilation, node: StepNode, level: Level): Json {
    const step = node.step as ConditionStep;
    const task = c.taskOf(step);
    const component = componentName(task);
    c.names.claimTemplate(component, step);
    const wrapper = c.subLevel(component);
    const operands = new NeedSet(c.taskOf);
    const condition = celCondition(step.when, (v) => operands.add(isA(v, ParameterRef) ? parameterNeed(v) : metricNeed(v)));
    c.problems.push(...literalPlaceholderProblems(step, step.when.values()));

    const tasks: Json = {};
    for (const branch of [Branch.THEN, Branch.OTHERWISE]) {
      if (step.branch(branch).length === 0) {
        continue;
      }
      const branchTask = branch === Branch.THEN ? thenTaskName(task) : otherwiseTaskName(task);
      const branchComponent = componentName(branchTask);
      c.names.claimTemplate(branchComponent, step);
      c.names.claimDagTask(component, branchTask, step, false);
      const inner = c.dag(c.graph.branchMembers(step, branch), false, branchComponent);
      const needs = new NeedSet(c.taskOf);
      needs.addAll(operands);
      needs.addAll(inner.needs);
      c.components[branchComponent] = drop({ dag: { tasks: inner.tasks }, inputDefinitions: needsInputDefinitions(needs) });
      tasks[branchTask] = drop({
        taskInfo: { name: branchTask },
        componentRef: { name: branchComponent },
        inputs: c.bindNeeds(needs, wrapper),
        triggerPolicy: { condition: branch === Branch.THEN ? condition : celNot(condition) },
      });
    }
    c.components[component] = drop({ dag: { tasks }, inputDefinitions: needsInputDefinitions(wrapper.needs) });
    return drop({
      taskInfo: { name: task },
      componentRef: { name: component },
      inputs: c.bindNeeds(wrapper.needs, level),
    });
  },
};
