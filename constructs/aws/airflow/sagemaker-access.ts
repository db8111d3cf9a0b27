import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';

/** What the DAGs' SageMaker operators may do (grantSageMaker). */
export interface AirflowSageMakerAccess {
  /** The role SageMaker runs the jobs as; the environment may pass it to SageMaker only. */
  readonly jobRole: iam.IRole;
  /**
   * Job names start with this (the operators' TrainingJobName / ProcessingJobName); the grant
   * covers only such jobs. @default - any job name
   */
  readonly jobNamePrefix?: string;
  /** The model package group the DAGs register models in. @default - any group */
  readonly modelPackageGroupName?: string;
  /**
   * Where the DAGs' SageMaker jobs keep run data (the Airflow compiler's sagemaker executor:
   * `s3://<bucket>/<prefix>/runs/...`): branch tasks read the steps' metrics there. Read access
   * to `<prefix>/runs/*` (and the bucket's key) is granted. @default - none
   */
  readonly runData?: AirflowRunData;
}

/** A bucket and key prefix of run data. */
export interface AirflowRunData {
  readonly bucket: s3.IBucket;
  /** Without leading or trailing '/', e.g. 'pipelines/iris'. */
  readonly prefix: string;
}

/**
 * What the Amazon provider's SageMakerProcessingOperator, SageMakerTrainingOperator and
 * SageMakerRegisterModelVersionOperator call: create (with tags), describe and stop jobs, list them
 * (they check a job name is free; List* has no resource-level permissions), read the jobs' logs
 * (print_log), create model packages in the group, and pass the job role to SageMaker only.
 */
export function sageMakerStatements(stack: Stack, access: AirflowSageMakerAccess): iam.PolicyStatement[] {
  const prefix = access.jobNamePrefix ?? '';
  const group = access.modelPackageGroupName ?? '*';
  const jobs = ['processing-job', 'training-job'].map((kind) => stack.formatArn({ service: 'sagemaker', resource: kind, resourceName: `${prefix}*` }));
  const logGroups = ['ProcessingJobs', 'TrainingJobs'].map((kind) => stack.formatArn({
    service: 'logs', resource: 'log-group', resourceName: `/aws/sagemaker/${kind}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  }));
  return [
    new iam.PolicyStatement({
      sid: 'RunSageMakerJobs',
      actions: ['sagemaker:CreateProcessingJob', 'sagemaker:DescribeProcessingJob', 'sagemaker:StopProcessingJob',
        'sagemaker:CreateTrainingJob', 'sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob', 'sagemaker:AddTags'],
      resources: jobs,
    }),
    new iam.PolicyStatement({ sid: 'FindSageMakerJobs', actions: ['sagemaker:ListProcessingJobs', 'sagemaker:ListTrainingJobs'], resources: ['*'] }),
    new iam.PolicyStatement({ sid: 'ReadSageMakerJobLogs', actions: ['logs:DescribeLogStreams', 'logs:GetLogEvents'], resources: logGroups }),
    new iam.PolicyStatement({
      sid: 'RegisterModels',
      // The compiler's register task creates the group when it is missing (SageMakerHook.create_model_package_group).
      actions: ['sagemaker:CreateModelPackage', 'sagemaker:DescribeModelPackage', 'sagemaker:CreateModelPackageGroup', 'sagemaker:DescribeModelPackageGroup'],
      resources: [
        stack.formatArn({ service: 'sagemaker', resource: 'model-package', resourceName: `${group}/*` }),
        stack.formatArn({ service: 'sagemaker', resource: 'model-package-group', resourceName: group }),
      ],
    }),
    new iam.PolicyStatement({
      sid: 'PassJobRole',
      actions: ['iam:PassRole'],
      resources: [access.jobRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    }),
  ];
}
