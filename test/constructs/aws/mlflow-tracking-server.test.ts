/** aws.MlflowTrackingServer: the template (snapshot), the artifact bucket, the service role, grants, cfn-lint. */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { MlflowTrackingServer, MlflowTrackingServerProps, MlflowTrackingServerSize } from '../../../constructs/aws/mlflow';
import { cfnLint, templateOf, testApp } from '../../support/aws';

const ENV = { account: '123456789012', region: 'eu-west-1' };

function serverIn(props: MlflowTrackingServerProps = {}): { stack: Stack; server: MlflowTrackingServer; template: any } {
  const stack = new Stack(testApp(), 'Tracking', { env: ENV });
  const server = new MlflowTrackingServer(stack, 'Mlflow', props);
  return { stack, server, template: templateOf(stack) };
}

function resourcesOf(template: any, type: string): [string, any][] {
  return Object.entries<any>(template.Resources).filter(([, r]) => r.Type === type);
}

function only(template: any, type: string): [string, any] {
  const found = resourcesOf(template, type);
  expect(found).toHaveLength(1);
  return found[0];
}

/** Every statement of the policies attached to a role, by logical ID. */
function statementsOf(template: any, roleLogicalId: string): any[] {
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleLogicalId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

describe('defaults', () => {
  const { server, template } = serverIn();
  const [, tracking] = only(template, 'AWS::SageMaker::MlflowTrackingServer');
  const [roleId, role] = only(template, 'AWS::IAM::Role');
  const [keyId] = only(template, 'AWS::KMS::Key');
  const artifactsId = resourcesOf(template, 'AWS::S3::Bucket').find(([id]) => id.startsWith('MlflowArtifacts'))![0];

  test('snapshot', () => {
    expect(template).toMatchSnapshot();
  });

  test('the tracking server: its name, the artifact URI under the prefix, the role, Small, no automatic registration; it waits for the role policy', () => {
    expect(tracking.Properties).toEqual({
      TrackingServerName: 'Tracking-Mlflow-0228D5C8',
      ArtifactStoreUri: { 'Fn::Join': ['', ['s3://', { Ref: artifactsId }, '/mlflow']] },
      RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
      TrackingServerSize: 'Small',
      AutomaticModelRegistration: false,
    });
    expect(tracking.DependsOn).toEqual([expect.stringMatching(/^MlflowServiceRoleDefaultPolicy/)]);
  });

  test('trackingUri is the tracking server ARN, which the sagemaker-mlflow plugin takes', () => {
    expect(server.trackingUri).toBe('arn:aws:sagemaker:eu-west-1:123456789012:mlflow-tracking-server/Tracking-Mlflow-0228D5C8');
    expect(server.trackingUri).toBe(server.trackingServerArn);
  });

  test('the artifact bucket: KMS with the retained, rotated key, versioned, SSL only, no public access, access logs; retained', () => {
    const bucket = template.Resources[artifactsId];
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.UpdateReplacePolicy).toBe('Retain');
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } } },
    ]);
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.Properties.LoggingConfiguration.LogFilePrefix).toBe('mlflow-artifacts/');
    const [, policy] = resourcesOf(template, 'AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === artifactsId)!;
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
      Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Principal: { AWS: '*' },
    }));
    expect(template.Resources[keyId].Properties.EnableKeyRotation).toBe(true);
    expect(template.Resources[keyId].DeletionPolicy).toBe('Retain');
  });

  test('the service role: SageMaker may assume it for this account only (SourceAccount and SourceArn)', () => {
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Principal: { Service: 'sagemaker.amazonaws.com' },
      Condition: {
        StringEquals: { 'aws:SourceAccount': '123456789012' },
        ArnLike: { 'aws:SourceArn': 'arn:aws:sagemaker:eu-west-1:123456789012:*' },
      },
    }]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('the service role reads and writes the artifact prefix only, lists the bucket, uses the key; no Model Registry without automatic registration', () => {
    expect(statementsOf(template, roleId)).toEqual([
      {
        Sid: 'ReadWriteArtifacts', Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [artifactsId, 'Arn'] }, '/mlflow/*']] },
      },
      { Sid: 'ListArtifacts', Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucket'], Resource: { 'Fn::GetAtt': [artifactsId, 'Arn'] } },
      { Sid: 'EncryptArtifacts', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } },
    ]);
  });

  test('grantAccess: sagemaker-mlflow:* and the UI URL on this server only, the artifact objects, listing under the prefix, the key', () => {
    const stack = new Stack(testApp(), 'Granted', { env: ENV });
    const granting = new MlflowTrackingServer(stack, 'Mlflow', {});
    const user = new iam.Role(stack, 'DataScientist', { assumedBy: new iam.AccountRootPrincipal() });
    granting.grantAccess(user);
    const granted = templateOf(stack);
    const userId = Object.keys(granted.Resources).find((id) => id.startsWith('DataScientist') && granted.Resources[id].Type === 'AWS::IAM::Role')!;
    const arn = granting.trackingServerArn;
    expect(arn).toMatch(/^arn:aws:sagemaker:eu-west-1:123456789012:mlflow-tracking-server\/Granted-Mlflow-[0-9A-F]{8}$/);
    expect(statementsOf(granted, userId)).toEqual([
      { Effect: 'Allow', Action: ['sagemaker-mlflow:*', 'sagemaker:CreatePresignedMlflowTrackingServerUrl', 'sagemaker:DescribeMlflowTrackingServer'], Resource: arn },
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [artifactsId, 'Arn'] }, '/mlflow/*']] } },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [artifactsId, 'Arn'] }, Condition: { StringLike: { 's3:prefix': ['mlflow/*'] } } },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } },
    ]);
  });
});

describe('every option', () => {
  const { template } = serverIn({
    trackingServerName: 'team-tracking',
    size: MlflowTrackingServerSize.MEDIUM,
    mlflowVersion: '3.0',
    automaticModelRegistration: true,
    weeklyMaintenanceWindowStart: 'Tue:03:30',
    artifactPrefix: 'experiments/mlflow',
  });
  const [, tracking] = only(template, 'AWS::SageMaker::MlflowTrackingServer');
  const [roleId] = only(template, 'AWS::IAM::Role');

  test('snapshot', () => {
    expect(template).toMatchSnapshot();
  });

  test('the properties as given', () => {
    expect(tracking.Properties).toMatchObject({
      TrackingServerName: 'team-tracking',
      TrackingServerSize: 'Medium',
      MlflowVersion: '3.0',
      AutomaticModelRegistration: true,
      WeeklyMaintenanceWindowStart: 'Tue:03:30',
    });
    expect(JSON.stringify(tracking.Properties.ArtifactStoreUri)).toContain('/experiments/mlflow');
  });

  test('automatic registration adds exactly the Model Registry actions, on model package groups and packages', () => {
    expect(statementsOf(template, roleId).find((s) => s.Sid === 'RegisterModels')).toEqual({
      Sid: 'RegisterModels', Effect: 'Allow',
      Action: ['sagemaker:AddTags', 'sagemaker:CreateModelPackage', 'sagemaker:CreateModelPackageGroup', 'sagemaker:DescribeModelPackageGroup', 'sagemaker:UpdateModelPackage'],
      Resource: [
        'arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/*',
        'arn:aws:sagemaker:eu-west-1:123456789012:model-package/*',
      ],
    });
  });
});

test('a bucket of your own: no bucket, key or log bucket of ours; the role reaches that bucket', () => {
  const stack = new Stack(testApp(), 'Own', { env: ENV });
  const bucket = new s3.Bucket(stack, 'Models', { enforceSSL: true });
  new MlflowTrackingServer(stack, 'Mlflow', { artifactBucket: bucket });
  const template = templateOf(stack);
  expect(resourcesOf(template, 'AWS::S3::Bucket').map(([id]) => id)).toEqual([expect.stringMatching(/^Models/)]);
  expect(resourcesOf(template, 'AWS::KMS::Key')).toEqual([]);
  const [roleId] = only(template, 'AWS::IAM::Role');
  expect(statementsOf(template, roleId).map((s) => s.Sid)).toEqual(['ReadWriteArtifacts', 'ListArtifacts']);
});

test('cfn-lint finds nothing in either template', () => {
  expect(cfnLint({ defaults: serverIn().template, options: serverIn({ automaticModelRegistration: true, mlflowVersion: '2.16', weeklyMaintenanceWindowStart: 'Sun:23:59' }).template }, 'Warning')).toEqual([]);
});
