import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * A bucket for data that must outlive the stack: encrypted with `key` (bucket key on), versioned,
 * SSL only, public access blocked, owner-enforced, retained on delete, with its server access logs
 * under `logPrefix` in a second bucket `AccessLogs` (SSE-S3: log delivery cannot write SSE-KMS
 * buckets), retained too.
 */
export function retainedKmsBucket(scope: Construct, id: string, key: kms.IKey, logPrefix: string): { bucket: s3.Bucket; logs: s3.Bucket } {
  const common = {
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
  };
  const logs = new s3.Bucket(scope, 'AccessLogs', { ...common, encryption: s3.BucketEncryption.S3_MANAGED });
  const bucket = new s3.Bucket(scope, id, {
    ...common,
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    bucketKeyEnabled: true,
    serverAccessLogsBucket: logs,
    serverAccessLogsPrefix: logPrefix,
  });
  return { bucket, logs };
}
