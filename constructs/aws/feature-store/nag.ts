import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { acknowledgeComplianceRules, acknowledgeIamFindings, OWN_POLICY_REASON } from '../nag-acknowledgements';

const WILDCARDS = 'Each wildcard is as narrow as the service allows: <prefix>/* is the objects of this table\'s offline store ' +
  'prefix, which SageMaker names per account, region, table and time; table/<database>/* is the tables of the one Glue database ' +
  'when SageMaker names the table itself (pass offline.glueDatabase and offline.glueTable to name it).';

const REPLICATION_REASON = 'Cross-region replication needs a destination bucket in a region the deployer chooses for data ' +
  'residency, which the library cannot pick; the bucket is versioned and retained, so objects survive overwrites, deletes and ' +
  'stack removal. Pass a bucket with replication as offline.bucket where a policy requires a second region.';

/** Acknowledges, with reasons, what cdk-nag reports for a FeatureStoreTable's own resources. Call it once they are complete. */
export function acknowledgeFeatureStoreFindings(table: IConstruct, buckets: { data?: s3.Bucket; logs?: IConstruct }): void {
  acknowledgeIamFindings(table, { wildcardResources: WILDCARDS });
  acknowledgeComplianceRules(table, { IAMNoInlinePolicy: OWN_POLICY_REASON });
  if (buckets.data) {
    acknowledgeComplianceRules(buckets.data, { S3BucketReplicationEnabled: REPLICATION_REASON });
  }
  if (buckets.logs) {
    acknowledgeComplianceRules(buckets.logs, {
      S3DefaultEncryptionKMS: 'S3 server access logging delivers only to buckets whose default encryption is SSE-S3 (AES256), not ' +
        'SSE-KMS; the log bucket is SSE-S3, SSL-only, blocks public access and takes log delivery for the offline store bucket.',
      S3BucketReplicationEnabled: REPLICATION_REASON,
      S3BucketLoggingEnabled: 'This bucket receives the offline store bucket\'s server access logs; logging it too would only log the log delivery.',
    });
  }
}
