import { Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { MlPipeline, Orchestrator } from '../../constructs/aws';
import { acknowledgeComplianceRules, acknowledgeWildcardResources } from '../../constructs/aws/nag-acknowledgements';
import { Schedule } from '../../lib';
import { EXAMPLE_STORE, featurePipeline, trainingPipeline } from './pipelines';

export interface FeatureSnapshotsStackProps extends StackProps {
  /** The existing bucket that holds the snapshot store. @default 'example-feature-snapshots' */
  readonly snapshotBucketName?: string;
}

/**
 * Both pipelines on SageMaker Pipelines: features every hour, training every Monday at 04:00 UTC
 * on the snapshot the newest commit made. The store is s3://<bucket>/feature-snapshots/: the
 * feature pipeline's role may read and add objects there (not delete); the training pipeline's role reads the table's folder
 * (MlPipeline grants read on what its steps read).
 */
export class FeatureSnapshotsStack extends Stack {
  public readonly features: MlPipeline;
  public readonly training: MlPipeline;

  constructor(scope: Construct, id: string, props: FeatureSnapshotsStackProps = {}) {
    super(scope, id, { description: 'cdk-mlops example: hourly feature snapshots, weekly training on one of them', ...props });
    const bucketName = props.snapshotBucketName ?? 'example-feature-snapshots';
    const store = props.snapshotBucketName === undefined ? EXAMPLE_STORE : `s3://${bucketName}/feature-snapshots/`;
    const bucket = s3.Bucket.fromBucketName(this, 'SnapshotBucket', bucketName);
    this.features = new MlPipeline(this, 'Features', { pipeline: featurePipeline({ store }), orchestrator: Orchestrator.sageMaker(), schedule: Schedule.cron('0 * * * *') });
    this.training = new MlPipeline(this, 'Training', { pipeline: trainingPipeline({ store }), orchestrator: Orchestrator.sageMaker(), schedule: Schedule.cron('0 4 * * 1') });
    // The commit step reads LATEST and the previous manifest and adds objects; it never deletes.
    // Readers get read access to their table's folder from MlPipeline (it is one of their inputs).
    const commit = new iam.PolicyStatement({ sid: 'CommitFeatureSnapshots', actions: ['s3:GetObject', 's3:PutObject'], resources: [bucket.arnForObjects('feature-snapshots/*')] });
    // Listing makes S3 answer 404, not 403, for the LATEST that the first commit finds missing.
    const list = new iam.PolicyStatement({ sid: 'ListFeatureSnapshots', actions: ['s3:ListBucket'], resources: [bucket.bucketArn], conditions: { StringLike: { 's3:prefix': ['feature-snapshots/*'] } } });
    this.features.role.addToPrincipalPolicy(commit);
    this.features.role.addToPrincipalPolicy(list);
    const policy = this.features.role.node.findChild('DefaultPolicy');
    acknowledgeWildcardResources(policy, [commit], 'The commit step writes objects under keys it makes from the table, partition and version (partitions/<partition>/<version>/..., versions/<version>.json, LATEST), so it is granted the snapshot prefix, nothing wider');
    acknowledgeComplianceRules(policy, { IAMNoInlinePolicy: 'The one statement belongs to this pipeline\'s role alone and is created and removed with it; a customer managed policy would add nothing to reuse' });
  }
}
