/** aws.AirflowEnvironment: the template (snapshot), DAG bucket, execution role, network, logging, uploads, grants, metrics, cfn-lint. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Annotations } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  AirflowEnvironment, AirflowEnvironmentClass, AirflowEnvironmentProps, AirflowLogLevel, AirflowMetricFunction, AirflowVersion, WebServerAccess,
} from '../../../constructs/aws/airflow';
import { cfnLint, templateOf, testApp } from '../../support/aws';
import { capturingConsole } from '../../support/console';
import * as s3 from 'aws-cdk-lib/aws-s3';

const ENV = { account: '123456789012', region: 'eu-west-1' };

/** An environment in a stack of ENV, or in an environment-agnostic stack (zones from Fn::GetAZs, as cfn-lint prefers). */
function environmentIn(props: Partial<AirflowEnvironmentProps> = {}, agnostic = false): { stack: Stack; airflow: AirflowEnvironment } {
  const stack = new Stack(testApp(), 'S', { env: agnostic ? undefined : ENV });
  const airflow = new AirflowEnvironment(stack, 'Airflow', { airflowVersion: AirflowVersion.V2_10_3, ...props });
  return { stack, airflow };
}

function resourcesOf(template: any, type: string): [string, any][] {
  return Object.entries<any>(template.Resources).filter(([, r]) => r.Type === type);
}

function only(template: any, type: string): any {
  const found = resourcesOf(template, type);
  expect(found).toHaveLength(1);
  return found[0][1];
}

function logicalIdOf(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as any);
}

/** A minimal valid zip (the empty archive), written to a fresh directory. */
function pluginsZip(): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-plugins-')), 'plugins.zip');
  fs.writeFileSync(file, Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]));
  return file;
}

test('the default environment matches the snapshot', () => {
  const { stack } = environmentIn({ requirements: ['apache-airflow-providers-amazon==9.0.0'] }, true);
  expect(templateOf(stack)).toMatchSnapshot();
});

test('the DAG bucket is versioned, KMS-encrypted with the environment key, SSL only, private, access-logged and retained', () => {
  const { stack, airflow } = environmentIn();
  const template = templateOf(stack);
  const bucketId = logicalIdOf(stack, airflow.dagBucket as any);
  const bucket = template.Resources[bucketId];
  expect(bucket.DeletionPolicy).toBe('Retain');
  expect(bucket.UpdateReplacePolicy).toBe('Retain');
  expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([{
    BucketKeyEnabled: true,
    ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [logicalIdOf(stack, airflow.encryptionKey as any), 'Arn'] } },
  }]);
  expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
  expect(bucket.Properties.LoggingConfiguration.LogFilePrefix).toBe('dags/');
  const policy = resourcesOf(template, 'AWS::S3::BucketPolicy').map(([, p]) => p).find((p) => p.Properties.Bucket.Ref === bucketId);
  expect(policy.Properties.PolicyDocument.Statement[0]).toMatchObject({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  const key = template.Resources[logicalIdOf(stack, airflow.encryptionKey as any)];
  expect(key.Properties.EnableKeyRotation).toBe(true);
  expect(key.DeletionPolicy).toBe('Retain');
  expect(airflow.dagsPrefix).toBe('dags/');
});

test('the execution role trusts both MWAA principals for this environment only, with the documented statements', () => {
  const { stack, airflow } = environmentIn({ environmentName: 'churn-airflow' });
  const template = templateOf(stack);
  const roleId = logicalIdOf(stack, airflow.executionRole as any);
  const arn = 'arn:aws:airflow:eu-west-1:123456789012:environment/churn-airflow';
  expect(template.Resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([{
    Action: 'sts:AssumeRole',
    Effect: 'Allow',
    Principal: { Service: ['airflow-env.amazonaws.com', 'airflow.amazonaws.com'] },
    Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnLike: { 'aws:SourceArn': arn } },
  }]);
  const bucketArn = { 'Fn::GetAtt': [logicalIdOf(stack, airflow.dagBucket as any), 'Arn'] };
  const bucketAndObjects = [bucketArn, { 'Fn::Join': ['', [bucketArn, '/*']] }];
  const keyArn = { 'Fn::GetAtt': [logicalIdOf(stack, airflow.encryptionKey as any), 'Arn'] };
  const policies = resourcesOf(template, 'AWS::IAM::Policy').map(([, p]) => p).filter((p) => p.Properties.Roles.some((r: any) => r.Ref === roleId));
  expect(policies).toHaveLength(1);
  expect(policies[0].Properties.PolicyDocument.Statement).toEqual([
    { Sid: 'PublishEnvironmentHealth', Effect: 'Allow', Action: 'airflow:PublishMetrics', Resource: arn },
    { Sid: 'NoBucketListing', Effect: 'Deny', Action: 's3:ListAllMyBuckets', Resource: bucketAndObjects },
    { Sid: 'ReadDagBucket', Effect: 'Allow', Action: ['s3:GetBucket*', 's3:GetObject*', 's3:List*'], Resource: bucketAndObjects },
    {
      Sid: 'WriteEnvironmentLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:GetLogEvents', 'logs:GetLogGroupFields', 'logs:GetLogRecord', 'logs:GetQueryResults', 'logs:PutLogEvents'],
      Resource: 'arn:aws:logs:eu-west-1:123456789012:log-group:airflow-churn-airflow-*',
    },
    { Sid: 'FindLogGroups', Effect: 'Allow', Action: 'logs:DescribeLogGroups', Resource: '*' },
    { Sid: 'CheckPublicAccessBlock', Effect: 'Allow', Action: 's3:GetAccountPublicAccessBlock', Resource: '*' },
    { Sid: 'PublishAirflowMetrics', Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'AmazonMWAA' } } },
    {
      Sid: 'UseCeleryQueue',
      Effect: 'Allow',
      Action: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:SendMessage'],
      Resource: 'arn:aws:sqs:eu-west-1:*:airflow-celery-*',
    },
    {
      Sid: 'UseEnvironmentKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*'],
      Resource: keyArn,
      Condition: { StringLike: { 'kms:ViaService': [
        { 'Fn::Join': ['', ['sqs.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] },
        { 'Fn::Join': ['', ['s3.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] },
      ] } },
    },
  ]);
  // MWAA checks the role's access when it creates the environment.
  expect(only(template, 'AWS::MWAA::Environment').DependsOn).toEqual([logicalIdOf(stack, airflow.executionRole.node.findChild('DefaultPolicy') as any)]);
});

test('the environment renders its name, version, class, scaling, key, bucket, DAG folder and private web server', () => {
  const { stack, airflow } = environmentIn({ environmentName: 'churn-airflow', environmentClass: AirflowEnvironmentClass.MEDIUM, minWorkers: 2, maxWorkers: 8, schedulers: 3 });
  const template = templateOf(stack);
  const props = only(template, 'AWS::MWAA::Environment').Properties;
  expect(props).toMatchObject({
    Name: 'churn-airflow',
    AirflowVersion: '2.10.3',
    EnvironmentClass: 'mw1.medium',
    MinWorkers: 2,
    MaxWorkers: 8,
    Schedulers: 3,
    DagS3Path: 'dags',
    WebserverAccessMode: 'PRIVATE_ONLY',
    EndpointManagement: 'SERVICE',
    KmsKey: { 'Fn::GetAtt': [logicalIdOf(stack, airflow.encryptionKey as any), 'Arn'] },
    SourceBucketArn: { 'Fn::GetAtt': [logicalIdOf(stack, airflow.dagBucket as any), 'Arn'] },
    ExecutionRoleArn: { 'Fn::GetAtt': [logicalIdOf(stack, airflow.executionRole as any), 'Arn'] },
  });
  expect(props.RequirementsS3Path).toBeUndefined();
  expect(props.PluginsS3Path).toBeUndefined();
  expect(props.AirflowConfigurationOptions).toBeUndefined();
  expect(stack.resolve(airflow.webServerUrl)).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(airflow.cfnEnvironment), 'WebserverUrl'] });
  expect(airflow.environmentArn).toBe('arn:aws:airflow:eu-west-1:123456789012:environment/churn-airflow');
});

test('mw1.micro defaults to one worker and one scheduler; a public web server is PUBLIC_ONLY', () => {
  const { stack } = environmentIn({ environmentClass: AirflowEnvironmentClass.MICRO, webServerAccess: WebServerAccess.PUBLIC });
  expect(only(templateOf(stack), 'AWS::MWAA::Environment').Properties).toMatchObject({
    EnvironmentClass: 'mw1.micro', MinWorkers: 1, MaxWorkers: 1, Schedulers: 1, WebserverAccessMode: 'PUBLIC_ONLY',
  });
});

test('the default network: two private subnets in two zones and a security group that admits only itself', () => {
  const { stack, airflow } = environmentIn();
  const template = templateOf(stack);
  const network = only(template, 'AWS::MWAA::Environment').Properties.NetworkConfiguration;
  const privateIds = airflow.vpc.privateSubnets.map((s) => stack.getLogicalId(s.node.defaultChild as any));
  expect(privateIds).toHaveLength(2);
  expect(network).toEqual({
    SubnetIds: privateIds.map((id) => ({ Ref: id })),
    SecurityGroupIds: [{ 'Fn::GetAtt': [logicalIdOf(stack, airflow.securityGroup), 'GroupId'] }],
  });
  const zones = new Set(airflow.vpc.privateSubnets.map((s) => s.availabilityZone));
  expect(zones.size).toBe(2);
  const groupId = logicalIdOf(stack, airflow.securityGroup);
  const group = template.Resources[groupId].Properties;
  expect(group.SecurityGroupIngress).toBeUndefined();
  expect(group.SecurityGroupEgress).toEqual([{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: expect.stringContaining('HTTPS') }]);
  const ingress = resourcesOf(template, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
  expect(ingress).toEqual([expect.objectContaining({ IpProtocol: '-1', GroupId: { 'Fn::GetAtt': [groupId, 'GroupId'] }, SourceSecurityGroupId: { 'Fn::GetAtt': [groupId, 'GroupId'] } })]);
  expect(resourcesOf(template, 'AWS::EC2::NatGateway')).toHaveLength(2);
  expect(only(template, 'AWS::EC2::VPCEndpoint').Properties.VpcEndpointType).toBe('Gateway');
  expect(only(template, 'AWS::EC2::FlowLog').Properties.TrafficType).toBe('ALL');
});

test('a given VPC: the first private subnet of each of two zones, no VPC of its own', () => {
  const stack = new Stack(testApp(), 'S', { env: ENV });
  const vpc = new ec2.Vpc(stack, 'Shared', {
    maxAzs: 3,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'App', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  const airflow = new AirflowEnvironment(stack, 'Airflow', { airflowVersion: AirflowVersion.V2_10_3, vpc });
  const template = templateOf(stack);
  expect(only(template, 'AWS::MWAA::Environment').Properties.NetworkConfiguration.SubnetIds)
    .toEqual(vpc.privateSubnets.slice(0, 2).map((s) => ({ Ref: stack.getLogicalId(s.node.defaultChild as any) })));
  expect(only(template, 'AWS::EC2::VPC')).toBeDefined();
  expect(airflow.vpc).toBe(vpc);
});

test('logging: every component enabled, with the levels given and WARNING/INFO defaults', () => {
  const { stack } = environmentIn({ logging: { task: AirflowLogLevel.DEBUG, scheduler: AirflowLogLevel.ERROR } });
  expect(only(templateOf(stack), 'AWS::MWAA::Environment').Properties.LoggingConfiguration).toEqual({
    DagProcessingLogs: { Enabled: true, LogLevel: 'WARNING' },
    SchedulerLogs: { Enabled: true, LogLevel: 'ERROR' },
    TaskLogs: { Enabled: true, LogLevel: 'DEBUG' },
    WorkerLogs: { Enabled: true, LogLevel: 'WARNING' },
    WebserverLogs: { Enabled: true, LogLevel: 'WARNING' },
  });
});

test('requirements and plugins are written to the DAG bucket and pinned by the version S3 returned', () => {
  const { stack, airflow } = environmentIn({
    requirements: ['apache-airflow-providers-amazon==9.0.0', 'scikit-learn>=1.5'],
    plugins: pluginsZip(),
    airflowConfigurationOptions: { 'core.default_timezone': 'utc' },
  });
  const template = templateOf(stack);
  const props = only(template, 'AWS::MWAA::Environment').Properties;
  const [[requirementsId, requirements], [pluginsId, plugins]] = resourcesOf(template, 'Custom::AWS');
  expect(props).toMatchObject({
    RequirementsS3Path: 'requirements.txt',
    RequirementsS3ObjectVersion: { 'Fn::GetAtt': [requirementsId, 'VersionId'] },
    PluginsS3Path: 'plugins.zip',
    PluginsS3ObjectVersion: { 'Fn::GetAtt': [pluginsId, 'VersionId'] },
    AirflowConfigurationOptions: { 'core.default_timezone': 'utc' },
  });
  const bucketRef = { Ref: logicalIdOf(stack, airflow.dagBucket as any) };
  const call = (resource: any) => JSON.parse(resource.Properties.Create['Fn::Join'][1].map((p: any) => (typeof p === 'string' ? p : JSON.stringify(p).replace(/"/g, '@'))).join(''));
  const put = call(requirements);
  expect(put).toMatchObject({ service: 'S3', action: 'putObject', outputPaths: ['VersionId'], physicalResourceId: { id: 'requirements.txt' } });
  expect(put.parameters).toEqual({
    Bucket: JSON.stringify(bucketRef).replace(/"/g, '@'),
    Key: 'requirements.txt',
    Body: 'apache-airflow-providers-amazon==9.0.0\nscikit-learn>=1.5\n',
    ContentType: 'text/plain',
  });
  expect(requirements.Properties.Update).toEqual(requirements.Properties.Create);
  const copy = call(plugins);
  expect(copy).toMatchObject({ service: 'S3', action: 'copyObject', parameters: { Key: 'plugins.zip' }, outputPaths: ['VersionId'] });
  expect(copy.parameters.CopySource).toMatch(/^cdk-hnb659fds-assets-123456789012-eu-west-1\/[0-9a-f]{64}\.zip$/);
  // Each call's policy names only its object and the environment key.
  const policyOf = (id: string) => template.Resources[template.Resources[id].DependsOn[0]].Properties.PolicyDocument.Statement;
  expect(policyOf(requirementsId).map((s: any) => s.Action)).toEqual(['s3:PutObject', 'kms:GenerateDataKey']);
  expect(policyOf(pluginsId).map((s: any) => s.Action)).toEqual(['s3:GetObject', 's3:PutObject', ['kms:Decrypt', 'kms:GenerateDataKey']]);
});

test('grantSageMaker with runData: the branch tasks read the runs prefix (and its key), nothing else of the bucket', () => {
  const { stack, airflow } = environmentIn();
  const jobRole = new iam.Role(stack, 'JobRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
  const data = new s3.Bucket(stack, 'Data', { encryption: s3.BucketEncryption.KMS });
  airflow.grantSageMaker({ jobRole, runData: { bucket: data, prefix: '/pipelines/churn/' } });
  const dataId = logicalIdOf(stack, data as any);
  const statements = resourcesOf(templateOf(stack), 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
  const onData = statements.filter((st: any) => JSON.stringify(st.Resource).includes(dataId));
  expect(onData).toEqual([{
    Effect: 'Allow',
    Action: ['s3:GetBucket*', 's3:GetObject*', 's3:List*'],
    Resource: [{ 'Fn::GetAtt': [dataId, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [dataId, 'Arn'] }, '/pipelines/churn/runs/*']] }],
  }]);
  expect(statements.some((st: any) => [st.Action].flat().includes('kms:Decrypt'))).toBe(true);
});

test('grantSageMaker: jobs under the prefix, their logs, model packages of the group, and PassRole to SageMaker only', () => {
  const { stack, airflow } = environmentIn();
  const jobRole = new iam.Role(stack, 'JobRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
  airflow.grantSageMaker({ jobRole, jobNamePrefix: 'churn-', modelPackageGroupName: 'churn' });
  const template = templateOf(stack);
  const roleId = logicalIdOf(stack, airflow.executionRole as any);
  const statements = resourcesOf(template, 'AWS::IAM::Policy').map(([, p]) => p)
    .filter((p) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement)
    // The execution role's own statements carry a Sid; the grant's do not.
    .filter((s: any) => s.Sid === undefined);
  expect(statements).toEqual([
    {
      Effect: 'Allow',
      Action: ['sagemaker:AddTags', 'sagemaker:CreateProcessingJob', 'sagemaker:CreateTrainingJob', 'sagemaker:DescribeProcessingJob',
        'sagemaker:DescribeTrainingJob', 'sagemaker:StopProcessingJob', 'sagemaker:StopTrainingJob'],
      Resource: ['arn:aws:sagemaker:eu-west-1:123456789012:processing-job/churn-*', 'arn:aws:sagemaker:eu-west-1:123456789012:training-job/churn-*'],
    },
    { Effect: 'Allow', Action: ['sagemaker:ListProcessingJobs', 'sagemaker:ListTrainingJobs'], Resource: '*' },
    {
      Effect: 'Allow',
      Action: ['logs:DescribeLogStreams', 'logs:GetLogEvents'],
      Resource: ['arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/ProcessingJobs:*', 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/TrainingJobs:*'],
    },
    {
      Effect: 'Allow',
      Action: ['sagemaker:CreateModelPackage', 'sagemaker:CreateModelPackageGroup', 'sagemaker:DescribeModelPackage', 'sagemaker:DescribeModelPackageGroup'],
      Resource: ['arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/churn', 'arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/*'],
    },
    {
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: { 'Fn::GetAtt': [logicalIdOf(stack, jobRole as any), 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    },
  ]);
});

test('grantPutDags lets a deployer write under dags/ only', () => {
  const { stack, airflow } = environmentIn();
  const ci = new iam.Role(stack, 'Ci', { assumedBy: new iam.AccountRootPrincipal() });
  airflow.grantPutDags(ci);
  const statements = resourcesOf(templateOf(stack), 'AWS::IAM::Policy').map(([, p]) => p)
    .find((p) => p.Properties.Roles.some((r: any) => r.Ref === logicalIdOf(stack, ci as any))).Properties.PolicyDocument.Statement;
  const s3Statement = statements.find((s: any) => [s.Action].flat().includes('s3:PutObject'));
  expect(s3Statement.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(stack, airflow.dagBucket as any), 'Arn'] }, '/dags/*']] });
});

test('metrics are in AmazonMWAA by Function and Environment', () => {
  const { airflow } = environmentIn({ environmentName: 'churn-airflow' });
  const heartbeat = airflow.metricSchedulerHeartbeat();
  expect([heartbeat.namespace, heartbeat.metricName, heartbeat.statistic, heartbeat.period.toSeconds(), heartbeat.dimensions])
    .toEqual(['AmazonMWAA', 'SchedulerHeartbeat', 'Sum', 60, { Function: 'Scheduler', Environment: 'churn-airflow' }]);
  expect(airflow.metricQueuedTasks().dimensions).toEqual({ Function: 'Executor', Environment: 'churn-airflow' });
  expect(airflow.metricQueuedTasks().statistic).toBe('Maximum');
  expect(airflow.metricRunningTasks().metricName).toBe('RunningTasks');
  expect(airflow.metricTotalParseTime().dimensions).toEqual({ Function: 'DAG Processing', Environment: 'churn-airflow' });
  expect(airflow.metricImportErrors({ statistic: 'Sum' }).statistic).toBe('Sum');
  expect(airflow.metric('TasksPending', AirflowMetricFunction.SCHEDULER).dimensions).toEqual({ Function: 'Scheduler', Environment: 'churn-airflow' });
});

test('maxWorkers above the default quota of 25 warns, naming the quota', () => {
  const { stack } = environmentIn({ maxWorkers: 30 });
  const { printed } = capturingConsole(() => Annotations.fromStack(stack).hasWarning('/S/Airflow', "maxWorkers 30 is above MWAA's default quota of 25 workers per environment; the deployment fails " +
    "unless the account's quota was raised (Service Quotas, Amazon MWAA) [ack: cdk-mlops:airflow-worker-quota]"));
  // CDK's validation report prints the warning too.
  expect(printed).toContain('maxWorkers 30 is above');
});

test('cfn-lint finds nothing in the default, micro/public and full-featured templates (errors and warnings)', () => {
  const templates = {
    Default: templateOf(environmentIn({}, true).stack),
    Micro: templateOf(environmentIn({ environmentClass: AirflowEnvironmentClass.MICRO, webServerAccess: WebServerAccess.PUBLIC, airflowVersion: AirflowVersion.V3_0_6 }, true).stack),
    Full: templateOf(environmentIn({ requirements: ['boto3'], plugins: pluginsZip(), airflowConfigurationOptions: { 'core.parallelism': '64' } }, true).stack),
  };
  // W3005 (a DependsOn that a GetAtt already implies) is reported only on aws-cdk-lib's own custom resource functions.
  const findings = cfnLint(templates, 'Warning').filter((f) => !(f.rule === 'W3005' && /^(AWS679f53fac002430cb0da5b7982bd2287|CustomVpcRestrictDefaultSG)/.test(f.path.split('/')[1])));
  expect(findings).toEqual([]);
});
