import { Names, RemovalPolicy, Resource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { AWS_TRACKING_SERVER_BRAND, brand } from '../../../lib/pipeline/brand';
import { PipelineValidationError } from '../../../lib/pipeline/errors';
import { artifactBucket } from './artifact-bucket';
import { acknowledgeTrackingServerFindings } from './nag';
import { MlflowTrackingServerProps, MlflowTrackingServerSize } from './props';
import { trackingServerRole } from './service-role';
import { trackingServerProblems } from './validate';

/**
 * A SageMaker managed MLflow tracking server (AWS::SageMaker::MlflowTrackingServer): its
 * artifact bucket (KMS, versioned, SSL only, no public access, retained) and the least-privilege
 * role it runs with. Clients connect with the `sagemaker-mlflow` plugin, using the server's ARN
 * as MLFLOW_TRACKING_URI and their IAM identity (see `grantAccess`).
 */
export class MlflowTrackingServer extends Resource {
  public readonly trackingServerName: string;
  public readonly trackingServerArn: string;
  /**
   * What clients set as MLFLOW_TRACKING_URI: the server's ARN, which the `sagemaker-mlflow`
   * plugin resolves to the server's endpoint and signs requests for with SigV4.
   */
  public readonly trackingUri: string;
  public readonly artifactBucket: s3.IBucket;
  /** The key prefix of the artifacts in the bucket. */
  public readonly artifactPrefix: string;
  /** The key of the artifact bucket the construct created, if it did. */
  public readonly encryptionKey?: kms.IKey;
  /** The role the tracking server runs with. */
  public readonly role: iam.IRole;
  /** The underlying CloudFormation resource. */
  public readonly cfnTrackingServer: sagemaker.CfnMlflowTrackingServer;

  constructor(scope: Construct, id: string, props: MlflowTrackingServerProps = {}) {
    super(scope, id);
    const problems = trackingServerProblems(props);
    if (problems.length > 0) {
      throw new PipelineValidationError(`MlflowTrackingServer '${this.node.path}'`, problems);
    }
    const stack = Stack.of(this);
    this.trackingServerName = props.trackingServerName ?? Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });
    this.trackingServerArn = stack.formatArn({ service: 'sagemaker', resource: 'mlflow-tracking-server', resourceName: this.trackingServerName });
    this.trackingUri = this.trackingServerArn;
    this.artifactPrefix = props.artifactPrefix ?? 'mlflow';

    let own: { bucket: s3.Bucket; logs: s3.Bucket } | undefined;
    if (props.artifactBucket) {
      this.artifactBucket = props.artifactBucket;
    } else {
      this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'Key', {
        enableKeyRotation: true,
        description: `Artifacts of MLflow tracking server ${this.node.path}`,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      own = artifactBucket(this, this.encryptionKey);
      this.artifactBucket = own.bucket;
    }
    const automaticModelRegistration = props.automaticModelRegistration ?? false;
    const role = trackingServerRole(this, {
      bucket: this.artifactBucket,
      prefix: this.artifactPrefix,
      key: this.artifactBucket.encryptionKey,
      automaticModelRegistration,
    });
    this.role = role;

    this.cfnTrackingServer = new sagemaker.CfnMlflowTrackingServer(this, 'Resource', {
      trackingServerName: this.trackingServerName,
      artifactStoreUri: `s3://${this.artifactBucket.bucketName}/${this.artifactPrefix}`,
      roleArn: role.roleArn,
      trackingServerSize: props.size ?? MlflowTrackingServerSize.SMALL,
      mlflowVersion: props.mlflowVersion,
      automaticModelRegistration,
      weeklyMaintenanceWindowStart: props.weeklyMaintenanceWindowStart,
    });
    // SageMaker checks the role's access to the artifact store when it creates the server: wait for
    // the role's policy too (the role itself is a dependency already, through RoleArn).
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      this.cfnTrackingServer.node.addDependency(policy);
    }
    acknowledgeTrackingServerFindings(this, { data: own?.bucket, logs: own?.logs });
  }

  /**
   * Lets `grantee` use the tracking server through the MLflow SDK and the `sagemaker-mlflow`
   * plugin: every `sagemaker-mlflow:` action on this server and the presigned URL of its UI, and,
   * because an MLflow client with an `s3://` artifact root reads and writes artifacts in S3 itself,
   * the objects under the artifact prefix (and the bucket's key).
   */
  public grantAccess(grantee: iam.IGrantable): iam.Grant {
    let grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker-mlflow:*', 'sagemaker:CreatePresignedMlflowTrackingServerUrl', 'sagemaker:DescribeMlflowTrackingServer'],
      resourceArns: [this.trackingServerArn],
    });
    grant = grant.combine(iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:PutObject'],
      resourceArns: [this.artifactBucket.arnForObjects(`${this.artifactPrefix}/*`)],
    }));
    grant = grant.combine(iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [this.artifactBucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${this.artifactPrefix}/*`] } },
    }));
    const key = this.artifactBucket.encryptionKey;
    if (key) {
      grant = grant.combine(iam.Grant.addToPrincipal({ grantee, actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resourceArns: [key.keyArn] }));
    }
    return grant;
  }
}

brand(MlflowTrackingServer, AWS_TRACKING_SERVER_BRAND);
