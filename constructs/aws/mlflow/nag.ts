import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { acknowledgeComplianceRules, acknowledgeIamFindings, OWN_POLICY_REASON } from '../nag-acknowledgements';

const WILDCARDS = 'Each wildcard is as narrow as the service allows: <prefix>/* is the objects under this tracking server\'s ' +
  'artifact prefix, whose keys MLflow names per experiment and run; model-package-group/* and model-package/* are the Model ' +
  'Registry entries SageMaker creates for MLflow registered models (named after them, so unknown at deploy time), and are ' +
  'granted only with automaticModelRegistration.';

const REPLICATION_REASON = 'Cross-region replication needs a destination bucket in a region the deployer chooses for data ' +
  'residency, which the library cannot pick; the bucket is versioned and retained, so artifacts survive overwrites, deletes and ' +
  'stack removal. Pass a bucket with replication as artifactBucket where a policy requires a second region.';

/** Acknowledges, with reasons, what cdk-nag reports for an MlflowTrackingServer's own resources. Call it once they are complete. */
export function acknowledgeTrackingServerFindings(server: IConstruct, buckets: { data?: s3.Bucket; logs?: s3.Bucket }): void {
  acknowledgeIamFindings(server, { wildcardResources: WILDCARDS });
  acknowledgeComplianceRules(server, { IAMNoInlinePolicy: OWN_POLICY_REASON });
  if (buckets.data) {
    acknowledgeComplianceRules(buckets.data, { S3BucketReplicationEnabled: REPLICATION_REASON });
  }
  if (buckets.logs) {
    acknowledgeComplianceRules(buckets.logs, {
      S3DefaultEncryptionKMS: 'S3 server access logging delivers only to buckets whose default encryption is SSE-S3 (AES256), not ' +
        'SSE-KMS; the log bucket is SSE-S3, SSL-only, blocks public access and takes log delivery for the artifact bucket.',
      S3BucketReplicationEnabled: REPLICATION_REASON,
      S3BucketLoggingEnabled: 'This bucket receives the artifact bucket\'s server access logs; logging it too would only log the log delivery.',
    });
  }
}
