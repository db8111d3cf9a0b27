import { ArtifactType, Condition, ContainerStep, DataSource, Pipeline, PipelineValidationError, Step, Value } from '../../../lib';
import { KUBEFLOW_SOURCES, KUBEFLOW_STEPS } from '../../../lib/compile/kubeflow';
import { FIXTURE_CODE } from '../../conformance/features';
import { compileForTest } from '../../support/kubeflow';

/**
 * Dispatch is a lookup in KUBEFLOW_STEPS / KUBEFLOW_SOURCES: a kind Kubeflow has no entry for is
 * the standard synth-time problem (lib/pipeline/handlers.ts), never a plain container.
 */
const code = FIXTURE_CODE;
const entry = 'noop.py';

class TuningStep extends ContainerStep {
  public readonly kind = 'tuning';
  constructor(name: string) {
    super(name, { code, entry, metrics: ['score'] });
  }
}

class VectorIndexSource extends DataSource {
  public readonly sourceKind = 'vector-index';
  public readonly producer = undefined;
  constructor(public readonly type: ArtifactType = ArtifactType.DATASET) {
    super();
  }
  public toString(): string {
    return 'customers@2026-12-01';
  }
}

function problemsOf(pipeline: Pipeline): string[] {
  try {
    compileForTest(pipeline);
  } catch (e) {
    expect(e).toBeInstanceOf(PipelineValidationError);
    return (e as PipelineValidationError).problems;
  }
  throw new Error(`expected '${pipeline.name}' not to compile for Kubeflow`);
}

test('the tables list what Kubeflow compiles and reads', () => {
  expect(Object.keys(KUBEFLOW_STEPS).sort()).toEqual(['condition', 'fail', 'register-model', 'script', 'training', 'tune']);
  expect(Object.keys(KUBEFLOW_SOURCES).sort()).toEqual(['collected-output', 'feature-snapshot', 'step-output', 'uri']);
});

test('a ContainerStep subclass of an unknown kind is the standard problem, not a plain container', () => {
  const p = new Pipeline('kinds');
  p.addStep(Step.script('prep', { code, entry }), new TuningStep('tune'));
  expect(problemsOf(p)).toEqual([
    "step 'tune': step kind 'tuning' is not supported on Kubeflow Pipelines (it runs 'condition', 'fail', 'register-model', 'script', 'training', 'tune' steps); remove the step, or run the pipeline on an engine that has a handler for 'tuning' steps",
  ]);
});

test('an unknown step kind inside a condition branch is found too', () => {
  const p = new Pipeline('nested-kinds');
  const prep = Step.script('prep', { code, entry, metrics: ['rows'] });
  p.addStep(prep, Step.condition('gate', { when: Condition.gt(prep.metric('rows'), Value.number(0)), then: [new TuningStep('tune')] }));
  expect(problemsOf(p)).toEqual([expect.stringMatching(/^step 'tune': step kind 'tuning' is not supported on Kubeflow Pipelines/)]);
});

test('a data source of an unknown kind is the standard problem, not an internal error', () => {
  const p = new Pipeline('sources');
  p.addStep(Step.script('read', { code, entry, inputs: { features: new VectorIndexSource() } }));
  expect(problemsOf(p)).toEqual([
    "step 'read': input 'features' reads customers@2026-12-01, a data source of kind 'vector-index', which Kubeflow Pipelines cannot read (it reads 'collected-output', 'feature-snapshot', 'step-output', 'uri'); read another kind of source, or run the pipeline on an engine that reads this one",
  ]);
});

test('a register-model step reading an unknown source kind gets the same problem', () => {
  const p = new Pipeline('register-sources');
  p.addStep(Step.registerModel('register', { model: new VectorIndexSource(ArtifactType.MODEL), group: 'g' }));
  expect(problemsOf(p)).toEqual(expect.arrayContaining([
    expect.stringMatching(/^step 'register': input 'model' reads customers@2026-12-01, a data source of kind 'vector-index', which Kubeflow Pipelines cannot read/),
  ]));
});
