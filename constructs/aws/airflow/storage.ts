import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { retainedKmsBucket } from '../retained-bucket';

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
  return retainedKmsBucket(scope, 'Dags', key, 'dags/');
}
