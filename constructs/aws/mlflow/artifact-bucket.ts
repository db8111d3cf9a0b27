import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * The artifact bucket: encrypted with the key, versioned, SSL only, no public access, server
 * access logs in a second (SSE-S3) bucket; both retained on delete, since they hold the models.
 */
export function artifactBucket(scope: Construct, key: kms.IKey): { bucket: s3.Bucket; logs: s3.Bucket } {
  const logs = new s3.Bucket(scope, 'AccessLogs', {
    // S3 server access logging cannot deliver to SSE-KMS buckets.
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const bucket = new s3.Bucket(scope, 'Artifacts', {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    bucketKeyEnabled: true,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
    serverAccessLogsBucket: logs,
    serverAccessLogsPrefix: 'mlflow-artifacts/',
  });
  return { bucket, logs };
}
