/** aws.FeatureStoreTable: the template (snapshot), KMS, retention, the offline store role, grants, metrics, cfn-lint. */
import { Duration, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  FeatureStoreOperation, FeatureStoreTable, FeatureStoreTableProps, OnlineStorageType, TableFormat, Throughput,
} from '../../../constructs/aws/feature-store';
import { FeatureType } from '../../../lib/pipeline/feature-type';
import { cfnLint, templateOf, testApp } from '../../support/aws';

const ENV = { account: '123456789012', region: 'eu-west-1' };

function customers(): FeatureStoreTableProps {
  return {
    recordIdentifier: 'customer_id',
    eventTime: 'event_time',
    features: {
      customer_id: FeatureType.string(),
      event_time: FeatureType.string(),
      tenure: FeatureType.integral(),
      spend: FeatureType.fractional(),
      plan: FeatureType.string(),
    },
    online: { ttl: Duration.days(7) },
    offline: { tableFormat: TableFormat.ICEBERG },
  };
}

function tableIn(props: Partial<FeatureStoreTableProps> = {}): { stack: Stack; table: FeatureStoreTable } {
  const stack = new Stack(testApp(), 'S', { env: ENV });
  const table = new FeatureStoreTable(stack, 'Customers', { ...customers(), ...props });
  return { stack, table };
}

function resourcesOf(template: any, type: string): any[] {
  return Object.values<any>(template.Resources).filter((r) => r.Type === type);
}

function only(template: any, type: string): any {
  const found = resourcesOf(template, type);
  expect(found).toHaveLength(1);
  return found[0];
}

/** Every Allow statement of the policies attached to a role, by logical ID. */
function statementsOf(template: any, roleLogicalId: string): any[] {
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter((p) => p.Properties.Roles.some((r: any) => r.Ref === roleLogicalId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

const { stack: exampleStack } = tableIn();
const template = templateOf(exampleStack);
const group = only(template, 'AWS::SageMaker::FeatureGroup');
const keyId = Object.keys(template.Resources).find((id) => template.Resources[id].Type === 'AWS::KMS::Key')!;
const roleId = Object.keys(template.Resources).find((id) => template.Resources[id].Type === 'AWS::IAM::Role')!;
const dataBucketId = Object.keys(template.Resources).find((id) => id.startsWith('CustomersOfflineStore') && template.Resources[id].Type === 'AWS::S3::Bucket')!;

test('the issue example synthesizes to the same template', () => {
  expect(template).toMatchSnapshot();
});

test('features, record identifier and event time become typed FeatureDefinitions', () => {
  expect(group.Properties.RecordIdentifierFeatureName).toBe('customer_id');
  expect(group.Properties.EventTimeFeatureName).toBe('event_time');
  expect(group.Properties.FeatureDefinitions).toEqual([
    { FeatureName: 'customer_id', FeatureType: 'String' },
    { FeatureName: 'event_time', FeatureType: 'String' },
    { FeatureName: 'tenure', FeatureType: 'Integral' },
    { FeatureName: 'spend', FeatureType: 'Fractional' },
    { FeatureName: 'plan', FeatureType: 'String' },
  ]);
  expect(group.Properties.FeatureGroupName).toMatch(/^S-Customers-[A-Z0-9]{8}$/);
});

test('the online store is encrypted with the table key and its TTL is in the largest exact unit', () => {
  expect(group.Properties.OnlineStoreConfig).toEqual({
    EnableOnlineStore: true,
    SecurityConfig: { KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } },
    StorageType: 'Standard',
    TtlDuration: { Unit: 'Weeks', Value: 1 },
  });
  const hours = templateOf(tableIn({ online: { ttl: Duration.hours(36) } }).stack);
  expect(only(hours, 'AWS::SageMaker::FeatureGroup').Properties.OnlineStoreConfig.TtlDuration).toEqual({ Unit: 'Hours', Value: 36 });
});

test('the offline store writes to a KMS-encrypted bucket under the prefix, with Glue table creation on', () => {
  expect(group.Properties.OfflineStoreConfig).toEqual({
    S3StorageConfig: {
      S3Uri: { 'Fn::Join': ['', ['s3://', { Ref: dataBucketId }, '/feature-store']] },
      KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    },
    DisableGlueTableCreation: false,
    TableFormat: 'Iceberg',
  });
  const bucket = template.Resources[dataBucketId];
  expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]).toEqual({
    BucketKeyEnabled: true,
    ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } },
  });
  expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
  expect(bucket.Properties.LoggingConfiguration.LogFilePrefix).toBe('offline-store/');
  expect(group.Properties.ThroughputConfig).toEqual({ ThroughputMode: 'OnDemand' });
});

test('the group, its key and both buckets are retained on delete and on replacement', () => {
  const retained = [group, template.Resources[keyId], ...resourcesOf(template, 'AWS::S3::Bucket')];
  expect(retained).toHaveLength(4);
  for (const r of retained) {
    expect([r.DeletionPolicy, r.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
  }
  expect(template.Resources[keyId].Properties.EnableKeyRotation).toBe(true);
});

test('the offline store role trusts SageMaker for this account only, and the group waits for its policy', () => {
  const role = template.Resources[roleId];
  expect(group.Properties.RoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
  expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
    Action: 'sts:AssumeRole',
    Effect: 'Allow',
    Principal: { Service: 'sagemaker.amazonaws.com' },
    Condition: {
      StringEquals: { 'aws:SourceAccount': '123456789012' },
      ArnLike: { 'aws:SourceArn': 'arn:aws:sagemaker:eu-west-1:123456789012:*' },
    },
  }]);
  const policyId = Object.keys(template.Resources).find((id) => template.Resources[id].Type === 'AWS::IAM::Policy')!;
  expect(group.DependsOn).toContain(policyId);
});

test('the offline store role may write the prefix, use the key and update the Glue table, nothing more', () => {
  const bucketArn = { 'Fn::GetAtt': [dataBucketId, 'Arn'] };
  expect(statementsOf(template, roleId)).toEqual([
    { Sid: 'WriteOfflineStore', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:PutObjectAcl'], Resource: { 'Fn::Join': ['', [bucketArn, '/feature-store/*']] } },
    { Sid: 'CheckBucketOwnership', Effect: 'Allow', Action: 's3:GetBucketAcl', Resource: bucketArn },
    { Sid: 'EncryptOfflineStore', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } },
    {
      Sid: 'UpdateGlueTable',
      Effect: 'Allow',
      Action: ['glue:GetTable', 'glue:UpdateTable'],
      Resource: [
        'arn:aws:glue:eu-west-1:123456789012:catalog',
        'arn:aws:glue:eu-west-1:123456789012:database/sagemaker_featurestore',
        'arn:aws:glue:eu-west-1:123456789012:table/sagemaker_featurestore/*',
      ],
    },
  ]);
});

test('a named Glue database and table go into DataCatalogConfig and narrow the Glue permissions to that table', () => {
  const t = templateOf(tableIn({ featureGroupName: 'customers-v1', offline: { glueDatabase: 'ml_features' } }).stack);
  const fg = only(t, 'AWS::SageMaker::FeatureGroup');
  expect(fg.Properties.OfflineStoreConfig.DataCatalogConfig).toEqual({ Catalog: 'AwsDataCatalog', Database: 'ml_features', TableName: 'customers_v1' });
  expect(fg.Properties.OfflineStoreConfig.TableFormat).toBe('Glue');
  const role = Object.keys(t.Resources).find((id) => t.Resources[id].Type === 'AWS::IAM::Role')!;
  expect(statementsOf(t, role).find((s) => s.Sid === 'UpdateGlueTable').Resource).toEqual([
    'arn:aws:glue:eu-west-1:123456789012:catalog',
    'arn:aws:glue:eu-west-1:123456789012:database/ml_features',
    'arn:aws:glue:eu-west-1:123456789012:table/ml_features/customers_v1',
  ]);
});

test('an online-only table has no role, bucket or OfflineStoreConfig; a given key is used as is', () => {
  const stack = new Stack(testApp(), 'S', { env: ENV });
  const key = new kms.Key(stack, 'Mine');
  new FeatureStoreTable(stack, 'Customers', { ...customers(), offline: undefined, encryptionKey: key, online: { storageType: OnlineStorageType.IN_MEMORY } });
  const t = templateOf(stack);
  const fg = only(t, 'AWS::SageMaker::FeatureGroup');
  expect(fg.Properties.OfflineStoreConfig).toBeUndefined();
  expect(fg.Properties.RoleArn).toBeUndefined();
  expect(fg.Properties.OnlineStoreConfig.StorageType).toBe('InMemory');
  expect(fg.Properties.OnlineStoreConfig.SecurityConfig.KmsKeyId['Fn::GetAtt'][0]).toMatch(/^Mine/);
  expect(resourcesOf(t, 'AWS::IAM::Role')).toEqual([]);
  expect(resourcesOf(t, 'AWS::S3::Bucket')).toEqual([]);
  expect(resourcesOf(t, 'AWS::KMS::Key')).toHaveLength(1);
});

test('an offline-only table in a given bucket with provisioned writes', () => {
  const stack = new Stack(testApp(), 'S', { env: ENV });
  const bucket = new s3.Bucket(stack, 'Lake');
  new FeatureStoreTable(stack, 'Customers', {
    ...customers(), online: undefined, offline: { bucket, prefix: 'features/customers' },
    throughput: Throughput.provisioned({ writeCapacityUnits: 50 }),
  });
  const t = templateOf(stack);
  const fg = only(t, 'AWS::SageMaker::FeatureGroup');
  expect(fg.Properties.OnlineStoreConfig).toBeUndefined();
  expect(fg.Properties.ThroughputConfig).toEqual({ ThroughputMode: 'Provisioned', ProvisionedWriteCapacityUnits: 50 });
  const lake = Object.keys(t.Resources).find((id) => id.startsWith('Lake'))!;
  expect(fg.Properties.OfflineStoreConfig.S3StorageConfig.S3Uri).toEqual({ 'Fn::Join': ['', ['s3://', { Ref: lake }, '/features/customers']] });
  expect(resourcesOf(t, 'AWS::S3::Bucket')).toHaveLength(1);
});

describe('grants', () => {
  function grantTemplate(grant: (table: FeatureStoreTable, role: iam.Role) => void, props: Partial<FeatureStoreTableProps> = {}): any[] {
    const stack = new Stack(testApp(), 'S', { env: ENV });
    const table = new FeatureStoreTable(stack, 'Customers', { ...customers(), featureGroupName: 'Customers-V1', ...props });
    const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    grant(table, role);
    const t = templateOf(stack);
    return statementsOf(t, Object.keys(t.Resources).find((id) => id.startsWith('App') && t.Resources[id].Type === 'AWS::IAM::Role')!);
  }
  const groupArn = 'arn:aws:sagemaker:eu-west-1:123456789012:feature-group/customers-v1';

  test('grantRead: GetRecord and BatchGetRecord on the group (lower-case ARN), Decrypt, and the offline files and Glue table', () => {
    const statements = grantTemplate((table, role) => table.grantRead(role));
    expect(statements[0]).toEqual({
      Effect: 'Allow', Action: ['sagemaker:BatchGetRecord', 'sagemaker:DescribeFeatureGroup', 'sagemaker:GetRecord'], Resource: groupArn,
    });
    expect(statements[1].Action).toBe('kms:Decrypt');
    expect(statements[2].Action).toBe('s3:GetObject');
    expect(statements[2].Resource['Fn::Join'][1][1]).toBe('/feature-store/*');
    expect(statements[3]).toMatchObject({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['feature-store/*'] } } });
    expect(statements[4].Action).toEqual(['glue:GetDatabase', 'glue:GetPartition', 'glue:GetPartitions', 'glue:GetTable', 'glue:GetTables']);
    expect(statements.flatMap((s) => [s.Action].flat())).not.toContain('sagemaker:PutRecord');
  });

  test('grantRead of an offline-only table has no online reads', () => {
    const statements = grantTemplate((table, role) => table.grantRead(role), { online: undefined });
    expect(statements[0]).toEqual({ Effect: 'Allow', Action: 'sagemaker:DescribeFeatureGroup', Resource: groupArn });
  });

  test('grantWrite: PutRecord and DeleteRecord on the group and the key for the online store, no S3', () => {
    const statements = grantTemplate((table, role) => table.grantWrite(role));
    expect(statements).toEqual([
      { Effect: 'Allow', Action: ['sagemaker:DeleteRecord', 'sagemaker:DescribeFeatureGroup', 'sagemaker:PutRecord'], Resource: groupArn },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: expect.objectContaining({ 'Fn::GetAtt': expect.any(Array) }) },
    ]);
  });
});

describe('metrics', () => {
  const { table } = tableIn({ featureGroupName: 'customers' });

  test('consumption metrics are Sums in AWS/SageMaker by FeatureGroupName and OperationName', () => {
    const read = table.metricConsumedReadRequestsUnits();
    expect([read.namespace, read.metricName, read.statistic, read.period.toSeconds()]).toEqual(['AWS/SageMaker', 'ConsumedReadRequestsUnits', 'Sum', 60]);
    expect(read.dimensions).toEqual({ FeatureGroupName: 'customers', OperationName: 'GetRecord' });
    expect(table.metricConsumedWriteRequestsUnits().dimensions).toEqual({ FeatureGroupName: 'customers', OperationName: 'PutRecord' });
    expect(table.metricConsumedWriteCapacityUnits().metricName).toBe('ConsumedWriteCapacityUnits');
    expect(table.metricConsumedReadCapacityUnits().metricName).toBe('ConsumedReadCapacityUnits');
  });

  test('latency is p99 of GetRecord unless told otherwise; the operation can be chosen', () => {
    expect([table.metricLatency().metricName, table.metricLatency().statistic]).toEqual(['Latency', 'p99']);
    const deletes = table.metricThrottledRequests({ operation: FeatureStoreOperation.DELETE_RECORD, period: Duration.minutes(5) });
    expect([deletes.metricName, deletes.dimensions?.OperationName, deletes.period.toSeconds()]).toEqual(['ThrottledRequests', 'DeleteRecord', 300]);
    expect(table.metricServerErrors().metricName).toBe('Operation5XXErrors');
    expect(table.metricInvocations().metricName).toBe('Invocations');
  });
});

test('cfn-lint finds no errors or warnings in any shape of the table', () => {
  const tagged = tableIn({ featureGroupName: 'tagged', description: 'customers', offline: { glueDatabase: 'ml', glueTable: 'customers' } });
  Tags.of(tagged.stack).add('team', 'ml');
  const shapes = {
    Example: template,
    Tagged: templateOf(tagged.stack),
    OnlineOnly: templateOf(tableIn({ offline: undefined, throughput: Throughput.provisioned({ readCapacityUnits: 10, writeCapacityUnits: 10 }) }).stack),
    OfflineOnly: templateOf(tableIn({ online: undefined }).stack),
  };
  expect(cfnLint(shapes, 'Warning')).toEqual([]);
});
