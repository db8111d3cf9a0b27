import { generatedPipeline } from '../../../bench/support';
import { CachePolicy, Pipeline, RetryPolicy, Step, StepKind } from '../../../lib';
import { ArgoDocuments, ArgoVersion, compileArgo } from '../../../lib/compile/argo';
import { ETCD_OBJECT_LIMIT } from '../../../lib/kubernetes';
import { ContainerStep } from '../../../lib/pipeline/steps/container-step';
import { FIXTURE_CODE as code } from '../../conformance/features';
import { validateManifests } from '../../support/k8s';
import { taskTemplate } from './resolve';

type Json = { [key: string]: any };
const MIB = 1024 * 1024;
const options = { defaultImage: 'python:3.12-slim', codeConfigMapName: () => 'code-cm' };
const v37 = { ...options, argoVersion: ArgoVersion.V3_7 };
const bytes = (o: unknown) => Buffer.byteLength(JSON.stringify(o));
const tasksOf = (docs: ArgoDocuments): Json[] => docs.workflowTemplate.spec.templates.find((t: Json) => t.name === 'mlops-dag').dag.tasks;

describe('a generated pipeline of 10 step shapes (bench/support.ts, variants: 4, every step cached)', () => {
  const pipeline = generatedPipeline(2000, { cache: true, variants: 4 });
  const big = compileArgo(pipeline, v37);

  test('2,000 steps compile for Argo v3.7 to one WorkflowTemplate under the etcd limit that validates against the v3.7.18 CRD', () => {
    expect(tasksOf(big).map((t) => t.name)).toEqual(pipeline.allSteps().filter((s) => s.kind !== StepKind.CONDITION).map((s) => s.name));
    expect(bytes(big.workflowTemplate)).toBeLessThan(ETCD_OBJECT_LIMIT);
    expect(validateManifests([big.workflowTemplate], { argo: 'v3.7.18' })).toEqual([]);
  });

  test('on Argo v4, whose CRDs cap a DAG at 200 tasks, 2,000 steps compile to sub-DAGs of at most 200 under the etcd limit that validate against the v4.1.2 CRD', () => {
    const v4 = compileArgo(pipeline, options);
    const parts = tasksOf(v4).map((t) => v4.workflowTemplate.spec.templates.find((x: Json) => x.name === t.template).dag.tasks.length);
    expect(parts.reduce((a: number, b: number) => a + b, 0)).toBe(tasksOf(big).length);
    expect(Math.max(...parts)).toBeLessThanOrEqual(200);
    expect(bytes(v4.workflowTemplate)).toBeLessThan(ETCD_OBJECT_LIMIT);
    expect(validateManifests([v4.workflowTemplate], { argo: 'v4.1.2' })).toEqual([]);
    const fits = compileArgo(generatedPipeline(200, { cache: true, variants: 4 }), options);
    expect(validateManifests([fits.workflowTemplate], { argo: 'v4.1.2' })).toEqual([]);
  });

  test('one template per shape: 10 besides the DAG, each named after its first step', () => {
    const names = big.workflowTemplate.spec.templates.map((t: Json) => t.name);
    expect(names).toEqual(['mlops-dag', 's0-0', 's0-1', 's0-2', 's0-3', 's1-0', 's1-1', 's1-2', 's1-3', 'then9', 'fail9']);
  });

  test('1,000 steps fit in 1 MiB, on v3.7 and v4', () => {
    expect(bytes(compileArgo(generatedPipeline(1000, { cache: true, variants: 4 }), v37).workflowTemplate)).toBeLessThan(MIB);
    expect(bytes(compileArgo(generatedPipeline(1000, { cache: true, variants: 4 }), options).workflowTemplate)).toBeLessThan(MIB);
  });

  test('each task runs its shape\'s template as its own step: name, label, memoize key, artifacts and arguments', () => {
    const p = generatedPipeline(200, { cache: true, variants: 4 });
    const docs = compileArgo(p, options);
    const steps = new Map(p.allSteps().map((s) => [s.name, s]));
    for (const task of tasksOf(docs)) {
      const t = taskTemplate(docs, task.name);
      const step = steps.get(task.name)!;
      expect(JSON.stringify(t)).not.toContain('{{inputs.parameters.mlops-');
      expect(t.metadata.labels).toEqual({ 'mlops.cdk.io/step': task.name });
      if (t.container.args) {
        expect(t.container.args).toContain(`MLOPS_STEP=${task.name}`);
        const args: string[] = t.container.args;
        expect(args.includes('--') ? args.slice(args.indexOf('--') + 1) : []).toEqual((step as ContainerStep).arguments);
        expect(t.memoize.key).toBe(task.arguments.parameters.find((a: Json) => a.name === 'mlops-memo').value);
        expect((t.inputs.artifacts ?? []).map((a: Json) => a.name)).toEqual((task.arguments.artifacts ?? []).map((a: Json) => a.name));
      } else {
        expect(t.container.env[0].value).toBe(`[mlops] step '${task.name}' failed the run: score too low`);
      }
    }
  });
});

describe('what a shared template holds stays per shape', () => {
  const compile = (...steps: Step[]) => {
    const p = new Pipeline('shapes');
    p.addStep(...steps);
    return compileArgo(p, options);
  };
  const templateNames = (docs: ArgoDocuments) => tasksOf(docs).map((t) => t.template);

  test('steps that differ only in name share one template', () => {
    const docs = compile(Step.script('a', { code, entry: 'noop.py' }), Step.script('b', { code, entry: 'noop.py' }));
    expect(templateNames(docs)).toEqual(['a', 'a']);
    expect(taskTemplate(docs, 'b').container.args).toContain('MLOPS_STEP=b');
  });

  test.each<[string, Partial<Parameters<typeof Step.script>[1]>]>([
    ['retries', { retry: RetryPolicy.of({ maxRetries: 2 }) }],
    ['resources', { resources: { cpu: 2 } }],
    ['image', { image: 'python:3.13-slim' }],
    ['env', { env: { MODE: 'x' } }],
    ['arguments', { arguments: ['--x'] }],
    ['cache expiry', { cache: CachePolicy.enabled({ expireAfterHours: 1 }) }],
    ['timeout', { timeoutSeconds: 60 }],
  ])('a step with other %s gets its own template', (_, props) => {
    const docs = compile(Step.script('a', { code, entry: 'noop.py' }), Step.script('b', { code, entry: 'noop.py', ...props }));
    expect(templateNames(docs)).toEqual(['a', 'b']);
  });
});
