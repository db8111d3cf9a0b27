import { Chart, Testing } from 'cdk8s';
import { Engine, MlPipeline } from '../../../constructs/k8s';
import { Pipeline, Step } from '../../../lib';
import { KUBERNETES_NAME_RULES } from '../../../lib/kubernetes';
import { FIXTURE_CODE } from '../../conformance/features';
import { errorOf } from '../../support/errors';

jest.spyOn(console, 'warn').mockImplementation(() => undefined);

function simple(): Pipeline {
  const p = new Pipeline('props');
  p.addStep(Step.script('one', { code: FIXTURE_CODE, entry: 'noop.py' }));
  return p;
}

test('a serviceAccountName that is no Kubernetes name is refused with a legal one as the fix', () => {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
  expect(errorOf(() => new MlPipeline(chart, 'P', { pipeline: simple(), engine: Engine.argo({ defaultImage: 'python:3.12-slim' }), serviceAccountName: 'ML Runner' }))).toBe(
    `MlPipeline 'P': serviceAccountName 'ML Runner' is invalid (allowed: ${KUBERNETES_NAME_RULES.dnsSubdomain.allowed}); rename it, e.g. 'ml-runner'`,
  );
});

test('an Engine.kubeflow apiUrl that is not an http(s) URL is a synth-time error', () => {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
  new MlPipeline(chart, 'P', { pipeline: simple(), engine: Engine.kubeflow({ defaultImage: 'python:3.12-slim', apiUrl: 'ml-pipeline.kubeflow:8888' }) });
  expect(errorOf(() => Testing.synth(chart))).toContain(
    "[test/P] MlPipeline 'P' on Kubeflow Pipelines: Engine.kubeflow option apiUrl 'ml-pipeline.kubeflow:8888' is not a URL (allowed: an absolute URL (scheme://host[:port][/path]) with one of the schemes listed: http://, https://); give the full address, e.g. 'http://ml-pipeline.kubeflow.svc:8888'",
  );
});

test('a valid apiUrl and serviceAccountName synthesize', () => {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
  new MlPipeline(chart, 'P', { pipeline: simple(), engine: Engine.kubeflow({ defaultImage: 'python:3.12-slim', apiUrl: 'https://kfp.example.com' }), serviceAccountName: 'runner.v1' });
  expect(Testing.synth(chart).length).toBeGreaterThan(0);
});
