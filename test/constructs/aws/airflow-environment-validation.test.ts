/** aws.AirflowEnvironment: every bad input fails at synth with the exact message (what, what is allowed, the fix). */
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import {
  AirflowEnvironment, AirflowEnvironmentClass, AirflowEnvironmentProps, AirflowLogLevel, AirflowVersion, WebServerAccess,
} from '../../../constructs/aws/airflow';
import { PipelineValidationError } from '../../../lib/pipeline/errors';
import { testApp } from '../../support/aws';

const NAME_ALLOWED = "a letter, then letters, digits, '-' and '_', max 80 characters";

function valid(): AirflowEnvironmentProps {
  return { airflowVersion: AirflowVersion.V2_10_3, environmentClass: AirflowEnvironmentClass.SMALL, minWorkers: 1, maxWorkers: 5, schedulers: 2 };
}

/** The problems the construct reports for these props (fails the test when it reports none). */
function problemsOf(changes: Partial<AirflowEnvironmentProps>, stack = new Stack(testApp(), 'S')): string[] {
  try {
    new AirflowEnvironment(stack, 'Airflow', { ...valid(), ...changes });
  } catch (e) {
    expect(PipelineValidationError.isPipelineValidationError(e)).toBe(true);
    expect((e as Error).message.startsWith("AirflowEnvironment 'S/Airflow':")).toBe(true);
    return (e as PipelineValidationError).problems;
  }
  throw new Error('expected the props to be rejected');
}

test('the valid props pass, every version and class MWAA offers included', () => {
  for (const airflowVersion of [AirflowVersion.V2_7_2, AirflowVersion.V2_8_1, AirflowVersion.V2_9_2, AirflowVersion.V2_10_1, AirflowVersion.V2_10_3,
    AirflowVersion.V2_11_0, AirflowVersion.V3_0_6, AirflowVersion.of('2.10.3')]) {
    expect(() => new AirflowEnvironment(new Stack(testApp(), 'S'), 'Airflow', { ...valid(), airflowVersion })).not.toThrow();
  }
  for (const environmentClass of [AirflowEnvironmentClass.SMALL, AirflowEnvironmentClass.MEDIUM, AirflowEnvironmentClass.LARGE,
    AirflowEnvironmentClass.XLARGE, AirflowEnvironmentClass.XLARGE2, AirflowEnvironmentClass.of('mw1.large')]) {
    expect(() => new AirflowEnvironment(new Stack(testApp(), 'S'), 'Airflow', { ...valid(), environmentClass, maxWorkers: 25, schedulers: 5 })).not.toThrow();
  }
  expect(() => new AirflowEnvironment(new Stack(testApp(), 'S'), 'Airflow', { airflowVersion: AirflowVersion.V2_10_3, environmentClass: AirflowEnvironmentClass.MICRO }))
    .not.toThrow();
});

test('a single problem is one line after the construct path', () => {
  expect(() => new AirflowEnvironment(new Stack(testApp(), 'S'), 'Airflow', { ...valid(), schedulers: 6 }))
    .toThrow("AirflowEnvironment 'S/Airflow': schedulers is 6, but MWAA takes 2–5 for mw1.small (1 only for mw1.micro); e.g. 2");
});

describe('version and class', () => {
  test('an Airflow version MWAA does not offer', () => {
    expect(problemsOf({ airflowVersion: AirflowVersion.of('2.6.3') })).toEqual([
      "airflowVersion '2.6.3' is not one MWAA offers (2.7.2, 2.8.1, 2.9.2, 2.10.1, 2.10.3, 2.11.0, 3.0.6); use one of them, e.g. AirflowVersion.V2_10_3",
    ]);
  });

  test('an Airflow version given as a plain string', () => {
    expect(problemsOf({ airflowVersion: '2.10.3' as any })).toEqual([
      "airflowVersion is '2.10.3'; use AirflowVersion.V2_10_3 or another static member of AirflowVersion",
    ]);
  });

  test('an environment class MWAA does not have', () => {
    expect(problemsOf({ environmentClass: AirflowEnvironmentClass.of('mw1.huge') })).toEqual([
      "environmentClass 'mw1.huge' is not an MWAA environment class (mw1.micro, mw1.small, mw1.medium, mw1.large, mw1.xlarge, mw1.2xlarge); " +
        'use one of them, e.g. AirflowEnvironmentClass.SMALL',
    ]);
    expect(problemsOf({ environmentClass: 'mw1.small' as any })).toEqual([
      "environmentClass is 'mw1.small'; use AirflowEnvironmentClass.SMALL or another static member of AirflowEnvironmentClass",
    ]);
  });
});

test('environment names MWAA rejects', () => {
  expect(problemsOf({ environmentName: '1st env' })).toEqual([`environmentName '1st env' is invalid for MWAA (allowed: ${NAME_ALLOWED}); e.g. 'st-env'`]);
  const long = `a${'b'.repeat(80)}`;
  expect(problemsOf({ environmentName: long })).toEqual([`environmentName '${long}' is invalid for MWAA (allowed: ${NAME_ALLOWED}); e.g. '${long.slice(0, 80)}'`]);
  expect(problemsOf({ environmentName: 'churn.airflow' })).toEqual([`environmentName 'churn.airflow' is invalid for MWAA (allowed: ${NAME_ALLOWED}); e.g. 'churn-airflow'`]);
});

describe('workers and schedulers', () => {
  test('minWorkers and maxWorkers below 1 or not whole', () => {
    expect(problemsOf({ minWorkers: 0, maxWorkers: 1.5 })).toEqual([
      'minWorkers is 0, but MWAA takes a whole number ≥ 1; e.g. 1',
      'maxWorkers is 1.5, but MWAA takes a whole number ≥ 1; e.g. 10',
    ]);
  });

  test('minWorkers above maxWorkers', () => {
    expect(problemsOf({ minWorkers: 6, maxWorkers: 5 })).toEqual([
      'minWorkers 6 is more than maxWorkers 5; MWAA scales between them, so raise maxWorkers or lower minWorkers',
    ]);
  });

  test('schedulers outside 2–5', () => {
    expect(problemsOf({ schedulers: 1 })).toEqual(['schedulers is 1, but MWAA takes 2–5 for mw1.small (1 only for mw1.micro); e.g. 2']);
    expect(problemsOf({ environmentClass: AirflowEnvironmentClass.LARGE, schedulers: 6 })).toEqual([
      'schedulers is 6, but MWAA takes 2–5 for mw1.large (1 only for mw1.micro); e.g. 2',
    ]);
  });

  test('mw1.micro takes exactly one of each', () => {
    expect(problemsOf({ environmentClass: AirflowEnvironmentClass.MICRO, minWorkers: 1, maxWorkers: 2, schedulers: 2 })).toEqual([
      'maxWorkers is 2, but mw1.micro runs exactly 1 (one combined scheduler and worker, no scaling); leave maxWorkers out, or use AirflowEnvironmentClass.SMALL or larger',
      'schedulers is 2, but mw1.micro runs exactly 1 (one combined scheduler and worker, no scaling); leave schedulers out, or use AirflowEnvironmentClass.SMALL or larger',
    ]);
  });
});

describe('the VPC', () => {
  test('a VPC with one private subnet', () => {
    const stack = new Stack(testApp(), 'S');
    const vpc = new ec2.Vpc(stack, 'Small', { maxAzs: 1, subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    expect(problemsOf({ vpc }, stack)).toEqual([
      'vpc has 1 private subnet(s) in 1 Availability Zone(s), but MWAA needs 2 private subnets in 2 different zones; add a private subnet in a second zone, or leave vpc out for a new VPC',
    ]);
  });

  test('two private subnets in the same zone, and no private subnets at all', () => {
    const one = new Stack(testApp(), 'S');
    const sameZone = ec2.Vpc.fromVpcAttributes(one, 'SameZone', {
      vpcId: 'vpc-1234', availabilityZones: ['eu-west-1a', 'eu-west-1a'], privateSubnetIds: ['subnet-1', 'subnet-2'],
    });
    expect(problemsOf({ vpc: sameZone }, one)).toEqual([
      'vpc has 2 private subnet(s) in 1 Availability Zone(s), but MWAA needs 2 private subnets in 2 different zones; add a private subnet in a second zone, or leave vpc out for a new VPC',
    ]);
    const two = new Stack(testApp(), 'S');
    const publicOnly = new ec2.Vpc(two, 'Public', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] });
    expect(problemsOf({ vpc: publicOnly }, two)).toEqual([
      'vpc has 0 private subnet(s) in 0 Availability Zone(s), but MWAA needs 2 private subnets in 2 different zones; add a private subnet in a second zone, or leave vpc out for a new VPC',
    ]);
  });
});

test('web server access and log levels outside the enums', () => {
  expect(problemsOf({ webServerAccess: 'PUBLIC' as WebServerAccess, logging: { task: 'VERBOSE' as AirflowLogLevel } })).toEqual([
    "webServerAccess is 'PUBLIC'; use WebServerAccess.PRIVATE or WebServerAccess.PUBLIC",
    "logging.task is 'VERBOSE'; use one of AirflowLogLevel.CRITICAL, AirflowLogLevel.ERROR, AirflowLogLevel.WARNING, AirflowLogLevel.INFO, AirflowLogLevel.DEBUG",
  ]);
});

test('Airflow configuration keys and values MWAA rejects', () => {
  expect(problemsOf({ airflowConfigurationOptions: { 'Core.Timezone': 'utc', 'core.parallelism': 64 as any, 'webserver.instance_name': 'a\nb' } })).toEqual([
    "airflowConfigurationOptions key 'Core.Timezone' is invalid for MWAA (allowed: 'section.option' in lower case letters, digits, '.' and '_', max 64 characters); e.g. 'core.default_timezone'",
    "airflowConfigurationOptions 'core.parallelism' is 64; MWAA takes string values, e.g. '64'",
    "airflowConfigurationOptions 'webserver.instance_name' has a value MWAA rejects (allowed: 1–65536 printable ASCII characters, no line breaks)",
  ]);
});

test('requirements with line breaks and plugins that are not a zip', () => {
  expect(problemsOf({ requirements: ['boto3\nrequests'], plugins: 'plugins/' })).toEqual([
    "requirements holds 'boto3\\nrequests'; give one requirement per entry, without line breaks, e.g. 'apache-airflow-providers-amazon'",
    "plugins 'plugins/' is not a .zip file; MWAA loads plugins from a zip archive, e.g. 'airflow/plugins.zip'",
  ]);
});

test('every problem is reported at once', () => {
  expect(problemsOf({ airflowVersion: AirflowVersion.of('1.10.12'), environmentName: '-x', minWorkers: 3, maxWorkers: 2, schedulers: 9 })).toHaveLength(4);
});
