import { Branch, ConditionStep } from './steps/condition-step';
import { ContainerStep } from './steps/container-step';
import { CachePolicy, RetryPolicy } from './policies';
import { mergeResources, Resources } from './resources';
import { Step } from './step';
import { DataSource } from './artifacts';
import { isA } from './brand';
import { MetricRef } from './values';

/** One enclosing condition branch of a step. */
export interface BranchScope {
  readonly condition: ConditionStep;
  readonly branch: Branch;
}

/** A step placed in its pipeline: what it waits for, where it sits, and its effective policies. */
export interface StepNode {
  readonly step: Step;
  /** Position in the graph's topological order. */
  readonly index: number;
  /**
   * The steps this one waits for: producers of the data and metrics it reads and its dependsOn,
   * in topological order. The enclosing condition is not listed here; see `scope`.
   */
  readonly upstream: Step[];
  /** The condition branches this step runs in, outermost first; empty at top level. */
  readonly scope: BranchScope[];
  /** Container steps: own resources over the pipeline's defaults. */
  readonly resources?: Resources;
  /** Container steps: own retry policy, else the pipeline's, else none. */
  readonly retry?: RetryPolicy;
  /** Container steps: own cache policy, else the pipeline's, else disabled. */
  readonly cache?: CachePolicy;
}

export interface PipelineDefaults {
  readonly resources?: Resources;
  readonly retry?: RetryPolicy;
  readonly cache?: CachePolicy;
}

/** Every step a list of top-level steps holds, condition branches included, in declaration order. */
export function collectSteps(topLevel: Step[]): { step: Step; scope: BranchScope[] }[] {
  const out: { step: Step; scope: BranchScope[] }[] = [];
  const visit = (step: Step, scope: BranchScope[]) => {
    out.push({ step, scope });
    if (isA(step, ConditionStep)) {
      for (const branch of [Branch.THEN, Branch.OTHERWISE]) {
        for (const child of step.branch(branch)) {
          visit(child, [...scope, { condition: step, branch }]);
        }
      }
    }
  };
  topLevel.forEach((s) => visit(s, []));
  return out;
}

/** The steps `step` reads from or waits for, in the order they are referenced. */
export function directDependencies(step: Step): Step[] {
  const deps: Step[] = [];
  const add = (producer: Step) => {
    if (!deps.includes(producer)) {
      deps.push(producer);
    }
  };
  const inputs = step.inputs();
  for (const name in inputs) {
    const source = inputs[name];
    const producer = isA(source, DataSource) ? source.producer : undefined;
    if (producer !== undefined) {
      add(producer);
    }
  }
  for (const value of step.values()) {
    if (isA(value, MetricRef)) {
      add(value.step);
    }
  }
  step.dependsOn.forEach(add);
  return deps;
}

/** Everything a step waits for: its direct dependencies and the conditions it runs under. */
export function waitsFor(step: Step, scope: BranchScope[]): Step[] {
  return [...directDependencies(step), ...scope.map((b) => b.condition)];
}

/**
 * The validated step graph a compiler reads: steps in a stable topological order (ties broken
 * by declaration order), so the same pipeline always compiles to the same document.
 */
export class PipelineGraph {
  public readonly nodes: StepNode[];
  /** The pipeline's defaults, for steps that run container steps outside the graph (a tuning step's trial). */
  public readonly defaults: PipelineDefaults;
  private readonly byStep = new Map<Step, StepNode>();
  private members?: Map<Step, Map<Branch, StepNode[]>>;

  /** @internal built by Pipeline.graph(), after validation */
  constructor(topLevel: Step[], defaults: PipelineDefaults) {
    this.defaults = defaults;
    const placed = collectSteps(topLevel);
    const scopeOf = new Map(placed.map((p) => [p.step, p.scope]));
    // Each step's direct dependencies, computed once: the order and `upstream` both read them.
    const direct = new Map(placed.map((p) => [p.step, directDependencies(p.step)]));
    const order = topologicalOrder(placed.map((p) => p.step), (s) => {
      const scope = scopeOf.get(s)!;
      return scope.length === 0 ? direct.get(s)! : [...direct.get(s)!, ...scope.map((b) => b.condition)];
    });
    if (order.cycle) {
      throw new Error(`internal: graph built from a pipeline with a cycle (${order.cycle.map((s) => s.name).join(' -> ')})`);
    }
    const position = new Map(order.steps.map((s, i) => [s, i]));
    this.nodes = order.steps.map((step, index) => {
      const container = isA(step, ContainerStep) ? step : undefined;
      const upstream = direct.get(step)!;
      return {
        step,
        index,
        upstream: upstream.length > 1 ? upstream.sort((a, b) => position.get(a)! - position.get(b)!) : upstream,
        scope: scopeOf.get(step)!,
        resources: container && mergeResources(defaults.resources, container.resources),
        retry: container && (container.retry ?? defaults.retry),
        cache: container && (container.cache ?? defaults.cache ?? CachePolicy.disabled()),
      };
    });
    this.nodes.forEach((n) => this.byStep.set(n.step, n));
  }

  public node(step: Step): StepNode {
    const node = this.byStep.get(step);
    if (!node) {
      throw new Error(`step '${step.name}' is not in this pipeline`);
    }
    return node;
  }

  /** Steps at the top level (in no condition branch), in order. */
  public topLevel(): StepNode[] {
    return this.nodes.filter((n) => n.scope.length === 0);
  }

  /** The direct members of one branch of a condition, in order. */
  public branchMembers(condition: ConditionStep, branch: Branch): StepNode[] {
    if (this.members === undefined) {
      // Indexed on first use: compilers ask for every branch, and pipelines have thousands of steps.
      this.members = new Map();
      for (const n of this.nodes) {
        const inner = n.scope[n.scope.length - 1];
        if (inner !== undefined) {
          const branches = this.members.get(inner.condition) ?? new Map<Branch, StepNode[]>();
          const list = branches.get(inner.branch) ?? [];
          list.push(n);
          branches.set(inner.branch, list);
          this.members.set(inner.condition, branches);
        }
      }
    }
    return [...(this.members.get(condition)?.get(branch) ?? [])];
  }

  /** Steps that wait for `step` directly. */
  public downstream(step: Step): StepNode[] {
    return this.nodes.filter((n) => n.upstream.includes(step));
  }
}

export interface TopologicalOrder {
  readonly steps: Step[];
  /** A cycle, first step repeated at the end, when there is one. */
  readonly cycle?: Step[];
}

/** Kahn's algorithm, taking the earliest-declared ready step first. */
export function topologicalOrder(steps: Step[], dependenciesOf: (s: Step) => Step[]): TopologicalOrder {
  // Positions instead of steps inside: the heap compares declaration order on every move.
  const declared = new Map(steps.map((s, i) => [s, i]));
  const deps = new Map<Step, Step[]>();
  const waitingOn: number[] = new Array(steps.length).fill(0);
  const dependents: number[][] = steps.map(() => []);
  steps.forEach((step, i) => {
    const own: Step[] = [];
    for (const d of dependenciesOf(step)) {
      const at = declared.get(d);
      if (at !== undefined && !own.includes(d)) {
        own.push(d);
        dependents[at].push(i);
      }
    }
    deps.set(step, own);
    waitingOn[i] = own.length;
  });
  const ready = new MinHeap((a: number, b: number) => a - b);
  waitingOn.forEach((n, i) => n === 0 && ready.push(i));
  const out: Step[] = [];
  while (ready.size > 0) {
    const at = ready.pop()!;
    out.push(steps[at]);
    for (const next of dependents[at]) {
      if (--waitingOn[next] === 0) {
        ready.push(next);
      }
    }
  }
  if (out.length === steps.length) {
    return { steps: out };
  }
  const done = new Set(out);
  return { steps: out, cycle: findCycle(steps.filter((s) => !done.has(s)), (s) => deps.get(s)!) };
}

function findCycle(candidates: Step[], dependenciesOf: (s: Step) => Step[]): Step[] | undefined {
  const inCandidates = new Set(candidates);
  const state = new Map<Step, 'open' | 'done'>();
  const stack: Step[] = [];
  const visit = (step: Step): Step[] | undefined => {
    state.set(step, 'open');
    stack.push(step);
    for (const dep of dependenciesOf(step)) {
      if (!inCandidates.has(dep)) {
        continue;
      }
      if (state.get(dep) === 'open') {
        // The cycle runs from dep to step along the stack; report it in execution order.
        return [...stack.slice(stack.indexOf(dep)), dep].reverse();
      }
      if (!state.has(dep)) {
        const found = visit(dep);
        if (found) {
          return found;
        }
      }
    }
    stack.pop();
    state.set(step, 'done');
    return undefined;
  };
  for (const step of candidates) {
    if (!state.has(step)) {
      const found = visit(step);
      if (found) {
        return found;
      }
    }
  }
  return undefined;
}

/** A binary heap; the pipeline graph sorts thousands of steps, so no O(n^2) ready list. */
class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly compare: (a: T, b: T) => number) {}

  public get size(): number {
    return this.items.length;
  }

  public push(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(a[i], a[parent]) >= 0) {
        break;
      }
      [a[i], a[parent]] = [a[parent], a[i]];
      i = parent;
    }
  }

  public pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.compare(a[l], a[m]) < 0) {
          m = l;
        }
        if (r < a.length && this.compare(a[r], a[m]) < 0) {
          m = r;
        }
        if (m === i) {
          break;
        }
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}
