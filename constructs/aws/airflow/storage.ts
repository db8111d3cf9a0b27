import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * The environment's key: rotated, retained, administered by the account, and usable by CloudWatch
 * Logs for this account's log groups (MWAA encrypts its airflow-<environment>-* log groups with
 * it, and the default VPC's flow logs use it too).
 */
export function environmentKey(scope: Construct): kms.Key {
  const stack = Stack.of(scope);
  const key = new kms.Key(scope, 'Key', {
    enableKeyRotation: true,
    description: `DAG bucket, data and logs of MWAA environment ${scope.node.path}`,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchLogsOfThisAccount',
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.${stack.urlSuffix}`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: {
      ArnLike: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    },
  }));
  return key;
}

/**
 * The DAG bucket: versioned (MWAA requires it and pins requirements.txt and plugins.zip by
 * version), encrypted with the environment's key, SSL only, public access blocked, server access
 * logs in a second (SSE-S3) bucket; both retained on delete.
 */
export function dagBucket(scope: Construct, key: kms.IKey): { bucket: s3.Bucket; logs: s3.Bucket } {
  const logs = new s3.Bucket(scope, 'AccessLogs', {
    // S3 server access logging cannot deliver to SSE-KMS buckets.
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const bucket = new s3.Bucket(scope, 'Dags', {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    bucketKeyEnabled: true,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
    serverAccessLogsBucket: logs,
    serverAccessLogsPrefix: 'dags/',
  });
  return { bucket, logs };
}
