import { Condition, Pipeline, PipelineValidationError, Step, Value } from '../../../lib';
import { FIXTURE_CODE } from '../../conformance/features';
import { compileForTest, validateKubeflowDocument } from '../../support/kubeflow';

const code = FIXTURE_CODE;
const entry = 'noop.py';

function pipeline(): Pipeline {
  const p = new Pipeline('labelled');
  const fit = Step.training('fit', { code, entry, metrics: ['score'] });
  p.addStep(fit, Step.condition('gate', {
    when: Condition.gt(fit.metric('score'), Value.number(0.5)),
    then: [Step.registerModel('register', { model: fit.model(), group: 'labelled-models' })],
    otherwise: [Step.fail('stop', { message: 'too low' })],
  }));
  return p;
}

test('podLabels reach the pod metadata of every executor, so NetworkPolicies can select step pods', () => {
  const doc = compileForTest(pipeline(), { podLabels: { 'mlops.cdk.io/pipeline': 'labelled', 'app': 'ml' } });
  expect(validateKubeflowDocument(doc)).toEqual([]);
  const executors = doc.platformSpec!.platforms.kubernetes.deploymentSpec.executors;
  expect(Object.keys(executors).sort()).toEqual(['exec-fit', 'exec-register', 'exec-stop']);
  for (const config of Object.values<any>(executors)) {
    expect(config.podMetadata).toEqual({ labels: { 'app': 'ml', 'mlops.cdk.io/pipeline': 'labelled' } });
  }
});

test('without podLabels the executors carry no pod metadata', () => {
  const executors = compileForTest(pipeline()).platformSpec!.platforms.kubernetes.deploymentSpec.executors;
  expect(Object.values<any>(executors).map((c) => c.podMetadata)).toEqual([undefined, undefined, undefined]);
});

test('a label Kubernetes rejects is a synth-time error', () => {
  expect(() => compileForTest(pipeline(), { podLabels: { 'bad key!': 'x', ok: 'not valid value' } })).toThrow(PipelineValidationError);
  let problems: string[] = [];
  try {
    compileForTest(pipeline(), { podLabels: { ok: 'spaces are not allowed' } });
  } catch (e) {
    problems = (e as PipelineValidationError).problems;
  }
  expect(problems).toEqual([
    "Kubeflow option podLabels entry 'ok': 'spaces are not allowed' is not a valid Kubernetes label (keys: [prefix/]name, values: up to 63 letters, digits, '-', '_' or '.')",
  ]);
});
