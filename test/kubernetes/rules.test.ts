import { CachePolicy, Pipeline, PipelineValidationError, RetryPolicy, Step } from '../../lib';
import { ARGO_RULES } from '../../lib/compile/argo/checks';
import { compileArgo } from '../../lib/compile/argo';
import { ArgoCompileOptions } from '../../lib/compile/argo/options';
import { compileKubeflow } from '../../lib/compile/kubeflow';
import { cpuQuantity, gibQuantity, KUBERNETES_NAME_RULES, kubernetesNameProblem, QUANTITY_RULES, quantityProblems } from '../../lib/kubernetes';
import { Resources } from '../../lib/pipeline/resources';
import { FIXTURE_CODE } from '../conformance/features';

const code = FIXTURE_CODE;
const entry = 'noop.py';
const IMAGE = 'python:3.12-slim';

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    expect(PipelineValidationError.isPipelineValidationError(e)).toBe(true);
    return (e as PipelineValidationError).problems;
  }
  throw new Error('expected a PipelineValidationError');
}

function onePipeline(resources?: Resources, defaultResources?: Resources): Pipeline {
  const p = new Pipeline('rules', { defaultResources });
  p.addStep(Step.script('a', { code, entry, resources }));
  return p;
}

const argo = (p: Pipeline, options: Partial<ArgoCompileOptions> = {}) => () => compileArgo(p, { defaultImage: IMAGE, codeConfigMapName: () => 'code', ...options });
const kubeflow = (p: Pipeline) => () => compileKubeflow(p, { defaultImage: IMAGE, codeConfigMapName: () => 'code' });

describe('Kubernetes names', () => {
  test('DNS-1123 labels and subdomains, with a legal name as the fix', () => {
    const { dnsLabel, dnsSubdomain } = KUBERNETES_NAME_RULES;
    expect(kubernetesNameProblem('namespace', 'ML Team', dnsLabel)).toBe(
      "namespace 'ML Team' is invalid (allowed: a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 chars); rename it, e.g. 'ml-team'",
    );
    expect(kubernetesNameProblem('namespace', 'a.b', dnsLabel)).toMatch(/e\.g\. 'a-b'$/);
    expect(kubernetesNameProblem('namespace', 'x'.repeat(64), dnsLabel)).toMatch(/at most 63 chars\); rename it, e\.g\. 'x{63}'$/);
    expect(kubernetesNameProblem('serviceAccountName', 'Pipeline Runner', dnsSubdomain)).toBe(
      "serviceAccountName 'Pipeline Runner' is invalid (allowed: a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', each '.'-separated part starting and ending with a letter or digit, at most 253 chars); rename it, e.g. 'pipeline-runner'",
    );
    expect(kubernetesNameProblem('serviceAccountName', 'runner.v1', dnsSubdomain)).toBeUndefined();
    expect(kubernetesNameProblem('serviceAccountName', '', dnsSubdomain)).toBe(`serviceAccountName '' is invalid (allowed: ${dnsSubdomain.allowed}); rename it`);
    expect(kubernetesNameProblem('serviceAccountName', undefined, dnsSubdomain)).toBeUndefined();
  });

  test('Argo options that name Kubernetes objects', () => {
    const p = onePipeline();
    expect(problemsOf(argo(p, {
      namespace: 'Team_A',
      serviceAccountName: 'step runner',
      memoizeCacheName: 'Memo',
      artifactRepositoryRef: { configMap: 'repos!' },
      labels: { team: 'a b' },
    }))).toEqual([
      "Argo option namespace 'Team_A' is invalid (allowed: a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 chars); rename it, e.g. 'team-a'",
      `Argo option serviceAccountName 'step runner' is invalid (allowed: ${KUBERNETES_NAME_RULES.dnsSubdomain.allowed}); rename it, e.g. 'step-runner'`,
      `Argo option memoizeCacheName 'Memo' is invalid (allowed: ${KUBERNETES_NAME_RULES.dnsSubdomain.allowed}); rename it, e.g. 'memo'`,
      `Argo option artifactRepositoryRef.configMap 'repos!' is invalid (allowed: ${KUBERNETES_NAME_RULES.dnsSubdomain.allowed}); rename it, e.g. 'repos'`,
      "Argo option labels entry 'team': 'a b' is not a valid Kubernetes label (keys: [prefix/]name, values: up to 63 letters, digits, '-', '_' or '.')",
    ]);
  });
});

describe('resource quantities never round to zero', () => {
  test('below 1m CPU or 1Ki of memory or disk is refused, naming where the value came from', () => {
    const p = onePipeline({ cpu: 0.0004, diskGiB: 1e-7 }, { memoryGiB: 1e-9 });
    const expected = [
      `pipeline default defaultResources: resources.memoryGiB 1e-9 is too small for a Kubernetes quantity (allowed: ${QUANTITY_RULES.memoryGiB.allowed}); it would be emitted as zero, so give the amount in the model's unit (GiB)`,
      `step 'a': resources.cpu 0.0004 is too small for a Kubernetes quantity (allowed: ${QUANTITY_RULES.cpu.allowed}); it would be emitted as zero, so give the amount in the model's unit (vCPUs)`,
      `step 'a': resources.diskGiB 1e-7 is too small for a Kubernetes quantity (allowed: ${QUANTITY_RULES.diskGiB.allowed}); it would be emitted as zero, so give the amount in the model's unit (GiB)`,
    ];
    expect(problemsOf(argo(p))).toEqual(expected);
    expect(problemsOf(kubeflow(p))).toEqual(expected);
  });

  test('from the smallest unit up, quantities round up and are emitted', () => {
    expect(quantityProblems('x:', { cpu: 0.001, memoryGiB: 1 / (1024 * 1024), diskGiB: 1 })).toEqual([]);
    expect(cpuQuantity(0.001)).toBe('1m');
    expect(cpuQuantity(0.0015)).toBe('2m');
    expect(gibQuantity(1 / (1024 * 1024))).toBe('1Ki');
    const docs = compileArgo(onePipeline({ cpu: 0.001, memoryGiB: 0.0001 }), { defaultImage: IMAGE, codeConfigMapName: () => 'code' });
    const template = docs.workflowTemplate.spec.templates.find((t: { container?: unknown }) => t.container !== undefined);
    expect(template.container.resources.requests).toMatchObject({ cpu: '1m', memory: '105Ki' });
  });

  test('Argo option defaultResources gets the model rules and the quantity rules', () => {
    const p = onePipeline();
    expect(problemsOf(argo(p, { defaultResources: { cpu: -1, memoryGiB: NaN, gpu: 1.5 } }))).toEqual([
      'Argo option defaultResources: resources.cpu -1 is invalid (allowed: a number > 0)',
      'Argo option defaultResources: resources.memoryGiB NaN is invalid (allowed: a number > 0)',
      'Argo option defaultResources: resources.gpu 1.5 is invalid (allowed: a whole number >= 0)',
    ]);
    expect(problemsOf(argo(p, { defaultResources: { cpu: 0.0001 } }))).toEqual([
      `Argo option defaultResources: resources.cpu 0.0001 is too small for a Kubernetes quantity (allowed: ${QUANTITY_RULES.cpu.allowed}); it would be emitted as zero, so give the amount in the model's unit (vCPUs)`,
    ]);
  });
});

describe('Argo durations fit a Go time.Duration', () => {
  test('a cache expiry or retry interval over ~292 years, on a step and as the pipeline default', () => {
    const p = new Pipeline('durations', {
      defaultCache: CachePolicy.enabled({ expireAfterHours: 3e6 }),
      defaultRetry: RetryPolicy.of({ maxRetries: 1, intervalSeconds: 1e10 }),
    });
    p.addStep(
      Step.script('a', { code, entry }),
      Step.script('b', { code, entry, cache: CachePolicy.enabled({ expireAfterHours: 2562047 }), retry: RetryPolicy.of({ maxRetries: 1, intervalSeconds: 9.3e9 }) }),
    );
    expect(problemsOf(argo(p))).toEqual([
      `pipeline default defaultRetry: retry intervalSeconds 10000000000 is too long for Argo Workflows (allowed: ${ARGO_RULES.retryBackoffDuration.allowed}); lower it`,
      `pipeline default defaultCache: cache expireAfterHours 3000000 is too long for Argo Workflows (allowed: ${ARGO_RULES.memoizeMaxAge.allowed}); lower it, or omit it for no expiry`,
      `step 'b': retry intervalSeconds 9300000000 is too long for Argo Workflows (allowed: ${ARGO_RULES.retryBackoffDuration.allowed}); lower it`,
    ]);
    expect(ARGO_RULES.memoizeMaxAge.allowed).toBe('at most 2562047 hours (memoize.maxAge is a Go time.Duration)');
  });
});
