/**
 * aws.FeatureStoreTable's replacement guard: the first synth reports and records the fingerprint;
 * with it pinned, a change CloudFormation would answer by replacing the group fails synth naming
 * the property, in-place updates pass, and allowReplacement (with a new name) lets it through.
 */
import { App, Duration, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { FeatureStoreTable, FeatureStoreTableProps, TableFormat, Throughput } from '../../../constructs/aws/feature-store';
import { REPLACING_PROPERTIES } from '../../../constructs/aws/feature-store/replacement-guard';
import { FeatureType } from '../../../lib/pipeline/feature-type';
import { templateOf, testApp } from '../../support/aws';

function deployed(): FeatureStoreTableProps {
  return {
    featureGroupName: 'customers',
    recordIdentifier: 'customer_id',
    eventTime: 'event_time',
    features: { customer_id: FeatureType.string(), email: FeatureType.string(), event_time: FeatureType.string(), spend: FeatureType.fractional() },
    online: { ttl: Duration.days(7) },
    offline: { tableFormat: TableFormat.ICEBERG },
  };
}

function build(props: FeatureStoreTableProps, edit?: (stack: Stack) => void): { app: App; stack: Stack; table: FeatureStoreTable } {
  const app = testApp();
  const stack = new Stack(app, 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
  const table = new FeatureStoreTable(stack, 'Customers', props);
  edit?.(stack);
  return { app, stack, table };
}

/** The fingerprint the construct reports for the deployed props. */
const PINNED = build(deployed()).table.replacementFingerprint();

function pinned(changes: Partial<FeatureStoreTableProps> = {}): FeatureStoreTableProps {
  return { ...deployed(), replacementGuard: PINNED, ...changes };
}

function synthError(props: FeatureStoreTableProps, edit?: (stack: Stack) => void): string {
  const { app } = build(props, edit);
  try {
    app.synth();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected synth to fail');
}

test('the fingerprint has one digest per create-only property of AWS::SageMaker::FeatureGroup', () => {
  expect(REPLACING_PROPERTIES.map((p) => p.property)).toEqual([
    'FeatureGroupName', 'RecordIdentifierFeatureName', 'EventTimeFeatureName', 'OnlineStoreConfig.EnableOnlineStore',
    'OnlineStoreConfig.SecurityConfig', 'OnlineStoreConfig.StorageType', 'OfflineStoreConfig', 'RoleArn', 'Description', 'Tags',
  ]);
  expect(PINNED).toMatch(/^fsg1-[0-9a-f]{60}$/);
  expect(build(deployed()).table.replacementFingerprint()).toBe(PINNED);
});

test('the first synth passes, reports the fingerprint to pin and records it in the template', () => {
  const { stack } = build(deployed());
  const template = templateOf(stack);
  const group = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::SageMaker::FeatureGroup');
  expect(group.Metadata['cdk-mlops:replacementFingerprint']).toBe(PINNED);
  Annotations.fromStack(stack).hasInfo('/S/Customers', `replacement fingerprint ${PINNED}: pin it as replacementGuard: '${PINNED}' so that ` +
    'a change which would replace the feature group fails synth');
});

test('with the fingerprint pinned, the same props pass without a message', () => {
  const { stack } = build(pinned());
  expect(Annotations.fromStack(stack).findInfo('*', Match.anyValue())).toEqual([]);
});

test('a changed record identifier fails synth, naming the property', () => {
  const changed = build(pinned({ recordIdentifier: 'email' })).table.replacementFingerprint();
  expect(synthError(pinned({ recordIdentifier: 'email' }))).toContain(
    '[S/Customers] changing recordIdentifier (RecordIdentifierFeatureName) makes CloudFormation replace the feature group with a new, empty one; ' +
    `revert the change, or set allowReplacement: true with a new featureGroupName and then pin replacementGuard: '${changed}'`);
});

test('each replacing property is named: event time, stores, key, table format, description, tags', () => {
  expect(synthError(pinned({ eventTime: 'email' }))).toContain('changing eventTime (EventTimeFeatureName) makes');
  expect(synthError(pinned({ description: 'customers by id' }))).toContain('changing description (Description) makes');
  expect(synthError(pinned({ offline: { tableFormat: TableFormat.GLUE } }))).toContain(
    'changing offline (bucket, prefix, tableFormat, Glue names, key) (OfflineStoreConfig) makes');
  expect(synthError(pinned({ online: undefined }))).toContain('changing online (given or not) (OnlineStoreConfig.EnableOnlineStore), ' +
    'encryptionKey of the online store (OnlineStoreConfig.SecurityConfig), online.storageType (OnlineStoreConfig.StorageType) makes');
  expect(synthError(pinned(), (stack) => Tags.of(stack).add('team', 'ml'))).toContain('changing tags (Tags.of(...).add) (Tags) makes');
});

test('a different key changes the online and offline store configs', () => {
  const app = testApp();
  const stack = new Stack(app, 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
  new FeatureStoreTable(stack, 'Customers', pinned({ encryptionKey: new kms.Key(stack, 'Mine') }));
  expect(() => app.synth()).toThrow('changing encryptionKey of the online store (OnlineStoreConfig.SecurityConfig), ' +
    'offline (bucket, prefix, tableFormat, Glue names, key) (OfflineStoreConfig) makes');
});

test('in-place updates pass the guard: added features, TTL, throughput', () => {
  const more = pinned({
    features: { ...deployed().features, plan: FeatureType.string() },
    online: { ttl: Duration.days(30) },
    throughput: Throughput.provisioned({ readCapacityUnits: 10, writeCapacityUnits: 10 }),
  });
  expect(() => build(more).app.synth()).not.toThrow();
});

test('allowReplacement without a new name still fails: CloudFormation cannot replace a named group', () => {
  expect(synthError(pinned({ recordIdentifier: 'email', allowReplacement: true }))).toContain(
    '[S/Customers] allowReplacement is set for a change of RecordIdentifierFeatureName, but the feature group keeps its name and ' +
    'CloudFormation cannot replace a named resource in place; give a new featureGroupName too');
});

test('allowReplacement with a new name passes and reports the fingerprint to pin next', () => {
  const props = pinned({ recordIdentifier: 'email', featureGroupName: 'customers-v2', allowReplacement: true });
  const { stack, table } = build(props);
  Annotations.fromStack(stack).hasInfo('/S/Customers', `replacement allowed; after deploying, pin replacementGuard: '${table.replacementFingerprint()}'`);
});

test('a replacementGuard the construct did not make is rejected with the value to pin', () => {
  expect(synthError(pinned({ replacementGuard: 'sha256:abc' }))).toContain(
    "[S/Customers] replacementGuard 'sha256:abc' is not a fingerprint this construct made (expected 'fsg1-' and 60 hex digits); " +
    `pin the one it reports for the deployed group, e.g. '${PINNED}'`);
});
