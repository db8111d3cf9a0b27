/**
 * The pipelines and options whose DAG files operator-kwargs.test.ts executes on the stub Airflow:
 * the iris examples and every conformance feature, on the 'sagemaker' executor (with and without
 * a KMS key) and the 'kubernetes' executor. operator-kwargs.before.json holds what each task
 * received when every operator's arguments were written out as Python literals.
 */
import { airflowIrisPipeline } from '../../../examples/airflow-iris/pipeline';
import { irisPipeline } from '../../../examples/iris/pipeline';
import { AirflowOptions, compileAirflow } from '../../../lib/compile/airflow';
import { Pipeline } from '../../../lib/pipeline/pipeline';
import { FEATURES } from '../../conformance/features';
import { execDag, Json } from '../../support/airflow';

const SAGEMAKER = {
  roleArn: 'arn:aws:iam::123456789012:role/mlops-jobs',
  bucketName: 'mlops-artifacts',
  prefix: 'pipelines/x',
  defaultImage: '123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1',
  codeUri: () => 's3://cdk-assets-123456789012-us-east-1/0f1e2d3c.zip',
  inferenceCodeUri: () => 's3://cdk-assets-123456789012-us-east-1/4b5a6978.tar.gz',
};

export const OPTIONS: { [name: string]: AirflowOptions } = {
  'sagemaker': { executor: 'sagemaker', cache: 'run-always', sagemaker: SAGEMAKER },
  'sagemaker-kms': {
    executor: 'sagemaker', cache: 'run-always', trackingUri: 'http://mlflow:5000',
    sagemaker: { ...SAGEMAKER, prefix: '', kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', defaultInstanceType: 'ml.m5d.xlarge' },
  },
  'kubernetes': { executor: 'kubernetes', cache: 'run-always', kubernetes: { namespace: 'ml', dataVolumeClaim: 'mlops-data', defaultImage: 'python:3.11-slim' } },
  'kubernetes-sa': {
    executor: 'kubernetes', cache: 'run-always', trackingUri: 'http://mlflow:5000',
    kubernetes: { namespace: 'ml', dataVolumeClaim: 'd', defaultImage: 'python:3.11-slim', serviceAccountName: 'runner', kubernetesConnId: 'k8s' },
  },
};

export const PIPELINES: { [name: string]: () => Pipeline } = {
  'iris': irisPipeline,
  'airflow-iris': airflowIrisPipeline,
  ...Object.fromEntries(FEATURES.map((f) => [`feature ${f.id}`, f.build])),
};

/** Each task's kind, keyword arguments, call arguments, mapped values and upstream ids; or the compile error. */
export function operatorKwargs(pipeline: () => Pipeline, options: AirflowOptions): Json {
  let source: string;
  try {
    source = compileAirflow(pipeline(), options).source;
  } catch (e) {
    return { error: String((e as Error).message) };
  }
  try {
    return execDag(source).tasks;
  } catch (e) {
    // Kept as it is: a file that does not execute on the stub fails the same way before and after.
    return { execError: String((e as { stderr?: string }).stderr ?? e).trim().split('\n').pop() };
  }
}
