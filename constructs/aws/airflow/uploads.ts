import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

/** An object the environment reads from the DAG bucket, pinned by its S3 version. */
export interface PinnedObject {
  /** The key in the DAG bucket (RequirementsS3Path / PluginsS3Path). */
  readonly key: string;
  /** The object's version (RequirementsS3ObjectVersion / PluginsS3ObjectVersion), known at deploy time. */
  readonly version: string;
  /** The custom resource that wrote it. */
  readonly resource: cr.AwsCustomResource;
}

/**
 * MWAA reads requirements.txt and plugins.zip by object version, and S3 makes the version only
 * when the object is written; so the write is an S3 API call whose response carries it:
 * PutObject for requirements.txt (its text is in the template), CopyObject from the CDK asset for
 * plugins.zip. CloudFormation repeats the call, and so makes a new version and updates the
 * environment, exactly when the text or the zip's hash changes. Old versions stay (the bucket is
 * versioned and nothing is deleted), so a rollback finds the version it pinned.
 */
export function uploadRequirements(scope: Construct, bucket: s3.IBucket, key: kms.IKey, lines: string[]): PinnedObject {
  const objectKey = 'requirements.txt';
  const call: cr.AwsSdkCall = {
    service: 'S3',
    action: 'putObject',
    parameters: { Bucket: bucket.bucketName, Key: objectKey, Body: lines.join('\n') + '\n', ContentType: 'text/plain' },
    physicalResourceId: cr.PhysicalResourceId.of(objectKey),
    outputPaths: ['VersionId'],
  };
  const resource = new cr.AwsCustomResource(scope, 'Requirements', {
    onCreate: call,
    onUpdate: call,
    installLatestAwsSdk: false,
    policy: cr.AwsCustomResourcePolicy.fromStatements([
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects(objectKey)] }),
      new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [key.keyArn] }),
    ]),
  });
  return { key: objectKey, version: resource.getResponseField('VersionId'), resource };
}

/** Copies the local plugins zip (a CDK asset) to plugins.zip in the DAG bucket; see uploadRequirements. */
export function uploadPlugins(scope: Construct, bucket: s3.IBucket, key: kms.IKey, path: string): PinnedObject {
  const objectKey = 'plugins.zip';
  const asset = new s3assets.Asset(scope, 'PluginsAsset', { path });
  const call: cr.AwsSdkCall = {
    service: 'S3',
    action: 'copyObject',
    parameters: { Bucket: bucket.bucketName, Key: objectKey, CopySource: `${asset.s3BucketName}/${asset.s3ObjectKey}` },
    physicalResourceId: cr.PhysicalResourceId.of(objectKey),
    outputPaths: ['VersionId'],
  };
  const resource = new cr.AwsCustomResource(scope, 'Plugins', {
    onCreate: call,
    onUpdate: call,
    installLatestAwsSdk: false,
    policy: cr.AwsCustomResourcePolicy.fromStatements([
      // In the policy the call waits for, unlike asset.grantRead (the shared function's role).
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [asset.bucket.arnForObjects(asset.s3ObjectKey)] }),
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects(objectKey)] }),
      new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [key.keyArn] }),
    ]),
  });
  return { key: objectKey, version: resource.getResponseField('VersionId'), resource };
}

/** The Lambda function behind every AwsCustomResource of the stack (one per stack), when there is one. */
export function customResourceFunction(scope: Construct): Construct | undefined {
  return Stack.of(scope).node.tryFindChild('AWS679f53fac002430cb0da5b7982bd2287') as Construct | undefined;
}
