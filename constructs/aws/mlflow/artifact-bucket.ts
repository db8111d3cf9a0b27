import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { retainedKmsBucket } from '../retained-bucket';

/** The artifact bucket, retained with its access logs since it holds the models. */
export function artifactBucket(scope: Construct, key: kms.IKey): { bucket: s3.Bucket; logs: s3.Bucket } {
  return retainedKmsBucket(scope, 'Artifacts', key, 'mlflow-artifacts/');
}
