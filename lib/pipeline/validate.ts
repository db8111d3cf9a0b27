import { AndCondition, Comparison, ComparisonOperator, Condition, InCondition, NotCondition, OrCondition } from './condition';
import { ConditionStep } from './steps/condition-step';
import { ContainerStep } from './steps/container-step';
import { TuneStep } from './steps/tune-step';
import { Objective } from './tuning';
import { optionalProblem as optional } from './rules';
import { show } from './errors';
import { BranchScope, collectSteps, directDependencies, topologicalOrder, waitsFor } from './graph';
import { checkName, IDENTIFIER, PIPELINE_NAME, STEP_NAME } from './names';
import { Parameter } from './parameter';
import { cacheProblems, CachePolicy, retryProblems, RetryPolicy } from './policies';
import { resourceProblems, Resources } from './resources';
import { Step } from './step';
import { isA } from './brand';
import { sourceKindProblem, stepKindProblem } from './kind-classes';
import { ArtifactType, CollectedArtifact, DataSource, describeType, DIRECTORY_TYPES, isMetricsPort, StepArtifact } from './artifacts';
import { areComparable, isNumeric, LiteralValue, MetricRef, ParameterRef, Value, ValueType } from './values';

export interface PipelineShape {
  readonly name: string;
  readonly parameters: { [name: string]: Parameter };
  readonly steps: Step[];
  readonly defaultResources?: Resources;
  readonly defaultRetry?: RetryPolicy;
  readonly defaultCache?: CachePolicy;
}

/** Every problem of a pipeline, each message naming the step or parameter it is about. */
export function pipelineProblems(pipeline: PipelineShape): string[] {
  const problems: string[] = [];
  problems.push(...optional(checkName(PIPELINE_NAME, pipeline.name)));
  problems.push(...parameterProblems(pipeline.parameters));
  problems.push(...defaultProblems(pipeline));

  const placed = collectSteps(pipeline.steps);
  if (placed.length === 0) {
    problems.push('has no steps; add some with pipeline.addStep(...)');
  }
  const scopeOf = new Map<Step, BranchScope[]>();
  const byName = new Map<string, Step>();
  for (const { step, scope } of placed) {
    if (!isA(step, Step)) {
      problems.push(`${show(step)} was added as a step but is not one; create steps with Step.script(...), Step.training(...), ...`);
      continue;
    }
    if (scopeOf.has(step)) {
      problems.push(`step '${step.name}' is added twice (${where(scopeOf.get(step)!)} and ${where(scope)}); a step object belongs in one place, create a second step for the second place`);
      continue;
    }
    scopeOf.set(step, scope);
    const other = byName.get(step.name);
    if (other !== undefined) {
      problems.push(`step name '${step.name}' is used by two steps (${other} and ${step}); step names must be unique, rename one`);
    }
    byName.set(step.name, step);
  }

  for (const step of scopeOf.keys()) {
    if (isA(step, TuneStep) && scopeOf.has(step.trial)) {
      problems.push(`step '${step.name}': its trial '${step.trial.name}' is also a step of the pipeline (${where(scopeOf.get(step.trial)!)}); the tuning step runs the trial, so do not add it with addStep`);
    }
  }

  const collectors = new Map<Step, string[]>();
  for (const step of scopeOf.keys()) {
    for (const source of Object.values(step.inputs())) {
      if (isA(source, CollectedArtifact) && isA(source.producer, ContainerStep) && source.producer.forEach !== undefined) {
        collectors.set(source.producer, [...new Set([...(collectors.get(source.producer) ?? []), step.name])]);
      }
    }
  }

  for (const [step, scope] of scopeOf) {
    const at = `step '${step.name}'`;
    const by = collectors.get(step);
    if (by !== undefined && isA(step, ContainerStep)) {
      problems.push(...optional(collectedItemsProblem(step.forEach!, by)).map((p) => `${at}: ${p}`));
    }
    problems.push(...optional(checkName(STEP_NAME, step.name)).map((p) => `${at}: ${p}`));
    problems.push(...optional(stepKindProblem(step)).map((p) => `${at}: ${p}`));
    problems.push(...step.problems().map((p) => `${at}: ${p}`));
    problems.push(...referenceProblems(step, scope, scopeOf, pipeline.parameters).map((p) => `${at}: ${p}`));
    if (isA(step, ConditionStep) && isA(step.when, Condition)) {
      problems.push(...conditionProblems(step.when).map((p) => `${at}: condition ${p}`));
    }
  }

  // A cycle can only form through steps that are all in the pipeline; look once the rest is sound.
  const steps = [...scopeOf.keys()];
  const order = topologicalOrder(steps, (s) => waitsFor(s, scopeOf.get(s)!));
  if (order.cycle) {
    problems.push(`steps form a cycle: ${order.cycle.map((s) => `'${s.name}'`).join(' -> ')} (each waits for the one before it); remove one of these dependencies`);
  }
  return problems;
}

/** The pipeline-wide defaults get the checks the same values get on a step. */
export function defaultProblems(defaults: { readonly defaultResources?: Resources; readonly defaultRetry?: RetryPolicy; readonly defaultCache?: CachePolicy }): string[] {
  const at = (prop: string) => (p: string) => `pipeline default ${prop}: ${p}`;
  return [
    ...(defaults.defaultResources === undefined ? [] : resourceProblems(defaults.defaultResources)).map(at('defaultResources')),
    ...retryProblems(defaults.defaultRetry).map(at('defaultRetry')),
    ...cacheProblems(defaults.defaultCache).map(at('defaultCache')),
  ];
}

function parameterProblems(parameters: { [name: string]: Parameter }): string[] {
  const problems: string[] = [];
  const upper = new Map<string, string>();
  for (const [name, parameter] of Object.entries(parameters)) {
    const at = `parameter '${name}'`;
    problems.push(...optional(checkName(IDENTIFIER, name, 'parameter name')));
    if (!isA(parameter, Parameter)) {
      problems.push(`${at}: ${show(parameter)} is not a Parameter; use Parameter.string(...), .integer, .number or .boolean`);
      continue;
    }
    problems.push(...parameter.problems().map((p) => `${at}: ${p}`));
    const clash = upper.get(name.toUpperCase());
    if (clash !== undefined) {
      problems.push(`parameters '${clash}' and '${name}' differ only in case and would share MLOPS_PARAM_${name.toUpperCase()}; rename one`);
    }
    upper.set(name.toUpperCase(), name);
  }
  return problems;
}

/** Where a step sits, for messages. */
function where(scope: BranchScope[]): string {
  if (scope.length === 0) {
    return 'at top level';
  }
  const inner = scope[scope.length - 1];
  return `in the '${inner.branch}' branch of '${inner.condition.name}'`;
}

/** True when a step placed in `reader` scope can see a step placed in `source` scope. */
function isVisible(source: BranchScope[], reader: BranchScope[]): boolean {
  return source.length <= reader.length && source.every((b, i) => reader[i].condition === b.condition && reader[i].branch === b.branch);
}

function referenceProblems(
  step: Step,
  scope: BranchScope[],
  scopeOf: Map<Step, BranchScope[]>,
  parameters: { [name: string]: Parameter },
): string[] {
  const problems: string[] = [];
  const reachable = (other: Step, how: string): boolean => {
    const otherScope = scopeOf.get(other);
    if (otherScope === undefined) {
      problems.push(`${how} step '${other.name}', which is not in the pipeline; add it with pipeline.addStep(...) or to a condition branch`);
      return false;
    }
    if (!isVisible(otherScope, scope)) {
      problems.push(`${how} step '${other.name}', which runs only ${where(otherScope)} and may be skipped; move '${step.name}' into that branch or read something outside it`);
      return false;
    }
    return true;
  };

  const accepted = step.inputTypes();
  for (const [input, source] of Object.entries(step.inputs())) {
    if (!isA(source, DataSource)) {
      continue; // the step reports it
    }
    const at = `input '${input}'`;
    const claimed = sourceKindProblem(source);
    if (claimed !== undefined) {
      problems.push(`${at} ${claimed}`);
      continue;
    }
    const own = source.problems();
    if (own.length > 0) {
      problems.push(...own.map((p) => `${at}: ${p}`));
      continue;
    }
    if (source.producer !== undefined && !reachable(source.producer, `${at} reads`)) {
      continue;
    }
    const portProblem = portProblems(source);
    if (portProblem !== undefined) {
      problems.push(`${at} ${portProblem}`);
      continue;
    }
    const types = accepted[input] ?? DIRECTORY_TYPES;
    if (!types.includes(source.type)) {
      problems.push(`${at} reads ${source}, ${describeType(source.type)}, but expects ${alternatives(types.map(describeType))}; ${fixFor(types)}`);
    }
  }

  for (const value of step.values()) {
    problems.push(...valueProblems(value, parameters));
    if (isA(value, MetricRef) && reachable(value.step, `reads metric '${value.name}' of`)) {
      const producer = value.step;
      const declared = isA(producer, ContainerStep) ? Object.keys(producer.metricTypes()) : [];
      if (isA(producer, TuneStep)) {
        if (producer.metricType(value.name) === undefined) {
          problems.push(`reads metric '${value.name}' of tuning step '${producer.name}', which reports only its objective metric ${isA(producer.objective, Objective) ? `'${producer.objective.metric}'` : ''}; read ${producer.name}.bestMetric('${isA(producer.objective, Objective) ? producer.objective.metric : '<objective>'}')`);
        }
      } else if (!declared.includes(value.name)) {
        problems.push(`reads metric '${value.name}' of '${producer.name}', which declares ${declared.length ? `only ${declared.map((m) => `'${m}'`).join(', ')}` : 'no metrics'}; add it to that step's metrics`);
      }
      if (isA(producer, ContainerStep) && producer.forEach) {
        problems.push(`reads metric '${value.name}' of '${producer.name}', which fans out over forEach and has one value per item; read metrics of a step that runs once, or pass ${producer.name}.collectMetrics() to a step as an input`);
      }
    }
  }

  for (const dep of step.dependsOn) {
    if (!isA(dep, Step)) {
      problems.push(`dependsOn holds ${show(dep)}, which is not a step`);
    } else if (dep === step) {
      problems.push('depends on itself; remove it from its own dependsOn');
    } else {
      reachable(dep, 'depends on');
    }
  }

  if (isA(step, ConditionStep)) {
    for (const dep of directDependencies(step)) {
      if (step.children().includes(dep)) {
        problems.push(`reads or waits for '${dep.name}', one of its own branch steps; a condition is decided before its branches run`);
      }
    }
  }
  return problems;
}

/** A collected read names one directory per forEach item after the item. */
const DIRECTORY_NAME = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,255}$/;

/**
 * A problem of a forEach step whose items a later step collects, each item's data landing in a
 * directory named after the item (checked once per producer, however many steps collect).
 */
function collectedItemsProblem(items: string[], collectors: string[]): string | undefined {
  const by = `collected by ${collectors.map((c) => `'${c}'`).join(', ')}`;
  const unusable = items.filter((item) => typeof item === 'string' && !DIRECTORY_NAME.test(item));
  if (unusable.length > 0) {
    return `forEach items ${unusable.map((i) => show(i)).join(', ')} cannot name the directory each item's data is read from when ${by} (allowed: letters, digits, '.', '_', '-', not '.' or '..', at most 255 chars); rename those items`;
  }
  const folded = new Map<string, string>();
  for (const item of items.filter((i) => typeof i === 'string')) {
    const other = folded.get(item.toLowerCase());
    if (other !== undefined && other !== item) {
      return `forEach items '${other}' and '${item}' differ only in case and would share one directory on case-insensitive file systems (macOS, Windows) when ${by}; rename one`;
    }
    folded.set(item.toLowerCase(), item);
  }
  return undefined;
}

/** A problem with the producer port a source names, worded to follow "input 'x' ". */
function portProblems(source: DataSource): string | undefined {
  const producer = source.producer;
  if (producer === undefined || !(isA(source, StepArtifact) || isA(source, CollectedArtifact))) {
    return undefined;
  }
  const fanOut = isA(producer, ContainerStep) ? producer.forEach : undefined;
  if (isA(source, CollectedArtifact)) {
    if (fanOut === undefined) {
      return `collects from '${producer.name}', which does not fan out over forEach; read ${producer.name}.output(...) or .model() instead`;
    }
    if (isMetricsPort(source.name, source.type)) {
      const metrics = isA(producer, ContainerStep) ? Object.keys(producer.metricTypes()) : [];
      return metrics.length === 0 ? `collects the metrics of '${producer.name}', which declares no metrics; add metrics to that step or read something else` : undefined;
    }
  }
  const ports = producer.outputPorts();
  const type = ports[source.name];
  if (type === undefined) {
    const declared = Object.keys(ports);
    return `reads output '${source.name}' of '${producer.name}', which declares ${declared.length ? `only ${declared.map((o) => `'${o}'`).join(', ')}` : 'no outputs'}; add '${source.name}' to its outputs or read another one`;
  }
  if (type !== source.type) {
    return `reads port '${source.name}' of '${producer.name}' as ${describeType(source.type)}, but the port holds ${describeType(type)}`;
  }
  if (isA(source, StepArtifact) && fanOut !== undefined) {
    return `reads from '${producer.name}', which fans out over forEach and writes one copy per item; read all of them with ${producer.name}.collect('${source.name}'), or wait for the runs with dependsOn`;
  }
  return undefined;
}

/** 'a', 'a or b', 'a, b or c'. */
function alternatives(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function fixFor(types: readonly ArtifactType[]): string {
  if (types.length === 1 && types[0] === ArtifactType.MODEL) {
    return "pass a training step's model(), e.g. { model: train.model() }";
  }
  return 'read a port of that type, or change inputTypes';
}

function valueProblems(value: Value, parameters: { [name: string]: Parameter }): string[] {
  if (isA(value, ParameterRef) && !(value.name in parameters)) {
    const known = Object.keys(parameters);
    return [`reads parameter '${value.name}', which the pipeline does not define (defined: ${known.length ? known.map((k) => `'${k}'`).join(', ') : 'none'}); add it to the pipeline's parameters or fix the name`];
  }
  if (isA(value, LiteralValue)) {
    const problem = literalProblem(value);
    return problem ? [problem] : [];
  }
  if (!isA(value, Value)) {
    return [`${show(value)} is not a value; use Value.number(...), Value.string(...), pipeline.parameter(...) or step.metric(...)`];
  }
  return [];
}

function literalProblem(value: LiteralValue): string | undefined {
  const v = value.value;
  const ok =
    value.type === ValueType.STRING ? typeof v === 'string'
      : value.type === ValueType.BOOLEAN ? typeof v === 'boolean'
        : value.type === ValueType.INTEGER ? typeof v === 'number' && Number.isSafeInteger(v)
          : typeof v === 'number' && Number.isFinite(v);
  return ok ? undefined : `literal ${show(v)} is not a valid ${value.type}; use Value.${value.type}(...) with a matching value`;
}

/** Type problems of a condition tree (operands must be comparable). */
function conditionProblems(condition: Condition): string[] {
  if (isA(condition, Comparison)) {
    const { left, right, operator } = condition;
    const ordering = operator !== ComparisonOperator.EQ && operator !== ComparisonOperator.NE;
    for (const side of [left, right]) {
      if (ordering && side.type !== undefined && !isNumeric(side.type)) {
        return [`'${condition}' compares ${side} (${side.type}) with '${operator}', which needs numbers; compare numbers, or use Condition.eq / ne / isIn for ${side.type}s`];
      }
    }
    if (!areComparable(left.type, right.type)) {
      return [`'${condition}' compares ${left} (${left.type}) with ${right} (${right.type}); both sides need the same type (numbers compare with numbers)`];
    }
    return [];
  }
  if (isA(condition, InCondition)) {
    if (condition.candidates.length === 0) {
      return [`'${condition}' has no candidates; list at least one value`];
    }
    const bad = condition.candidates.filter((c) => !areComparable(condition.value.type, c.type));
    return bad.length === 0 ? [] : [`'${condition}' tests ${condition.value} (${condition.value.type}) against ${bad.map((c) => `${c} (${c.type})`).join(', ')}; all values need the same type`];
  }
  if (isA(condition, AndCondition) || isA(condition, OrCondition)) {
    if (condition.conditions.length === 0) {
      return [`'${isA(condition, AndCondition) ? 'and' : 'or'}' has no conditions; give at least one`];
    }
    return condition.conditions.flatMap((c) => (isA(c, Condition) ? conditionProblems(c) : [`${show(c)} is not a Condition`]));
  }
  if (isA(condition, NotCondition)) {
    return isA(condition.condition, Condition) ? conditionProblems(condition.condition) : [`not(${show(condition.condition)}): not a Condition`];
  }
  return [];
}
