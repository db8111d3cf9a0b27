/** aws.CanaryEndpoint bad inputs: each message names the construct, the value, what is allowed and the fix. */
import { execFileSync } from 'child_process';
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { CanaryEndpoint, ModelSource, Rollout } from '../../../constructs/aws';
import { HOSTING_INSTANCE_TYPES } from '../../../constructs/aws/endpoint/hosting-instance-types';
import { ROLLOUT_LIMITS } from '../../../constructs/aws/endpoint/limits';
import { errorOf } from '../../support/errors';
import { endpointIn, endpointStack, irisArtifact } from '../../support/aws/endpoint';

const bad = (props: Parameters<typeof endpointIn>[0]) => errorOf(() => endpointIn(props));

test('variant weights that are all zero', () => {
  expect(bad({ variants: [{ name: 'a', weight: 0 }, { name: 'b', weight: 0 }] })).toBe(
    "CanaryEndpoint 'S/Ep': every variant weight is 0 (0, 0), so no variant would take traffic; give at least one a weight > 0, e.g. 90 and 10");
});

test('a negative weight', () => {
  expect(bad({ variants: [{ name: 'a', weight: 90 }, { name: 'b', weight: -10 }] })).toBe(
    "CanaryEndpoint 'S/Ep': variant 'b': weight is -10, but a variant weight must be a number ≥ 0; e.g. 90 for a 90/10 split");
});

test('more than 10 variants', () => {
  const variants = Array.from({ length: 11 }, (_, i) => ({ name: `v${i}` }));
  expect(bad({ variants, rollbackOn: { alarms: [] } })).toContain('11 variants given, but a SageMaker endpoint takes at most 10; split them across endpoints');
});

test('canary percent outside 1–50', () => {
  expect(bad({ rollout: Rollout.canary({ percent: 60, bake: Duration.minutes(5) }) })).toBe(
    "CanaryEndpoint 'S/Ep': rollout canary percent is 60 %, but SageMaker allows 1–50 %; pick a whole number, e.g. 10");
  expect(bad({ rollout: Rollout.canary({ percent: 0, bake: Duration.minutes(5) }) })).toContain('rollout canary percent is 0 %, but SageMaker allows 1–50 %');
});

test('linear step size outside 10–50 %', () => {
  expect(bad({ rollout: Rollout.linear({ stepPercent: 5, interval: Duration.minutes(5) }) })).toBe(
    "CanaryEndpoint 'S/Ep': rollout linear stepPercent is 5 %, but SageMaker allows 10–50 %; pick a whole number, e.g. 20");
});

test('bake time and timeouts outside the API ranges, all reported at once', () => {
  const message = bad({ rollout: Rollout.canary({ percent: 10, bake: Duration.hours(2), maximumExecutionTimeout: Duration.minutes(5), terminationWait: Duration.hours(2) }) });
  expect(message).toBe([
    "CanaryEndpoint 'S/Ep':",
    '  - rollout bake is 7200 s, but SageMaker allows 0–3600 s; e.g. Duration.minutes(10)',
    '  - rollout maximumExecutionTimeout is 300 s, but SageMaker allows 600–28800 s; e.g. Duration.hours(1)',
    '  - rollout terminationWait is 7200 s, but SageMaker allows 0–3600 s; e.g. Duration.minutes(5)',
  ].join('\n'));
  expect(bad({ rollout: Rollout.linear({ stepPercent: 20, interval: Duration.millis(1500) }) })).toContain('rollout interval is 1.5 s, but SageMaker allows 0–3600 s');
});

test('rollback thresholds ≤ 0', () => {
  expect(bad({ rollbackOn: { p99LatencyMs: 0, errorRatePercent: -1 } })).toBe([
    "CanaryEndpoint 'S/Ep':",
    '  - rollbackOn.p99LatencyMs is 0, but a rollback threshold must be > 0; e.g. 500, or leave it out',
    '  - rollbackOn.errorRatePercent is -1, but a rollback threshold must be > 0 and ≤ 100; e.g. 1, or leave it out',
  ].join('\n'));
});

test('more than 10 rollback alarms', () => {
  const stack = endpointStack();
  const metric = new cloudwatch.Metric({ namespace: 'X', metricName: 'Y' });
  const alarms = Array.from({ length: 7 }, (_, i) => new cloudwatch.Alarm(stack, `A${i}`, { metric, threshold: 1, evaluationPeriods: 1 }));
  expect(errorOf(() => new CanaryEndpoint(stack, 'Ep', { model: irisArtifact(), variants: [{ name: 'a' }, { name: 'b' }], rollbackOn: { p99LatencyMs: 100, alarms } }))).toBe(
    "CanaryEndpoint 'S/Ep': the rollback would watch 11 alarms (2 per variant × 2 + 7 given), but SageMaker takes at most 10; use fewer variants or thresholds");
});

test('a serverless variant with a blue/green traffic shift it cannot have', () => {
  expect(bad({ variants: [{ name: 'small', serverless: {} }], rollout: Rollout.canary({ percent: 10, bake: Duration.minutes(5) }) })).toBe(
    "CanaryEndpoint 'S/Ep': variant(s) 'small' are serverless, but SageMaker's deployment guardrails (CANARY traffic shifting) do not support serverless variants; " +
    'use rollout: Rollout.allAtOnce() or host the variant on instances (instanceType)');
  // The default rollout is a canary, so a serverless variant without a rollout is refused the same way.
  expect(bad({ variants: [{ name: 'small', serverless: {} }] })).toContain('are serverless, but SageMaker\'s deployment guardrails (CANARY traffic shifting)');
  expect(bad({ variants: [{ name: 'small', serverless: { memorySizeMb: 1500, maxConcurrency: 500 } }], rollout: Rollout.allAtOnce() })).toBe([
    "CanaryEndpoint 'S/Ep':",
    "  - variant 'small': serverless memorySizeMb is 1500, but SageMaker allows 1024–6144 in steps of 1024; e.g. 2048",
    "  - variant 'small': serverless maxConcurrency is 500, but SageMaker allows 1–200; e.g. 5",
  ].join('\n'));
});

test('an instance type unknown to SageMaker hosting', () => {
  expect(bad({ variants: [{ name: 'a', instanceType: 'ml.m5.huge' }] })).toBe(
    "CanaryEndpoint 'S/Ep': variant 'a': instanceType 'ml.m5.huge' is not a SageMaker hosting instance type (ProductionVariantInstanceType); " +
    "use one such as 'ml.m5.12xlarge', 'ml.m5.24xlarge', 'ml.m5.2xlarge'");
  expect(bad({ variants: [{ name: 'a', instanceType: 'm5.large' }] })).toContain("instanceType 'm5.large' is not a SageMaker hosting instance type");
});

test('names, counts, autoscaling and model sources', () => {
  expect(bad({ endpointName: 'iris_endpoint', variants: [{ name: 'a', instanceCount: 0, autoScaling: { minCapacity: 3, maxCapacity: 2, invocationsPerInstance: 0 } }, { name: 'a' }] })).toBe([
    "CanaryEndpoint 'S/Ep':",
    "  - endpointName 'iris_endpoint' is invalid (allowed: letters, digits and '-', max 63 characters, starting and ending with a letter or digit); e.g. 'iris-endpoint'",
    "  - variant 'a': instanceCount is 0, but it must be a whole number ≥ 1; e.g. 2",
    "  - variant 'a': autoScaling capacity 3–2 is invalid; minCapacity must be a whole number ≥ 1 and maxCapacity ≥ minCapacity, e.g. 1–4",
    "  - variant 'a': autoScaling invocationsPerInstance is 0, but the target must be > 0; e.g. 100 per minute",
    "  - variant 'a' is given twice; variant names must be unique",
  ].join('\n'));
  expect(bad({ model: ModelSource.fromArtifact('img', '/local/model.tar.gz') })).toBe(
    "CanaryEndpoint 'S/Ep': model modelData is '/local/model.tar.gz', but SageMaker takes an S3 URI (s3://bucket/key); e.g. 's3://my-models/models/model.tar.gz'".replace('my-models', 'my-bucket'));
  expect(bad({ model: ModelSource.fromRegistry('iris classifier') })).toContain("model model package group 'iris classifier' is invalid");
});

test('the hosting instance types are the installed SDK\'s ProductionVariantInstanceType enum', () => {
  const sdk = require('@aws-sdk/client-sagemaker');
  expect([...HOSTING_INSTANCE_TYPES].sort()).toEqual([...new Set(Object.values<string>(sdk.ProductionVariantInstanceType))].sort());
});

test('the rollout limits are botocore\'s SageMaker model ranges', () => {
  const script = `
import botocore, gzip, json, os
m = json.load(gzip.open(os.path.join(os.path.dirname(botocore.__file__), 'data/sagemaker/2017-07-24/service-2.json.gz')))['shapes']
print(json.dumps({n: [m[n].get('min'), m[n].get('max')] for n in ['WaitIntervalInSeconds', 'MaximumExecutionTimeoutInSeconds', 'TerminationWaitInSeconds',
  'ProductionVariantList', 'AlarmList', 'ServerlessMaxConcurrency', 'ServerlessMemorySizeInMB', 'CapacitySizeValue']}))`;
  const ranges = JSON.parse(execFileSync('python3', ['-c', script], { encoding: 'utf8' }));
  expect(ranges).toEqual({
    WaitIntervalInSeconds: [ROLLOUT_LIMITS.waitSeconds.min, ROLLOUT_LIMITS.waitSeconds.max],
    MaximumExecutionTimeoutInSeconds: [ROLLOUT_LIMITS.maximumExecutionSeconds.min, ROLLOUT_LIMITS.maximumExecutionSeconds.max],
    TerminationWaitInSeconds: [ROLLOUT_LIMITS.terminationWaitSeconds.min, ROLLOUT_LIMITS.terminationWaitSeconds.max],
    ProductionVariantList: [1, 10],
    AlarmList: [1, 10],
    ServerlessMaxConcurrency: [1, 200],
    ServerlessMemorySizeInMB: [1024, 6144],
    // The model says only min 1; the 50 % (canary) and 10–50 % (linear) ceilings are the API reference's text.
    CapacitySizeValue: [1, null],
  });
});

test('a model or rollout that is not one of ours', () => {
  expect(bad({ model: 's3://b/k' as any, rollout: { shift: 'CANARY' } as any })).toBe([
    "CanaryEndpoint 'S/Ep':",
    "  - model is 's3://b/k'; use ModelSource.fromArtifact(image, 's3://...') or ModelSource.fromRegistry('group')",
    '  - rollout is {"shift":"CANARY"}; use Rollout.canary({...}), Rollout.linear({...}) or Rollout.allAtOnce()',
  ].join('\n'));
});
