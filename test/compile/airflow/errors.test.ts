import { CachePolicy, DataSource, Parameter, Pipeline, RetryPolicy, Schedule, Step, StepKind } from '../../../lib';
import { AIRFLOW_SOURCES, AirflowOptions, airflowSteps, compileAirflow } from '../../../lib/compile/airflow';
import { PipelineValidationError } from '../../../lib/pipeline/errors';
import { FIXTURE_CODE as code } from '../../conformance/features';
import { VectorIndexSource, TuningStep } from '../../support/extensions';

const entry = 'noop.py';
const START = new Date('2025-01-01T00:00:00Z');

function pipeline(...steps: Step[]): Pipeline {
  const p = new Pipeline('bad');
  p.addStep(...(steps.length > 0 ? steps : [Step.script('only', { code, entry })]));
  return p;
}

/** The problems of one compile, which must throw a PipelineValidationError naming the pipeline and engine. */
function problems(p: Pipeline, options: Partial<AirflowOptions> = {}): string[] {
  try {
    compileAirflow(p, { executor: 'python', ...options });
  } catch (e) {
    expect(PipelineValidationError.isPipelineValidationError(e)).toBe(true);
    expect((e as Error).message.startsWith(`Pipeline '${p.name}' on Airflow:`)).toBe(true);
    return (e as PipelineValidationError).problems;
  }
  throw new Error('expected a synth-time error');
}

test('an illegal DAG id names the value, Airflow\'s rule and a fix', () => {
  expect(problems(pipeline(), { dagId: 'iris dag' })).toEqual([
    "dagId 'iris dag' is not a valid Airflow id (allowed: [A-Za-z0-9_.-]{1,250}: letters, digits, '_', '.' and '-', at most 250 characters); rename it, e.g. 'iris_dag'",
  ]);
});

test('step names that become the same Python variable are a problem naming both', () => {
  expect(problems(pipeline(Step.script('a-b', { code, entry }), Step.script('a_b', { code, entry })))).toEqual([
    "step 'a_b': its Python name 'a_b' in the DAG file is also that of step 'a-b'; rename one of them",
  ]);
});

test('a step whose task variable is another step\'s branch function name clashes', () => {
  expect(problems(pipeline(Step.script('gate_fail', { code, entry }), Step.fail('gate', { message: 'stop' })))).toEqual([
    "step 'gate': its Python name 'gate_fail' in the DAG file is also that of step 'gate_fail'; rename one of them",
  ]);
});

test('schedules: unsupported cron syntax, not a Schedule, unparseable (thrown by the model), parameters Airflow cannot pass', () => {
  expect(problems(pipeline(), { schedule: Schedule.cron('0 0 L * *'), startDate: START })).toEqual([
    "schedule cron(0 0 L * *) uses 'L', which Airflow's cron parser (croniter) does not read the same way in every version; write it with plain fields, lists and ranges, e.g. '0 3 28-31 * *' plus a check in the first step",
  ]);
  expect(problems(pipeline(), { schedule: {} as Schedule, startDate: START })).toEqual([
    "schedule {} is not a Schedule; use Schedule.cron('0 3 * * *') or Schedule.rate(6, RateUnit.HOURS)",
  ]);
  expect(() => Schedule.cron('every day')).toThrow("Schedule.cron: 'every day' has 2 fields, standard cron has 5");
  const p = pipeline();
  p.addParameter('n', Parameter.integer(1));
  expect(problems(p, { schedule: Schedule.daily({ parameters: { n: '2' } }), startDate: START })).toEqual([
    "schedule cron(0 0 * * *) sets parameters (n), but Airflow starts scheduled runs with the params' defaults; give the parameters those defaults instead",
  ]);
});

test('start dates: a schedule or catchup without one, catchup from a date in the future', () => {
  expect(problems(pipeline(), { schedule: Schedule.daily() })).toEqual([
    "schedule cron(0 0 * * *) needs a startDate: Airflow schedules data intervals from it; set startDate, e.g. new Date('2025-01-01T00:00:00Z')",
  ]);
  expect(problems(pipeline(), { catchup: true })).toEqual([
    "catchup is on but no startDate is given: Airflow backfills the intervals from the start date, so it needs one; set startDate (e.g. new Date('2025-01-01T00:00:00Z')) or turn catchup off",
  ]);
  expect(problems(pipeline(), { schedule: Schedule.daily(), catchup: true, startDate: new Date('2030-01-01T00:00:00Z'), now: new Date('2026-01-01T00:00:00Z') })).toEqual([
    'startDate 2030-01-01T00:00:00.000Z is in the future and catchup is on: there is nothing to catch up until then, and Airflow starts no run before it; set a start date in the past to backfill from it, or turn catchup off',
  ]);
  // Without catchup a future start is fine: the first run waits for it.
  expect(() => compileAirflow(pipeline(), { executor: 'python', schedule: Schedule.daily(), startDate: new Date('2030-01-01T00:00:00Z'), now: new Date('2026-01-01T00:00:00Z') })).not.toThrow();
});

test('options: an unsupported Airflow version, sagemaker or kubernetes without their options, maxActiveRuns', () => {
  expect(problems(pipeline(), { airflowVersion: '2.9' as '3' })).toEqual([
    "airflowVersion '2.9' is not supported (allowed: '2.10', '3'); use '2.10' for Amazon MWAA and Airflow 2.10+, '3' for Airflow 3.x",
  ]);
  expect(problems(pipeline(), { executor: 'sagemaker' })).toEqual([
    "executor 'sagemaker' needs the sagemaker options (roleArn, bucketName, prefix, defaultImage, codeUri); give options.sagemaker, or compile through aws.MlPipeline, which fills them in",
  ]);
  expect(problems(pipeline(), { executor: 'kubernetes' })).toEqual([
    "executor 'kubernetes' needs the kubernetes options (namespace, dataVolumeClaim, images); give options.kubernetes",
  ]);
  expect(problems(pipeline(), { executor: 'kubernetes', kubernetes: { namespace: 'ml', dataVolumeClaim: 'd' } })).toEqual([
    "step 'only': sets no image, and the kubernetes options give no defaultImage; set the step's image or kubernetes.defaultImage (an image with python3 and the step's packages)",
  ]);
  expect(problems(pipeline(), { maxActiveRuns: 0 })).toEqual(['maxActiveRuns 0 is invalid (allowed: a whole number >= 1)']);
});

test('a GPU step on the python executor, a cache policy, a backoff rate Airflow cannot express', () => {
  expect(problems(pipeline(Step.script('gpu', { code, entry, resources: { gpu: 1 } })))).toEqual([
    "step 'gpu': asks for 1 GPU(s), but the 'python' executor runs steps as subprocesses on the Airflow worker, which cannot request GPUs; use the 'kubernetes' executor for GPU steps, or remove resources.gpu",
  ]);
  expect(() => compileAirflow(pipeline(Step.script('gpu', { code, entry, resources: { gpu: 1 } })), { executor: 'kubernetes', kubernetes: { namespace: 'ml', dataVolumeClaim: 'd', defaultImage: 'i' } })).not.toThrow();
  expect(problems(pipeline(Step.script('cached', { code, entry, cache: CachePolicy.enabled() })))).toEqual([
    "step 'cached': has a cache policy, but Airflow has no step cache and would run it every time; turn caching off for the step (cache: CachePolicy.disabled()), or compile with cache: 'run-always' to run cached steps every time on Airflow",
  ]);
  expect(problems(pipeline(Step.script('r', { code, entry, retry: RetryPolicy.of({ maxRetries: 2, backoffRate: 3 }) })))).toEqual([
    "step 'r': retry backoffRate 3 cannot be expressed on Airflow, whose retry_exponential_backoff doubles the wait (rate 2) and is otherwise constant (rate 1); use backoffRate 1 or 2",
  ]);
});

test('Airflow compiles the five built-in step kinds and reads the four source kinds', () => {
  expect(Object.keys(airflowSteps(() => [])).sort()).toEqual(['condition', 'fail', 'register-model', 'script', 'training', 'tune']);
  expect(Object.keys(AIRFLOW_SOURCES).sort()).toEqual(['collected-output', 'feature-snapshot', 'step-output', 'uri']);
});

test('a data source of an unknown kind is the standard problem, not a dropped input', () => {
  expect(problems(pipeline(Step.script('read', { code, entry, inputs: { features: new VectorIndexSource() } })))).toEqual([
    "step 'read': input 'features' reads features@v3, a data source of kind 'vector-index', which Airflow cannot read (it reads 'collected-output', 'feature-snapshot', 'step-output', 'uri'); read another kind of source, or run the pipeline on an engine that reads this one",
  ]);
});

test('a step that claims a container kind but is no ContainerStep is refused by the model before Airflow compiles it', () => {
  class NotAContainer extends Step {
    public readonly kind = StepKind.SCRIPT;
    constructor(name: string) {
      super(name, {});
    }
    public problems(): string[] {
      return [];
    }
  }
  expect(() => compileAirflow(pipeline(new NotAContainer('odd')), { executor: 'python' })).toThrow("claims the built-in kind 'script', which belongs to ScriptStep, but is a NotAContainer");
});

test('an unknown step kind is the standard handler-table problem', () => {
  expect(problems(pipeline(new TuningStep('tune', { code, entry })))).toEqual([
    "step 'tune': step kind 'tuning' is not supported on Airflow (it runs 'condition', 'fail', 'register-model', 'script', 'training', 'tune' steps); remove the step, or run the pipeline on an engine that has a handler for 'tuning' steps",
  ]);
});

test('inputs and text Airflow cannot take: s3 data for the launcher, Jinja braces in arguments, item names that are not folder names', () => {
  expect(problems(pipeline(Step.script('read', { code, entry, inputs: { raw: DataSource.fromUri('s3://my-bucket/raw/') } })))).toEqual([
    "step 'read': input 'raw' reads s3://my-bucket/raw/ (scheme 's3'), but steps on Airflow's 'python' executor read paths on the workers, and the launcher does not download; copy the data in a first step that writes it as an output, or give a path the steps can read",
  ]);
  expect(problems(pipeline(Step.script('tpl', { code, entry, arguments: ['--day', '{{ ds }}'] })))).toEqual([
    "step 'tpl': argument 2 contains '{{', '{%' or '{#', which Airflow renders as a Jinja template; remove the braces, or pass the value in a file",
  ]);
  expect(problems(pipeline(Step.script('fan', { code, entry, forEach: ['a/b'] })))).toEqual([
    "step 'fan': forEach item \"a/b\" names the item's output folder on Airflow, so it may hold only letters, digits, '_', '.' and '-'; rename the item",
  ]);
});

test('every problem of one pipeline is reported at once', () => {
  const found = problems(pipeline(
    Step.script('gpu', { code, entry, resources: { gpu: 2 }, cache: CachePolicy.enabled() }),
    new TuningStep('tune', { code, entry }),
  ), { schedule: Schedule.daily() });
  expect(found.map((p) => p.slice(0, 40))).toEqual([
    "step 'gpu': has a cache policy, but Airf",
    "step 'gpu': asks for 2 GPU(s), but the '",
    'schedule cron(0 0 * * *) needs a startDa',
    "step 'tune': step kind 'tuning' is not s",
  ]);
});
