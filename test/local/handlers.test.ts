import * as fs from 'fs';
import * as path from 'path';
import { Code, DataSource, Pipeline, PipelineValidationError, Step } from '../../lib';
import { LOCAL_SOURCES, LOCAL_STEPS, planLocalRun, runLocally } from '../../lib/local';
import { fixtureCode, stateDirs, tempDir } from '../support/local/fixtures';
import { VectorIndexSource, TuningStep } from '../support/extensions';


const code: Code = fixtureCode;

test('the tables hold one handler per kind the local runner runs and reads', () => {
  expect(Object.keys(LOCAL_STEPS).sort()).toEqual(['condition', 'fail', 'register-model', 'script', 'training', 'tune']);
  expect(LOCAL_STEPS.script).toBe(LOCAL_STEPS.training); // both run as launcher processes
  expect(LOCAL_STEPS.script.runsAs).toBe('process');
  expect(Object.keys(LOCAL_SOURCES).sort()).toEqual(['collected-output', 'feature-snapshot', 'step-output', 'uri']);
});

test('a step kind without a handler is the standard problem, found when planning, before anything runs', async () => {
  const p = new Pipeline('tuned');
  const prepare = Step.script('prepare', { code, entry: 'record.sh', outputs: ['data'] });
  p.addStep(prepare, new TuningStep('tune', { code, entry: 'record.sh', inputs: { data: prepare.output('data') } }));

  expect(() => planLocalRun(p)).toThrow(PipelineValidationError);
  expect(() => planLocalRun(p)).toThrow(
    "Pipeline 'tuned' (local runner): step 'tune': step kind 'tuning' is not supported on the local runner (it runs 'condition', 'fail', 'register-model', 'script', 'training', 'tune' steps); remove the step, or run the pipeline on an engine that has a handler for 'tuning' steps",
  );
  const tmp = tempDir('handlers');
  try {
    await expect(runLocally(p, stateDirs(tmp.dir))).rejects.toThrow("step 'tune': step kind 'tuning' is not supported on the local runner");
    expect(fs.existsSync(path.join(tmp.dir, 'runs'))).toBe(false);
  } finally {
    tmp.cleanup();
  }
});

test('a data source kind without a resolver is the standard problem', () => {
  const p = new Pipeline('snapshots');
  p.addStep(Step.script('read', { code, entry: 'record.sh', inputs: { features: new VectorIndexSource() } }));
  let error: PipelineValidationError | undefined;
  try {
    planLocalRun(p);
  } catch (e) {
    error = e as PipelineValidationError;
  }
  expect(error?.problems).toEqual([
    "step 'read': input 'features' reads features@v3, a data source of kind 'vector-index', which the local runner cannot read (it reads 'collected-output', 'feature-snapshot', 'step-output', 'uri'); read another kind of source, or run the pipeline on an engine that reads this one",
  ]);
});

test('every problem of the plan is reported at once', () => {
  const p = new Pipeline('many');
  p.addStep(
    new TuningStep('tune', { code, entry: 'record.sh' }),
    Step.script('read', { code, entry: 'record.sh', inputs: { features: new VectorIndexSource(), raw: DataSource.fromUri('s3://bucket-x/raw/') } }),
  );
  expect(() => planLocalRun(p)).toThrow(
    /step 'tune': step kind 'tuning' is not supported[^\n]*\n {2}- step 'read': input 'features' reads features@v3, a data source of kind 'vector-index'[^\n]*\n {2}- step 'read': input 'raw' reads s3:\/\/bucket-x\/raw\/, which is not on this machine/,
  );
});

test('a register-model step reading every item\'s model is refused: it registers one', () => {
  const p = new Pipeline('register-all');
  const fit = Step.training('fit', { code, entry: 'record.sh', forEach: ['a', 'b'] });
  p.addStep(fit, Step.registerModel('register', { model: fit.collect('model'), group: 'models' }));
  expect(() => planLocalRun(p)).toThrow("step 'register': model is fit.collected.model, the models of every forEach item, but a register step registers one model; register the model of a training step that runs once (e.g. one that reads the collection and writes the chosen model), or register inside each item");
});
