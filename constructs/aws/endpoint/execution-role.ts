import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DataCaptureOptions } from './props';

/**
 * The role SageMaker hosts the endpoint's models with: assumable by SageMaker for this account's
 * resources only (confused-deputy conditions), with logs, metrics, the volume key and the capture
 * bucket. Model reads are added per model source.
 */
export function endpointRole(scope: Construct, key: kms.IKey | undefined, capture: DataCaptureOptions | undefined): iam.Role {
  const stack = Stack.of(scope);
  const role = new iam.Role(scope, 'Role', {
    description: `SageMaker hosting role of ${scope.node.path}`,
    assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com', {
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'sagemaker', resource: '*' }) },
      },
    }),
  });
  role.addToPolicy(new iam.PolicyStatement({
    actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
    resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws/sagemaker/Endpoints/*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
  }));
  role.addToPolicy(new iam.PolicyStatement({
    actions: ['cloudwatch:PutMetricData'],
    resources: ['*'],
    conditions: { StringLike: { 'cloudwatch:namespace': ['AWS/SageMaker', '/aws/sagemaker/*'] } },
  }));
  // Pulling any image needs the account's registry token; the pull itself is granted per repository.
  role.addToPolicy(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
  if (key) {
    key.grantEncryptDecrypt(role);
  }
  if (capture) {
    capture.bucket.grantPut(role, `${capture.prefix ?? 'data-capture'}/*`);
  }
  return role;
}
