import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

/** The sizes SageMaker offers for a tracking server (TrackingServerSize). */
export enum MlflowTrackingServerSize {
  SMALL = 'Small',
  MEDIUM = 'Medium',
  LARGE = 'Large',
}

export interface MlflowTrackingServerProps {
  /**
   * The tracking server's name, part of its ARN (and so of the tracking URI): letters, digits
   * and '-', starting and ending alphanumeric, at most 256 chars.
   * @default a name unique in the stack, from the construct path (at most 64 chars)
   */
  readonly trackingServerName?: string;
  /** @default MlflowTrackingServerSize.SMALL */
  readonly size?: MlflowTrackingServerSize;
  /** The MLflow version, e.g. '3.0' or '2.16'; one SageMaker offers. @default SageMaker's default version */
  readonly mlflowVersion?: string;
  /**
   * Register MLflow registered models in the SageMaker Model Registry too. The service role then
   * gets the Model Registry actions it needs. @default false
   */
  readonly automaticModelRegistration?: boolean;
  /** Start of the weekly maintenance window in UTC, as '<Day>:<HH>:<MM>', e.g. 'Tue:03:30'. @default SageMaker picks one */
  readonly weeklyMaintenanceWindowStart?: string;
  /**
   * The artifact bucket. @default a new bucket: KMS-encrypted with `encryptionKey`, versioned,
   * SSL only, no public access, access logs in a second bucket, both retained
   */
  readonly artifactBucket?: s3.IBucket;
  /** Key prefix of the artifacts in the bucket, without leading or trailing '/'. @default 'mlflow' */
  readonly artifactPrefix?: string;
  /** The key of a new artifact bucket. @default a new key with rotation, retained */
  readonly encryptionKey?: kms.IKey;
}
