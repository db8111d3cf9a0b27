import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { retainedKmsBucket } from '../retained-bucket';

/** SageMaker's own Glue database for offline stores without a DataCatalogConfig. */
export const DEFAULT_GLUE_DATABASE = 'sagemaker_featurestore';

/** Where the offline store's data and catalog entries are. */
export interface OfflineLocation {
  readonly bucket: s3.IBucket;
  readonly prefix: string;
  readonly database: string;
  /** The table, or undefined when SageMaker names it. */
  readonly table?: string;
}

/**
 * The offline store's bucket: encrypted with the table's key, versioned, SSL only, no public
 * access, server access logs in a second (SSE-S3) bucket; both retained on delete.
 */
export function offlineBucket(scope: Construct, key: kms.IKey): s3.Bucket {
  return retainedKmsBucket(scope, 'OfflineStore', key, 'offline-store/').bucket;
}

/** The Glue catalog, database and table ARNs of the offline store (the table by name, or SageMaker's names in the database). */
export function glueArns(stack: Stack, where: OfflineLocation): string[] {
  return [
    stack.formatArn({ service: 'glue', resource: 'catalog' }),
    stack.formatArn({ service: 'glue', resource: 'database', resourceName: where.database }),
    stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${where.database}/${where.table ?? '*'}`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
  ];
}

/**
 * The role SageMaker writes the offline store with: assumable by SageMaker for this account's
 * resources only (confused-deputy conditions), with what AmazonSageMakerFeatureStoreAccess grants,
 * narrowed to this table's prefix, key and Glue table.
 */
export function offlineStoreRole(scope: Construct, where: OfflineLocation, key: kms.IKey): iam.Role {
  const stack = Stack.of(scope);
  const role = new iam.Role(scope, 'OfflineStoreRole', {
    description: `SageMaker Feature Store offline store role of ${scope.node.path}`,
    assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com', {
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'sagemaker', resource: '*' }) },
      },
    }),
  });
  role.addToPolicy(new iam.PolicyStatement({
    sid: 'WriteOfflineStore',
    actions: ['s3:PutObject', 's3:PutObjectAcl', 's3:GetObject'],
    resources: [where.bucket.arnForObjects(`${where.prefix}/*`)],
  }));
  role.addToPolicy(new iam.PolicyStatement({ sid: 'CheckBucketOwnership', actions: ['s3:GetBucketAcl'], resources: [where.bucket.bucketArn] }));
  role.addToPolicy(new iam.PolicyStatement({
    sid: 'EncryptOfflineStore',
    actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
    resources: [key.keyArn],
  }));
  role.addToPolicy(new iam.PolicyStatement({ sid: 'UpdateGlueTable', actions: ['glue:GetTable', 'glue:UpdateTable'], resources: glueArns(stack, where) }));
  return role;
}
