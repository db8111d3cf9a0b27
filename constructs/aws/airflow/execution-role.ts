import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * The environment's execution role, as the MWAA User Guide's execution role policy for a customer
 * managed key gives it (mwaa-create-role): assumable by airflow.amazonaws.com and
 * airflow-env.amazonaws.com for this environment only (aws:SourceAccount, aws:SourceArn).
 */
export function executionRole(scope: Construct, environmentName: string, environmentArn: string, bucket: s3.IBucket, key: kms.IKey): iam.Role {
  const stack = Stack.of(scope);
  const conditions = {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': environmentArn },
  };
  const role = new iam.Role(scope, 'ExecutionRole', {
    description: `Execution role of MWAA environment ${scope.node.path}`,
    assumedBy: new iam.ServicePrincipal('airflow.amazonaws.com', { conditions }),
  });
  role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
    actions: ['sts:AssumeRole'],
    principals: [new iam.ServicePrincipal('airflow-env.amazonaws.com', { conditions })],
  }));
  for (const statement of executionStatements(stack, environmentName, environmentArn, bucket, key)) {
    role.addToPolicy(statement);
  }
  return role;
}

/** The statements of the execution role's policy, in the User Guide's order. */
export function executionStatements(stack: Stack, environmentName: string, environmentArn: string, bucket: s3.IBucket, key: kms.IKey): iam.PolicyStatement[] {
  const bucketAndObjects = [bucket.bucketArn, bucket.arnForObjects('*')];
  return [
    new iam.PolicyStatement({ sid: 'PublishEnvironmentHealth', actions: ['airflow:PublishMetrics'], resources: [environmentArn] }),
    new iam.PolicyStatement({ sid: 'NoBucketListing', effect: iam.Effect.DENY, actions: ['s3:ListAllMyBuckets'], resources: bucketAndObjects }),
    new iam.PolicyStatement({ sid: 'ReadDagBucket', actions: ['s3:GetObject*', 's3:GetBucket*', 's3:List*'], resources: bucketAndObjects }),
    new iam.PolicyStatement({
      sid: 'WriteEnvironmentLogs',
      actions: ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:PutLogEvents', 'logs:GetLogEvents', 'logs:GetLogRecord', 'logs:GetLogGroupFields', 'logs:GetQueryResults'],
      resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `airflow-${environmentName}-*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }),
    // These three have no resource-level permissions.
    new iam.PolicyStatement({ sid: 'FindLogGroups', actions: ['logs:DescribeLogGroups'], resources: ['*'] }),
    new iam.PolicyStatement({ sid: 'CheckPublicAccessBlock', actions: ['s3:GetAccountPublicAccessBlock'], resources: ['*'] }),
    new iam.PolicyStatement({
      sid: 'PublishAirflowMetrics',
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': 'AmazonMWAA' } },
    }),
    new iam.PolicyStatement({
      sid: 'UseCeleryQueue',
      actions: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:SendMessage'],
      // The queue lives in an account MWAA owns, so the account is '*'.
      resources: [stack.formatArn({ service: 'sqs', account: '*', resource: 'airflow-celery-*' })],
    }),
    new iam.PolicyStatement({
      sid: 'UseEnvironmentKey',
      actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey*', 'kms:Encrypt'],
      resources: [key.keyArn],
      conditions: { StringLike: { 'kms:ViaService': [`sqs.${stack.region}.${stack.urlSuffix}`, `s3.${stack.region}.${stack.urlSuffix}`] } },
    }),
  ];
}
