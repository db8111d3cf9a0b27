/**
 * Bad input to aws.MlPipeline: each names the construct path, the pipeline, what was given, the
 * rule, and a fix. Bad props throw when the construct is created; problems with the pipeline's
 * content (which may still be edited then) are CDK validation errors at synth, listed as
 * `[<construct path>] <message>`.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DefinitionStorage, MlPipeline, MlPipelineProps, Orchestrator } from '../../../constructs/aws';
import { Parameter, Pipeline, PipelineValidationError, RetryPolicy, Schedule, Step } from '../../../lib/pipeline';
import { FIXTURE_CODE } from '../../conformance/features';
import { testApp } from '../../support/aws';
import { chainPipeline } from '../../support/aws/pipelines';

const code = FIXTURE_CODE;
const entry = 'noop.py';

function pipeline(): Pipeline {
  const p = new Pipeline('nightly', { parameters: { minAccuracy: Parameter.number(0.9), tag: Parameter.string('x') } });
  p.addStep(Step.script('work', { code, entry }));
  return p;
}

const VALIDATION = 'Validation failed with the following errors:\n  ';

/**
 * The error creating the construct throws (bad props), or else what CDK validation reports at
 * synth: `[<path>] <message>`.
 */
function errorOf(props: Partial<MlPipelineProps>, env?: { account: string; region: string }): string {
  const stack = new Stack(testApp(), 'Errors', { env });
  try {
    new MlPipeline(stack, 'Nightly', { pipeline: pipeline(), orchestrator: Orchestrator.sageMaker(), ...props });
  } catch (e) {
    expect(e).toBeInstanceOf(PipelineValidationError);
    return (e as Error).message;
  }
  try {
    Template.fromStack(stack);
  } catch (e) {
    const message = (e as Error).message;
    expect(message.startsWith(VALIDATION)).toBe(true);
    return message.slice(VALIDATION.length);
  }
  throw new Error('expected an error');
}

test('a cron schedule EventBridge cannot express (both day fields restricted)', () => {
  expect(errorOf({ schedule: Schedule.cron('0 3 1 * 1') })).toBe(
    "MlPipeline 'Errors/Nightly': schedule: Schedule.cron('0 3 1 * 1') cannot run on EventBridge: it restricts both day-of-month ('1') and day-of-week ('1'); " +
      "standard cron runs when either matches, EventBridge cannot express that; restrict only one of them (e.g. '0 3 1 * *' or '0 3 * * 1'), or use two pipelines' schedules",
  );
});

test('a schedule parameter the pipeline does not have', () => {
  expect(errorOf({ schedule: Schedule.daily({ parameters: { minAcc: '0.95' } }) })).toBe(
    "[Errors/Nightly/Schedule] MlPipeline 'Errors/Nightly': schedule parameters: unknown parameter 'minAcc' (defined: 'minAccuracy', 'tag')",
  );
});

test('a schedule parameter of the wrong type', () => {
  expect(errorOf({ schedule: Schedule.daily({ parameters: { minAccuracy: 'high' } }) })).toBe(
    "[Errors/Nightly/Schedule] MlPipeline 'Errors/Nightly': schedule parameters: parameter 'minAccuracy': 'high' is not a number; give a number, e.g. minAccuracy=0.9",
  );
});

test('an empty schedule parameter value, which EventBridge Scheduler cannot pass', () => {
  expect(errorOf({ schedule: Schedule.daily({ parameters: { tag: '' } }) })).toBe(
    "[Errors/Nightly/Schedule] MlPipeline 'Errors/Nightly': schedule parameters: parameter 'tag' is set to an empty string, which EventBridge Scheduler cannot pass (values need 1 to 1024 characters); leave it out to use the default, or give a value",
  );
});

test('a pipelineName SageMaker rejects', () => {
  expect(errorOf({ pipelineName: 'nightly_training v2' })).toBe(
    "MlPipeline 'Errors/Nightly': pipelineName 'nightly_training v2' is invalid for SageMaker (allowed: letters, digits and '-', starting and ending with a letter or digit, max 256 chars); e.g. 'nightly-training-v2'",
  );
});

test('a definition over the inline budget with S3 storage turned off', () => {
  const message = errorOf({ pipeline: chainPipeline(250, 'big'), definitionStorage: DefinitionStorage.INLINE });
  expect(message).toMatch(
    /^\[Errors\/Nightly\] MlPipeline 'Errors\/Nightly': definitionStorage is INLINE, but pipeline 'big' compiles to \d+ bytes of template text, more than the 512000-byte inline budget \(half of CloudFormation's 1 MB template limit\); use DefinitionStorage\.AUTO or DefinitionStorage\.S3$/,
  );
});

test('reading the definition before synthesis throws the same storage problem', () => {
  const stack = new Stack(testApp(), 'Early');
  const early = new MlPipeline(stack, 'Nightly', { pipeline: chainPipeline(250, 'big'), orchestrator: Orchestrator.sageMaker(), definitionStorage: DefinitionStorage.INLINE });
  expect(() => early.definitionStorage).toThrow(PipelineValidationError);
  expect(() => early.definitionSize).toThrow(/definitionStorage is INLINE, but pipeline 'big' compiles to \d+ bytes of template text/);
});

test('a definition over what SageMaker accepts at all, inline or from S3', () => {
  expect(errorOf({ pipeline: chainPipeline(500, 'huge') })).toMatch(
    /^\[Errors\/Nightly\] MlPipeline 'Errors\/Nightly': pipeline 'huge' compiles to a SageMaker definition of about \d+ characters, more than SageMaker accepts \(1048576, inline or from S3\); split it into smaller pipelines or remove steps$/,
  );
});

test('compiler problems come with the construct path', () => {
  const p = new Pipeline('flaky');
  p.addStep(Step.script('retry', { code, entry, retry: RetryPolicy.of({ maxRetries: 30 }) }));
  expect(errorOf({ pipeline: p })).toBe(
    "[Errors/Nightly] MlPipeline 'Errors/Nightly': pipeline 'flaky' on SageMaker: step 'retry': retry maxRetries 30 is more than SageMaker allows (RetryPolicy MaxAttempts 1 to 20); use RetryPolicy.of({ maxRetries: 20 }) or fewer",
  );
});

test('model problems come with the construct path', () => {
  const p = new Pipeline('dupes');
  p.addStep(Step.script('a', { code, entry }), Step.fail('a', { message: 'x' }));
  expect(errorOf({ pipeline: p })).toMatch(/^\[Errors\/Nightly\] MlPipeline 'Errors\/Nightly': pipeline 'dupes': step name 'a' is used by two steps/);
});

test('a default image outside ECR', () => {
  expect(errorOf({ orchestrator: Orchestrator.sageMaker({ defaultImage: 'python:3.11' }) })).toMatch(
    /^\[Errors\/Nightly\] MlPipeline 'Errors\/Nightly': pipeline 'nightly' on SageMaker: step 'work': image 'python:3\.11' is not in Amazon ECR/,
  );
});

test('maxParallelSteps below 1', () => {
  expect(errorOf({ orchestrator: Orchestrator.sageMaker({ maxParallelSteps: 0 }) })).toBe(
    "MlPipeline 'Errors/Nightly': Orchestrator.sageMaker maxParallelSteps 0 is invalid (allowed: a whole number >= 1)",
  );
});

test('a bucketPrefix with a leading slash', () => {
  expect(errorOf({ bucketPrefix: '/ml/nightly' })).toBe(
    "MlPipeline 'Errors/Nightly': bucketPrefix '/ml/nightly' is invalid (allowed: S3-safe characters without a leading or trailing '/'); e.g. 'pipelines/iris'",
  );
});

test('a region without the scikit-learn image and no default image given', () => {
  expect(errorOf({}, { account: '123456789012', region: 'xx-nowhere-1' })).toMatch(
    /^\[Errors\/Nightly\] MlPipeline 'Errors\/Nightly': the SageMaker scikit-learn image has no registry in region 'xx-nowhere-1' \(known: 37 regions\); set Orchestrator\.sageMaker\(\{ defaultImage: /,
  );
});

test('problems of the pipeline and of a trigger are all listed at once, each with its construct path', () => {
  const p = new Pipeline('dupes', { parameters: { n: Parameter.number(1) } });
  p.addStep(Step.script('a', { code, entry }), Step.fail('a', { message: 'x' }));
  const message = errorOf({ pipeline: p, schedule: Schedule.daily({ parameters: { m: '2' } }) });
  expect(message.split('\n  [').map((line) => line.replace(/^\[/, '').split(']')[0])).toEqual(['Errors/Nightly', 'Errors/Nightly/Schedule']);
  expect(message).toContain("MlPipeline 'Errors/Nightly': pipeline 'dupes': step name 'a' is used by two steps");
  expect(message).toContain("MlPipeline 'Errors/Nightly': schedule parameters: unknown parameter 'm' (defined: 'n')");
});

test('several problems at once', () => {
  const message = errorOf({ pipelineName: '-bad', alarmEmails: ['not-an-address'], bucketPrefix: 'x/' });
  expect(message.split('\n')).toEqual([
    "MlPipeline 'Errors/Nightly':",
    "  - pipelineName '-bad' is invalid for SageMaker (allowed: letters, digits and '-', starting and ending with a letter or digit, max 256 chars); e.g. 'bad'",
    "  - bucketPrefix 'x/' is invalid (allowed: S3-safe characters without a leading or trailing '/'); e.g. 'pipelines/iris'",
    "  - alarmEmails holds 'not-an-address', which is not an e-mail address",
  ]);
});
