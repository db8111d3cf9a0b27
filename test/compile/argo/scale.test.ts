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
function problemsOf(build: () => unknown): string[] {
  try {
    build();
  } catch (e) {
    return (e as { problems?: string[] }).problems ?? [(e as Error).message];
  }
  throw new Error('expected a synth-time error');
}
const tasksOf = (docs: ArgoDocuments): Json[] => docs.workflowTemplate.spec.templates.find((t: Json) => t.name === 'mlops-dag').dag.tasks;

describe('a generated pipeline of 10 step shapes (bench/support.ts, variants: 4, every step cached)', () => {
  const pipeline = generatedPipeline(2000, { cache: true, variants: 4 });
  const big = compileArgo(pipeline, v37);

  test('2,000 steps compile for Argo v3.7 to one WorkflowTemplate under the etcd limit that validates against the v3.7.18 CRD', () => {
    expect(tasksOf(big).map((t) => t.name)).toEqual(pipeline.allSteps().filter((s) => s.kind !== StepKind.CONDITION).map((s) => s.name));
    expect(bytes(big.workflowTemplate)).toBeLessThan(ETCD_OBJECT_LIMIT);
    expect(validateManifests([big.workflowTemplate], { argo: 'v3.7.18' })).toEqual([]);
  });

  test('on Argo v4, whose CRDs cap a DAG at 200 tasks, more steps are refused at synth with the cap and the fix', () => {
    expect(problemsOf(() => compileArgo(pipeline, options))).toEqual([
      "WorkflowTemplate 'generated-2000' has 1954 DAG tasks and 11 templates; Argo Workflows v4's CRDs allow at most 200 of each (spec.templates and dag.tasks maxItems), and the Kubernetes API server refuses the object; split the pipeline into pipelines of at most 200 steps, or compile for ArgoVersion.V3_7 on a v3.7 controller, whose CRDs have no such cap",
    ]);
    const fits = compileArgo(generatedPipeline(200, { cache: true, variants: 4 }), options);
    expect(validateManifests([fits.workflowTemplate], { argo: 'v4.1.2' })).toEqual([]);
  });

  test('one template per shape: 10 besides the DAG, each named after its first step', () => {
    const names = big.workflowTemplate.spec.templates.map((t: Json) => t.name);
    expect(names).toEqual(['mlops-dag', 's0-0', 's0-1', 's0-2', 's0-3', 's1-0', 's1-1', 's1-2', 's1-3', 'then9', 'fail9']);
  });

  test('1,000 steps fit in 1 MiB', () => {
    expect(bytes(compileArgo(generatedPipeline(1000, { cache: true, variants: 4 }), v37).workflowTemplate)).toBeLessThan(MIB);
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
