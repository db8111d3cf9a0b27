/** aws.MlflowTrackingServer: bad props are one synth-time error naming the construct, each problem with the value, what is allowed and a fix. */
import { Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { MlflowTrackingServer, MlflowTrackingServerProps, MlflowTrackingServerSize } from '../../../constructs/aws/mlflow';
import { PipelineValidationError } from '../../../lib/pipeline';
import { testApp } from '../../support/aws';

function build(props: MlflowTrackingServerProps): { stack: Stack; server: MlflowTrackingServer } {
  const stack = new Stack(testApp(), 'Tracking', { env: { account: '123456789012', region: 'eu-west-1' } });
  return { stack, server: new MlflowTrackingServer(stack, 'Mlflow', props) };
}

function problemsOf(props: MlflowTrackingServerProps): string[] {
  try {
    build(props);
  } catch (e) {
    expect(PipelineValidationError.isPipelineValidationError(e)).toBe(true);
    expect((e as Error).message).toMatch(/^MlflowTrackingServer 'Tracking\/Mlflow':/);
    return (e as PipelineValidationError).problems;
  }
  throw new Error('expected an error');
}

test('tracking server names: characters, edges and length (SageMaker: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,255})', () => {
  expect(problemsOf({ trackingServerName: 'team_tracking' })).toEqual([
    "trackingServerName 'team_tracking' is invalid (allowed: letters, digits and '-', starting and ending with a letter or digit, at most 256 chars); rename it, e.g. 'team-tracking'",
  ]);
  expect(problemsOf({ trackingServerName: '-tracking-' })).toEqual([
    "trackingServerName '-tracking-' is invalid (allowed: letters, digits and '-', starting and ending with a letter or digit, at most 256 chars); rename it, e.g. 'tracking'",
  ]);
  expect(problemsOf({ trackingServerName: 'a'.repeat(257) })).toHaveLength(1);
  expect(problemsOf({ trackingServerName: '' })).toHaveLength(1);
  expect(build({ trackingServerName: 'a'.repeat(256) }).server.trackingServerName).toHaveLength(256);
  expect(build({ trackingServerName: 'team--tracking-2' }).server.trackingServerName).toBe('team--tracking-2');
});

test('an unknown size', () => {
  expect(problemsOf({ size: 'XLarge' as MlflowTrackingServerSize })).toEqual([
    "size 'XLarge' is not a tracking server size (allowed: MlflowTrackingServerSize.SMALL, MEDIUM or LARGE: 'Small', 'Medium', 'Large')",
  ]);
  expect(problemsOf({ size: 'small' as MlflowTrackingServerSize })).toHaveLength(1);
});

test('MLflow versions: major.minor[.patch], at most 16 chars', () => {
  const message = (v: string) => `mlflowVersion '${v}' is invalid (allowed: major.minor or major.minor.patch in digits, at most 16 chars); give a version SageMaker offers, e.g. '3.0' or '2.16'`;
  expect(problemsOf({ mlflowVersion: '3' })).toEqual([message('3')]);
  expect(problemsOf({ mlflowVersion: 'v3.0' })).toEqual([message('v3.0')]);
  expect(problemsOf({ mlflowVersion: '3.0.1.2' })).toEqual([message('3.0.1.2')]);
  expect(problemsOf({ mlflowVersion: '1234567.123456789' })).toEqual([message('1234567.123456789')]);
  for (const ok of ['3.0', '2.16', '2.13.2']) {
    expect(() => build({ mlflowVersion: ok })).not.toThrow();
  }
});

test("maintenance windows: '<Day>:<HH>:<MM>' with the API's capitalization, 00:00-23:59", () => {
  const message = (w: string) => `weeklyMaintenanceWindowStart '${w}' is invalid (allowed: '<Day>:<HH>:<MM>' in UTC, the day as Mon, Tue, Wed, Thu, Fri, Sat or Sun with that capitalization, the time 00:00-23:59); e.g. 'Tue:03:30'`;
  // The API reference's own example, 'TUE:03:30', fails its pattern.
  expect(problemsOf({ weeklyMaintenanceWindowStart: 'TUE:03:30' })).toEqual([message('TUE:03:30')]);
  expect(problemsOf({ weeklyMaintenanceWindowStart: 'Tue:24:00' })).toEqual([message('Tue:24:00')]);
  expect(problemsOf({ weeklyMaintenanceWindowStart: 'Tuesday:03:30' })).toEqual([message('Tuesday:03:30')]);
  expect(problemsOf({ weeklyMaintenanceWindowStart: 'Tue:3:30' })).toEqual([message('Tue:3:30')]);
  expect(() => build({ weeklyMaintenanceWindowStart: 'Sun:23:59' })).not.toThrow();
});

test('artifact prefixes and a key given with a bucket of your own', () => {
  expect(problemsOf({ artifactPrefix: '/mlflow' })).toEqual([
    "artifactPrefix '/mlflow' is invalid (it must be non-empty, not start or end with '/' and not hold '//'); e.g. 'mlflow'",
  ]);
  expect(problemsOf({ artifactPrefix: 'mlflow/' })).toHaveLength(1);
  expect(problemsOf({ artifactPrefix: '' })).toHaveLength(1);
  const stack = new Stack(testApp(), 'Own');
  expect(() => new MlflowTrackingServer(stack, 'Mlflow', { artifactBucket: new s3.Bucket(stack, 'B'), encryptionKey: new kms.Key(stack, 'K') })).toThrow(
    "MlflowTrackingServer 'Own/Mlflow': encryptionKey is given with artifactBucket, but it only encrypts a bucket the construct creates; encrypt your bucket with the key yourself and drop encryptionKey, or drop artifactBucket",
  );
});

test('every problem at once, in one error; tokens are left to deploy time', () => {
  expect(problemsOf({ trackingServerName: 'a_b', size: 'Huge' as MlflowTrackingServerSize, mlflowVersion: 'latest', weeklyMaintenanceWindowStart: 'mon:03:00' })).toHaveLength(4);
  expect(() => build({ trackingServerName: Token.asString({ Ref: 'Name' }), weeklyMaintenanceWindowStart: Token.asString({ Ref: 'Window' }) })).not.toThrow();
});
