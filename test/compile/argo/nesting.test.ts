import { generatedPipeline } from '../../../bench/support';
import { Condition, Pipeline, ScriptStep, Step, Value } from '../../../lib';
import { ArgoDocuments, ArgoVersion, compileArgo } from '../../../lib/compile/argo';
import { FIXTURE_CODE as code } from '../../conformance/features';
import { validateManifests } from '../../support/k8s';

type Json = { [key: string]: any };
const options = { defaultImage: 'python:3.12-slim', codeConfigMapName: () => 'code-cm' };
const v37 = { ...options, argoVersion: ArgoVersion.V3_7 };
const templatesOf = (docs: ArgoDocuments): Json[] => docs.workflowTemplate.spec.templates;
const named = (docs: ArgoDocuments, name: string): Json => templatesOf(docs).find((t) => t.name === name)!;
function problemsOf(build: () => unknown): string[] {
  try {
    build();
  } catch (e) {
    return (e as { problems?: string[] }).problems ?? [(e as Error).message];
  }
  throw new Error('expected a synth-time error');
}

/**
 * The step tasks of a nested WorkflowTemplate as one flat DAG would hold them: every reference to
 * a sub-DAG's inputs followed back, through the entrypoint task's argument and the producing
 * sub-DAG's output, to the task output it stands for. Fails on a reference that does not resolve.
 */
function flattened(docs: ArgoDocuments): { tasks: Json[]; partOf: Map<string, string>; partsBefore: (part: string) => Set<string> } {
  const entry = named(docs, 'mlops-dag').dag.tasks as Json[];
  const partOf = new Map<string, string>();
  const tasks: Json[] = [];
  for (const partTask of entry) {
    const part = named(docs, partTask.template);
    const source = (kind: 'artifacts' | 'parameters', name: string): string => {
      expect((part.inputs?.[kind] ?? []).map((i: Json) => i.name)).toContain(name);
      const argument = (partTask.arguments?.[kind] ?? []).find((a: Json) => a.name === name);
      const passed: string = kind === 'artifacts' ? argument.from : argument.value;
      const [, producerPart, exported] = /^\{\{tasks\.([a-z0-9-]+)\.outputs\.\w+\.([\w-]+)\}\}$/.exec(passed)!;
      expect(partTask.dependencies).toContain(producerPart);
      const output = named(docs, producerPart).outputs[kind].find((o: Json) => o.name === exported);
      const from: string = kind === 'artifacts' ? output.from : output.valueFrom.parameter;
      const [, producer] = /^\{\{tasks\.([a-z0-9-]+)\./.exec(from)!;
      expect(named(docs, producerPart).dag.tasks.map((t: Json) => t.name)).toContain(producer);
      return from;
    };
    for (const task of part.dag.tasks as Json[]) {
      const text = JSON.stringify(task)
        .replace(/\{\{inputs\.(artifacts|parameters)\.([\w-]+)\}\}/g, (_, kind, name) => source(kind, name))
        .replace(/inputs\.parameters\['([\w-]+)'\]/g, (_, name) => {
          const [, producer, key] = /^\{\{tasks\.([a-z0-9-]+)\.outputs\.parameters\.([\w-]+)\}\}$/.exec(source('parameters', name))!;
          return `tasks['${producer}'].outputs.parameters['${key}']`;
        });
      tasks.push(JSON.parse(text));
      partOf.set(task.name, partTask.name);
    }
  }
  const partsBefore = (part: string): Set<string> => {
    const found = new Set<string>();
    const visit = (p: string) => (entry.find((t) => t.name === p)!.dependencies ?? []).forEach((d: string) => {
      found.add(d);
      visit(d);
    });
    visit(part);
    return found;
  };
  return { tasks, partOf, partsBefore };
}

/** The nested form runs the flat form's tasks: same fields, each reading the same outputs, each after what it waited for. */
function expectSameRun(nested: ArgoDocuments, flat: ArgoDocuments): void {
  const flatTasks = named(flat, 'mlops-dag').dag.tasks as Json[];
  const { tasks, partOf, partsBefore } = flattened(nested);
  // Task order in a DAG means nothing; compare by name.
  const byName = (list: Json[]) => new Map(list.map((t) => [t.name as string, t]));
  const withoutDependencies = (list: Json[]) => [...byName(list)].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, { dependencies: _, ...rest }]) => rest);
  expect(withoutDependencies(tasks)).toEqual(withoutDependencies(flatTasks));
  const nestedTask = byName(tasks);
  for (const task of flatTasks) {
    const part = partOf.get(task.name)!;
    for (const dependency of task.dependencies ?? []) {
      if (partOf.get(dependency) === part) {
        expect(nestedTask.get(task.name)!.dependencies).toContain(dependency);
      } else {
        expect([...partsBefore(part)]).toContain(partOf.get(dependency));
      }
    }
  }
  // Every template the step tasks run is kept, unchanged but for v3.7's memoize ConfigMap key.
  const stepTemplates = (docs: ArgoDocuments) => templatesOf(docs).filter((t) => t.dag === undefined)
    .map((t) => JSON.parse(JSON.stringify(t).replace(/"configMap":\{"name":"([^"]+)","key":"entries"\}/g, '"configMap":{"name":"$1"}')));
  expect(stepTemplates(nested)).toEqual(stepTemplates(flat));
}

describe('Argo v4: a DAG over the CRDs\' 200 tasks is split into sub-DAGs', () => {
  test('2,000 generated steps: an entrypoint of 10 sub-DAGs of at most 200 tasks, valid against the v4.1.2 CRD, running what the flat v3.7 DAG runs', () => {
    const pipeline = generatedPipeline(2000, { cache: true, variants: 4 });
    const nested = compileArgo(pipeline, options);
    const parts = named(nested, 'mlops-dag').dag.tasks.map((t: Json) => t.name);
    expect(parts).toEqual(['mlops-dag-1', 'mlops-dag-2', 'mlops-dag-3', 'mlops-dag-4', 'mlops-dag-5', 'mlops-dag-6', 'mlops-dag-7', 'mlops-dag-8', 'mlops-dag-9', 'mlops-dag-10']);
    for (const part of parts) {
      expect(named(nested, part).dag.tasks.length).toBeLessThanOrEqual(200);
    }
    expect(templatesOf(nested).length).toBe(21);
    expect(validateManifests([nested.workflowTemplate], { argo: 'v4.1.2' })).toEqual([]);
    expectSameRun(nested, compileArgo(pipeline, v37));
  });

  test('200 tasks stay one DAG, as before; 201 become two sub-DAGs', () => {
    const scripts = (n: number) => {
      const p = new Pipeline(`scripts-${n}`);
      p.addStep(...Array.from({ length: n }, (_, i) => Step.script(`s-${i}`, { code, entry: 'noop.py' })));
      return compileArgo(p, options);
    };
    expect(named(scripts(200), 'mlops-dag').dag.tasks.length).toBe(200);
    expect(templatesOf(scripts(200)).map((t) => t.name)).toEqual(['mlops-dag', 's-0']);
    const split = scripts(201);
    expect(templatesOf(split).map((t) => t.name)).toEqual(['mlops-dag', 'mlops-dag-1', 'mlops-dag-2', 's-0']);
    expect(named(split, 'mlops-dag').dag.tasks).toEqual([
      { name: 'mlops-dag-1', template: 'mlops-dag-1' },
      { name: 'mlops-dag-2', template: 'mlops-dag-2' },
    ]);
    expect([named(split, 'mlops-dag-1').dag.tasks.length, named(split, 'mlops-dag-2').dag.tasks.length]).toEqual([200, 1]);
  });

  // 201 independent steps, then a condition on the first one's metric with a branch reading its
  // output and the last filler's: the condition's tasks and 'first', whose metric their `when`
  // reads, stay together in the second sub-DAG; the last filler's output comes from the first.
  const crossing = () => {
    const p = new Pipeline('crossing');
    const first = Step.script('first', { code, entry: 'noop.py', outputs: ['out'], metrics: ['score'] });
    const fillers: ScriptStep[] = Array.from({ length: 200 }, (_, i) => Step.script(`filler-${i}`, { code, entry: 'noop.py', outputs: ['out'], metrics: ['score'] }));
    p.addStep(first, ...fillers);
    p.addStep(Step.condition('gate', {
      when: Condition.gte(first.metric('score'), Value.number(0.5)),
      then: [Step.script('then-a', { code, entry: 'noop.py', inputs: { x: first.output('out'), y: fillers[199].output('out') } })],
      otherwise: [Step.fail('too-low', { message: 'score too low' })],
    }));
    return p;
  };

  test('a task in a later sub-DAG reads outputs of an earlier one through the sub-DAGs\' outputs and inputs; a condition\'s expressions read only its own sub-DAG', () => {
    const nested = compileArgo(crossing(), options);
    expect(named(nested, 'mlops-dag').dag.tasks).toEqual([
      { name: 'mlops-dag-1', template: 'mlops-dag-1' },
      {
        name: 'mlops-dag-2',
        template: 'mlops-dag-2',
        dependencies: ['mlops-dag-1'],
        arguments: { artifacts: [{ name: 'filler-199--out', from: '{{tasks.mlops-dag-1.outputs.artifacts.filler-199--out}}' }] },
      },
    ]);
    expect(named(nested, 'mlops-dag-1').outputs).toEqual({ artifacts: [{ name: 'filler-199--out', from: '{{tasks.filler-199.outputs.artifacts.out}}' }] });
    const second = named(nested, 'mlops-dag-2');
    expect(second.inputs).toEqual({ artifacts: [{ name: 'filler-199--out' }] });
    expect(second.dag.tasks.map((t: Json) => t.name)).toEqual(['first', 'then-a', 'too-low']);
    const thenTask = second.dag.tasks.find((t: Json) => t.name === 'then-a');
    expect(thenTask.when).toBe("{{=(asFloat(tasks['first'].outputs.parameters['score']) >= 0.5)}}");
    expect(thenTask.dependencies).toEqual(['first']);
    expect(thenTask.arguments.artifacts).toEqual([
      { name: 'x', from: '{{tasks.first.outputs.artifacts.out}}' },
      { name: 'y', from: '{{inputs.artifacts.filler-199--out}}' },
    ]);
    expect(validateManifests([nested.workflowTemplate], { argo: 'v4.1.2' })).toEqual([]);
    expectSameRun(nested, compileArgo(crossing(), v37));
  });

  test('a condition comparing metrics of steps far apart keeps them in its sub-DAG: no expression mixes a sub-DAG\'s inputs with task outputs', () => {
    const p = crossing();
    const last = p.steps[200] as ScriptStep;
    p.addStep(Step.condition('late-gate', {
      when: Condition.and(Condition.gte(last.metric('score'), (p.steps[0] as ScriptStep).metric('score')), Condition.gte(last.metric('score'), Value.number(0.1))),
      then: [Step.script('late-then', { code, entry: 'noop.py' })],
    }));
    const nested = compileArgo(p, options);
    for (const part of named(nested, 'mlops-dag').dag.tasks as Json[]) {
      for (const task of named(nested, part.template).dag.tasks as Json[]) {
        expect(task.when ?? '').not.toContain('inputs.');
      }
    }
    const { partOf } = flattened(nested);
    expect(new Set(['first', 'filler-199', 'then-a', 'too-low', 'late-then'].map((t) => partOf.get(t))).size).toBe(1);
    expect(new Set(partOf.values()).size).toBe(2);
    expect(validateManifests([nested.workflowTemplate], { argo: 'v4.1.2' })).toEqual([]);
    expectSameRun(nested, compileArgo(p, v37));
  });

  test('a step named like a sub-DAG is refused when the DAG is split, with the reason and the fix', () => {
    const p = crossing();
    p.addStep(Step.script('mlops-dag-2', { code, entry: 'noop.py' }));
    expect(problemsOf(() => compileArgo(p, options))).toEqual([
      "step 'mlops-dag-2': Argo template name 'mlops-dag-2' is reserved on Argo Workflows v4 for a sub-DAG of this pipeline, whose 204 tasks are split into DAGs of at most 200 (the CRDs' dag.tasks maxItems); rename the step",
    ]);
    expect(() => compileArgo(p, v37)).not.toThrow();
  });

  test('a condition with more than 200 tasks cannot be split and is refused with the cap and the fix', () => {
    const p = new Pipeline('wide');
    const first = Step.script('first', { code, entry: 'noop.py', metrics: ['score'] });
    p.addStep(first, Step.condition('gate', {
      when: Condition.gte(first.metric('score'), Value.number(0.5)),
      then: Array.from({ length: 201 }, (_, i) => Step.script(`b-${i}`, { code, entry: 'noop.py' })),
    }));
    expect(problemsOf(() => compileArgo(p, options))).toEqual([
      "WorkflowTemplate 'wide' has 202 DAG tasks and 3 templates (its DAG cannot be split into sub-DAGs of at most 200 tasks: 202 tasks must stay in one DAG (those of condition 'gate', with the steps whose metrics their conditions read), and a DAG holds at most 200); Argo Workflows v4's CRDs allow at most 200 of each (spec.templates and dag.tasks maxItems), and the Kubernetes API server refuses the object; split the pipeline into pipelines with fewer steps or fewer step shapes (steps of one shape share a template), or compile for ArgoVersion.V3_7 on a v3.7 controller, whose CRDs have no such cap",
    ]);
  });

  test('more than 200 templates (distinct step shapes) are still refused, with the cap and the fix', () => {
    const p = new Pipeline('shapes');
    p.addStep(...Array.from({ length: 201 }, (_, i) => Step.script(`s-${i}`, { code, entry: 'noop.py', arguments: [`--shape=${i}`] })));
    expect(problemsOf(() => compileArgo(p, options))).toEqual([
      "WorkflowTemplate 'shapes' has 201 DAG tasks and 204 templates; Argo Workflows v4's CRDs allow at most 200 of each (spec.templates and dag.tasks maxItems), and the Kubernetes API server refuses the object; split the pipeline into pipelines with fewer steps or fewer step shapes (steps of one shape share a template), or compile for ArgoVersion.V3_7 on a v3.7 controller, whose CRDs have no such cap",
    ]);
  });
});
