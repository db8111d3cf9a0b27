import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface ServiceRoleInput {
  readonly bucket: s3.IBucket;
  readonly prefix: string;
  readonly key?: kms.IKey;
  readonly automaticModelRegistration: boolean;
}

/** What SageMaker needs to mirror MLflow registered models into the Model Registry. */
export const MODEL_REGISTRY_ACTIONS = [
  'sagemaker:AddTags',
  'sagemaker:CreateModelPackage',
  'sagemaker:CreateModelPackageGroup',
  'sagemaker:DescribeModelPackageGroup',
  'sagemaker:UpdateModelPackage',
];

/**
 * The role the tracking server runs with: assumable by SageMaker for this account's resources
 * only (confused-deputy conditions, as the other SageMaker roles of the library), reading and
 * writing the artifact prefix, and, with automatic model registration, the Model Registry.
 */
export function trackingServerRole(scope: Construct, input: ServiceRoleInput): iam.Role {
  const stack = Stack.of(scope);
  const role = new iam.Role(scope, 'ServiceRole', {
    description: `SageMaker MLflow tracking server role of ${scope.node.path}`,
    assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com', {
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'sagemaker', resource: '*' }) },
      },
    }),
  });
  role.addToPolicy(new iam.PolicyStatement({
    sid: 'ReadWriteArtifacts',
    actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
    resources: [input.bucket.arnForObjects(`${input.prefix}/*`)],
  }));
  role.addToPolicy(new iam.PolicyStatement({
    sid: 'ListArtifacts',
    actions: ['s3:ListBucket', 's3:GetBucketLocation'],
    resources: [input.bucket.bucketArn],
  }));
  if (input.key) {
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'EncryptArtifacts',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [input.key.keyArn],
    }));
  }
  if (input.automaticModelRegistration) {
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'RegisterModels',
      actions: MODEL_REGISTRY_ACTIONS,
      resources: [
        stack.formatArn({ service: 'sagemaker', resource: 'model-package-group', resourceName: '*' }),
        stack.formatArn({ service: 'sagemaker', resource: 'model-package', resourceName: '*' }),
      ],
    }));
  }
  return role;
}
