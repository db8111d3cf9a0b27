import { PipelineGraph, StepNode } from '../../pipeline/graph';
import { Step } from '../../pipeline/step';
import { dropUndefined, Json, list, nonEmpty } from './json';
import { stepTemplateName } from './names';
import { ArgoStep } from './steps';
import { whenExpression } from './when';

/**
 * The templates of the compiled steps, in graph order, with each set of identical step templates
 * (steps of one shape: everything that differs between them is a task argument) kept once, under
 * the name of its first step; `templateOf` names the template each step's task runs.
 */
export function sharedTemplates(steps: [Step, ArgoStep | undefined][]): { templates: Json[]; templateOf: Map<Step, string> } {
  const templates: Json[] = [];
  const templateOf = new Map<Step, string>();
  const byShape = new Map<string, string>();
  for (const [step, compiled] of steps) {
    if (compiled === undefined) {
      continue;
    }
    const own = stepTemplateName(step.name);
    const [first, ...rest] = compiled.templates;
    if (compiled.task === undefined || first?.name !== own || rest.length > 0) {
      templates.push(...compiled.templates);
      continue;
    }
    const shape = shapeOf(first, own);
    const known = byShape.get(shape);
    if (known === undefined) {
      byShape.set(shape, own);
      templates.push(first);
    }
    templateOf.set(step, known ?? own);
  }
  return { templates, templateOf };
}

/**
 * A template's JSON without its name: the text after the leading name field when the name comes
 * first (as the step handlers build them), so the template is serialized without being copied.
 */
function shapeOf(template: Json, name: string): string {
  const text = JSON.stringify(template);
  const head = `{"name":${JSON.stringify(name)}`;
  return text.startsWith(head) ? text.slice(head.length) : JSON.stringify({ ...template, name: undefined });
}

/** The entrypoint DAG's tasks: one per compiled step that has a task, in graph order. */
export function dagTasks(graph: PipelineGraph, compiled: ReadonlyMap<Step, ArgoStep>, templateOf: ReadonlyMap<Step, string>): Json[] {
  const hasTask = (step: Step) => compiled.get(step)?.task !== undefined;
  return graph.nodes.filter((n) => hasTask(n.step)).map((node) => {
    const needs = compiled.get(node.step)!.task!;
    const dependencies = taskDependencies(node, graph, hasTask);
    return dropUndefined({
      name: stepTemplateName(node.step.name),
      template: templateOf.get(node.step) ?? stepTemplateName(node.step.name),
      dependencies: list(dependencies),
      when: whenExpression(node.scope),
      arguments: nonEmpty({ parameters: list(needs.parameters ?? []), artifacts: list(needs.artifacts ?? []) }),
      withItems: needs.withItems,
    });
  });
}

/**
 * The tasks a step's task waits for. A step without a task (a condition) is waited for through
 * what it reads and every step nested in it (skipped tasks count as done); a branch task also
 * waits for what its enclosing conditions read.
 */
function taskDependencies(node: StepNode, graph: PipelineGraph, hasTask: (step: Step) => boolean): string[] {
  const found = new Set<Step>();
  const conditionInputs = (condition: Step) => {
    const at = graph.node(condition);
    at.upstream.forEach(addWhole);
    at.scope.forEach((b) => conditionInputs(b.condition));
  };
  const addWhole = (step: Step) => {
    if (hasTask(step)) {
      found.add(step);
    } else {
      conditionInputs(step);
      step.children().forEach(addWhole);
    }
  };
  node.upstream.forEach(addWhole);
  node.scope.forEach((b) => conditionInputs(b.condition));
  return [...found].sort((a, b) => graph.node(a).index - graph.node(b).index).map((s) => stepTemplateName(s.name));
}
