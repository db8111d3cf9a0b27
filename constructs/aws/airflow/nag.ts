import { Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { acknowledgeComplianceRules, acknowledgeIamFindings, OWN_POLICY_REASON } from '../nag-acknowledgements';

const WILDCARDS = 'Each wildcard is what the MWAA User Guide\'s execution role policy (customer managed key) gives, no wider: ' +
  's3:GetObject*/GetBucket*/List* on the one DAG bucket, which MWAA reads in full (DAGs, requirements, plugins, versions); ' +
  'log-group:airflow-<environment>-* is the log groups MWAA names per component; sqs airflow-celery-* in MWAA\'s own account ' +
  '(hence account *), whose queue name MWAA generates; kms:GenerateDataKey* on the one environment key, via SQS and S3 only; ' +
  'logs:DescribeLogGroups, s3:GetAccountPublicAccessBlock and cloudwatch:PutMetricData have no resource-level permissions ' +
  '(PutMetricData is limited to the AmazonMWAA namespace). grantSageMaker adds job ARNs under the given name prefix, the ' +
  'SageMaker job log groups, model packages of the given group, and List* calls that have no resource-level permissions.';

const REPLICATION_REASON = 'Cross-region replication needs a destination bucket in a region the deployer chooses for data ' +
  'residency, which the library cannot pick; the bucket is versioned and retained, so objects survive overwrites, deletes and ' +
  'stack removal. DAG code is deployed from source control, which is its second copy.';

export interface AirflowNagScope {
  readonly data?: s3.Bucket;
  readonly logs?: s3.Bucket;
  /** The stack's AwsCustomResource function, when this environment's uploads created it. */
  readonly uploadFunction?: IConstruct;
  /** The VPC, when the construct made it. */
  readonly ownVpc?: ec2.Vpc;
  /** The environment's security group. */
  readonly securityGroup?: ec2.SecurityGroup;
  /** Re-run after grantSageMaker added statements. */
  readonly sageMaker?: boolean;
}

/** Acknowledges, with reasons, what cdk-nag reports for an AirflowEnvironment's own resources. Call it once they are complete. */
export function acknowledgeAirflowFindings(environment: IConstruct, scope: AirflowNagScope): void {
  acknowledgeIamFindings(environment, { wildcardResources: WILDCARDS });
  if (scope.sageMaker) {
    return;
  }
  acknowledgeComplianceRules(environment, { IAMNoInlinePolicy: OWN_POLICY_REASON });
  if (scope.data) {
    acknowledgeComplianceRules(scope.data, { S3BucketReplicationEnabled: REPLICATION_REASON });
  }
  if (scope.logs) {
    acknowledgeComplianceRules(scope.logs, {
      S3DefaultEncryptionKMS: 'S3 server access logging delivers only to buckets whose default encryption is SSE-S3 (AES256), not ' +
        'SSE-KMS; the log bucket is SSE-S3, SSL-only, blocks public access and takes log delivery for the DAG bucket.',
      S3BucketReplicationEnabled: REPLICATION_REASON,
      S3BucketLoggingEnabled: 'This bucket receives the DAG bucket\'s server access logs; logging it too would only log the log delivery.',
    });
  }
  if (scope.securityGroup) {
    acknowledgeComplianceRules(scope.securityGroup, {
      EC2RestrictedCommonPorts: 'The only ingress rule admits the security group itself (all ports): MWAA requires this self-referencing ' +
        'rule so its schedulers, workers, web server and the metadata database endpoint in these subnets can reach each other; no address range is admitted.',
    });
  }
  for (const subnet of scope.ownVpc?.publicSubnets ?? []) {
    acknowledgeComplianceRules(subnet, {
      VPCNoUnrestrictedRouteToIGW: 'This public subnet holds only a NAT gateway (no instances; public IPs are not mapped on launch): the route ' +
        'to the internet gateway is how the private subnets reach AWS APIs and PyPI for requirements.txt. MWAA runs in the private subnets only.',
    });
  }
  if (scope.uploadFunction) {
    acknowledgeUploadFunction(scope.uploadFunction);
  }
}

/** The stack's AwsCustomResource function, made by this environment to write requirements.txt and plugins.zip. */
function acknowledgeUploadFunction(fn: IConstruct): void {
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'aws-cdk-lib\'s AwsCustomResource function: the managed policy lets it write only its own CloudWatch logs; its S3 and KMS ' +
      'permissions are one inline policy per call, naming the one object key and the one key.',
  });
  acknowledgeComplianceRules(fn, {
    LambdaConcurrency: 'The function runs only during CloudFormation deployments, once per changed requirements.txt or plugins.zip; ' +
      'reserving concurrency would take capacity from the account for nothing.',
    LambdaDLQ: 'CloudFormation invokes the function synchronously as a custom resource; a failure fails and rolls back the deployment, ' +
      'so there is nothing to replay later.',
    LambdaInsideVPC: 'The function only calls the S3 API (PutObject, CopyObject) and takes no other input; placing it in a VPC would need ' +
      'an S3 endpoint or NAT for no reduction in exposure.',
    CloudWatchLogGroupEncrypted: 'The function\'s log holds only the S3 calls it made (bucket, key, requirements text, asset location), which ' +
      'the template holds in plain text too; CloudWatch Logs encrypts it at rest with its own keys.',
  });
}
