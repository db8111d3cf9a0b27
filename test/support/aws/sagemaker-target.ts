import * as path from 'path';
import { SageMakerTarget } from '../../../lib/compile/sagemaker';

/** The region's scikit-learn image in us-east-1, as the construct would resolve it. */
export const TEST_IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';

/**
 * A SageMaker target with fixed values, for compiler tests: each Code's archive is named after its
 * directory, so tests can tell archives apart.
 */
export function testTarget(overrides: Partial<SageMakerTarget> = {}): SageMakerTarget {
  return {
    roleArn: 'arn:aws:iam::123456789012:role/mlops-test',
    bucketName: 'mlops-test-bucket',
    prefix: 'pipelines/test',
    kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000',
    defaultImage: TEST_IMAGE,
    codeLocation: (code) => {
      const fileName = `${path.basename(code.directory)}.zip`;
      return { s3Uri: `s3://cdk-assets-123456789012-us-east-1/${fileName}`, fileName };
    },
    inferenceCodeUri: (code) => `s3://cdk-assets-123456789012-us-east-1/${path.basename(code.directory)}.tar.gz`,
    trialCodeUri: (code) => `s3://cdk-assets-123456789012-us-east-1/${path.basename(code.directory)}-trial.tar.gz`,
    ...overrides,
  };
}
