import { Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { show } from '../../lib/pipeline/errors';
import { claimName, earlierClaim, whereClaimed } from './named-objects';

/**
 * Key prefixes of given buckets: each MlPipeline may read and write everything under its own
 * prefix, so two pipelines on one bucket with the same or nested prefixes could read and overwrite
 * each other's outputs, code and definitions. S3 keys are case-sensitive: compared as written.
 */

const KIND = 'artifact-bucket-prefix';

interface Place {
  /** The bucket's name, or its construct path where the name is known only at deploy time. */
  readonly bucket: string;
  readonly prefix: string;
}

function key(bucket: s3.IBucket, prefix: string): string {
  return JSON.stringify({ bucket: Token.isUnresolved(bucket.bucketName) ? `the bucket at '${bucket.node.path}'` : `'${bucket.bucketName}'`, prefix });
}

function overlaps(claimed: string, given: string): boolean {
  const a = JSON.parse(claimed) as Place;
  const b = JSON.parse(given) as Place;
  return a.bucket === b.bucket && (a.prefix === b.prefix || a.prefix.startsWith(`${b.prefix}/`) || b.prefix.startsWith(`${a.prefix}/`));
}

/** Records the prefix an MlPipeline on a given bucket writes under. */
export function claimBucketPrefix(scope: IConstruct, bucket: s3.IBucket, prefix: string): void {
  claimName(scope, KIND, key(bucket, prefix), undefined);
}

/** The prefix shared with, or nested in, that of an MlPipeline created before this one. */
export function bucketPrefixProblems(scope: IConstruct, bucket: s3.IBucket, prefix: string): string[] {
  const earlier = earlierClaim(scope, KIND, key(bucket, prefix), overlaps);
  if (!earlier) {
    return [];
  }
  const other = JSON.parse(earlier.claim.name) as Place;
  const relation = other.prefix === prefix ? 'is also the prefix' : other.prefix.startsWith(`${prefix}/`) ? 'contains the prefix' : 'lies inside the prefix';
  return [`bucketPrefix ${show(prefix)} in bucket ${other.bucket} ${relation} ${show(other.prefix)} of MlPipeline '${earlier.claim.path}' ${whereClaimed(earlier)}; ` +
    `each pipeline's role may read and write all of its prefix, so each could read and overwrite the other's outputs and code; ` +
    `give each MlPipeline a bucketPrefix of its own, outside the other's, e.g. ${show(`${prefix}-2`)}`];
}
