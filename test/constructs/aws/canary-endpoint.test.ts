/** aws.CanaryEndpoint: the example stack's template, the rollout wiring, IAM, KMS, cfn-lint. */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CanaryEndpoint, ModelSource, Rollout } from '../../../constructs/aws';
import { CanaryEndpointStack } from '../../../examples/canary-endpoint/aws';
import { cfnLint, templateOf, testApp } from '../../support/aws';
import { endpointIn, endpointStack, only, resourcesOf } from '../../support/aws/endpoint';
import { capturingConsole } from '../../support/console';

function exampleTemplate(): any {
  return templateOf(new CanaryEndpointStack(testApp(), 'CanaryEndpoint'));
}

const template = exampleTemplate();

test('the example stack synthesizes to the same template', () => {
  expect(template).toMatchSnapshot();
});

test('the canary rollout becomes a blue/green DeploymentConfig in the API ranges', () => {
  const endpoints = resourcesOf(template, 'AWS::SageMaker::Endpoint');
  const iris = Object.entries<any>(endpoints).find(([id]) => id.startsWith('Iris') && !id.startsWith('IrisRegistry'))![1];
  expect(iris.Properties.DeploymentConfig.BlueGreenUpdatePolicy).toEqual({
    TrafficRoutingConfiguration: { Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 }, WaitIntervalInSeconds: 600 },
    TerminationWaitInSeconds: 300,
    MaximumExecutionTimeoutInSeconds: 3600,
  });
  const registry = Object.entries<any>(endpoints).find(([id]) => id.startsWith('IrisRegistry'))![1];
  expect(registry.Properties.DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration).toEqual({
    Type: 'LINEAR', LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 25 }, WaitIntervalInSeconds: 300,
  });
});

test('every alarm the construct makes is wired into AutoRollbackConfiguration, and watches that endpoint', () => {
  const endpoints = resourcesOf(template, 'AWS::SageMaker::Endpoint');
  const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm');
  const wired = Object.values<any>(endpoints).flatMap((e) => e.Properties.DeploymentConfig.AutoRollbackConfiguration.Alarms.map((a: any) => a.AlarmName.Ref));
  expect(wired.sort()).toEqual(Object.keys(alarms).sort());
  expect(wired).toHaveLength(6); // 2 variants x 2 thresholds + 1 variant x 2
  for (const [id, endpoint] of Object.entries<any>(endpoints)) {
    for (const { AlarmName } of endpoint.Properties.DeploymentConfig.AutoRollbackConfiguration.Alarms) {
      const alarm = alarms[AlarmName.Ref].Properties;
      const dims = JSON.stringify(alarm.Metrics ?? alarm.Dimensions);
      expect(dims).toContain(endpoint.Properties.EndpointName);
      expect(id).toBeDefined();
    }
  }
  const latency = Object.values<any>(alarms).find((a) => a.Properties.MetricName === 'ModelLatency')!.Properties;
  expect(latency).toMatchObject({ ExtendedStatistic: 'p99', Threshold: 500000, ComparisonOperator: 'GreaterThanThreshold', Namespace: 'AWS/SageMaker' });
  const errors = Object.values<any>(alarms).find((a) => a.Properties.Metrics)!.Properties;
  expect(errors.Threshold).toBe(1);
  expect(errors.Metrics[0].Expression).toMatch(/^IF\(invocations_\w+ > 0, 100 \* errors_\w+ \/ invocations_\w+, 0\)$/);
});

test('given alarms are wired too, after the construct\'s own', () => {
  const { stack, endpoint } = endpointIn({ rollbackOn: { errorRatePercent: 2, alarms: [] } });
  const mine = new cloudwatch.Alarm(stack, 'Mine', { metric: endpoint.metricInvocations(), threshold: 1000, evaluationPeriods: 1 });
  const { stack: stack2 } = { stack: endpointStack() };
  const withMine = new CanaryEndpoint(stack2, 'Ep', { model: ModelSource.fromArtifact('img', 's3://b/k'), rollbackOn: { alarms: [mine] } });
  expect(withMine.rollbackAlarms).toHaveLength(2);
  expect(withMine.rollbackAlarms[1]).toBe(mine);
});

test('A/B variants keep their weights; autoscaling tracks invocations per instance', () => {
  const config = Object.values<any>(resourcesOf(template, 'AWS::SageMaker::EndpointConfig'))[0].Properties;
  expect(config.ProductionVariants.map((v: any) => [v.VariantName, v.InitialVariantWeight, v.InstanceType])).toEqual([
    ['champion', 90, 'ml.m5.large'], ['challenger', 10, 'ml.m5.large'],
  ]);
  const target = only(template, 'AWS::ApplicationAutoScaling::ScalableTarget').Properties;
  expect(target).toMatchObject({ MinCapacity: 1, MaxCapacity: 4, ScalableDimension: 'sagemaker:variant:DesiredInstanceCount', ServiceNamespace: 'sagemaker' });
  expect(JSON.stringify(target.ResourceId)).toContain('/variant/champion');
  const policy = only(template, 'AWS::ApplicationAutoScaling::ScalingPolicy').Properties.TargetTrackingScalingPolicyConfiguration;
  expect(policy).toMatchObject({ TargetValue: 200, PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' } });
});

test('volumes are encrypted with a rotated key the hosting role may use', () => {
  const keys = resourcesOf(template, 'AWS::KMS::Key');
  expect(Object.values<any>(keys).every((k) => k.Properties.EnableKeyRotation === true && k.DeletionPolicy === 'Retain')).toBe(true);
  for (const config of Object.values<any>(resourcesOf(template, 'AWS::SageMaker::EndpointConfig'))) {
    expect(Object.keys(keys)).toContain(config.Properties.KmsKeyId['Fn::GetAtt'][0]);
  }
});

test('the hosting role trusts SageMaker for this account only and reads just the model artifact', () => {
  const { stack } = endpointIn();
  const t = templateOf(stack);
  const roles = resourcesOf(t, 'AWS::IAM::Role');
  const hosting = Object.values<any>(roles).find((r) => r.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service === 'sagemaker.amazonaws.com')!;
  expect(hosting.Properties.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({
    StringEquals: { 'aws:SourceAccount': '123456789012' },
    ArnLike: { 'aws:SourceArn': 'arn:aws:sagemaker:eu-west-1:123456789012:*' },
  });
  const statements = Object.values<any>(resourcesOf(t, 'AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
  expect(statements).toContainEqual({ Action: 's3:GetObject', Effect: 'Allow', Resource: 'arn:aws:s3:::iris-models/iris/model.tar.gz' });
  expect(statements).toContainEqual({
    Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Effect: 'Allow',
    Resource: 'arn:aws:ecr:eu-west-1:123456789012:repository/iris-serving',
  });
});

test('grantInvoke allows sagemaker:InvokeEndpoint on that endpoint only', () => {
  const { stack, endpoint } = endpointIn({ endpointName: 'iris' });
  const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
  endpoint.grantInvoke(role);
  const t = templateOf(stack);
  const policy = Object.values<any>(resourcesOf(t, 'AWS::IAM::Policy')).find((p) => p.Properties.Roles[0].Ref.startsWith('Caller'))!;
  expect(policy.Properties.PolicyDocument.Statement).toEqual([{ Action: 'sagemaker:InvokeEndpoint', Effect: 'Allow', Resource: { Ref: Object.keys(resourcesOf(t, 'AWS::SageMaker::Endpoint'))[0] } }]);
  const imported = CanaryEndpoint.fromEndpointName(stack, 'Other', 'Churn-Model');
  expect(stack.resolve(imported.endpointArn)).toBe('arn:aws:sagemaker:eu-west-1:123456789012:endpoint/churn-model');
  expect(stack.resolve(imported.metricModelLatency().dimensions)).toEqual({ EndpointName: 'Churn-Model', VariantName: 'AllTraffic' });
});

test('a registry model is resolved by the custom resource, and approvals roll out through the same DeploymentConfig', () => {
  const model = Object.values<any>(resourcesOf(template, 'AWS::SageMaker::Model')).find((m) => m.Properties.PrimaryContainer.ModelPackageName)!;
  const [resolverId] = model.Properties.PrimaryContainer.ModelPackageName['Fn::GetAtt'];
  expect(template.Resources[resolverId]).toMatchObject({ Type: 'Custom::LatestModelPackage', Properties: { ModelPackageGroupName: 'iris-classifier', ApprovedOnly: 'true' } });
  const rule = only(template, 'AWS::Events::Rule').Properties;
  expect(rule.EventPattern).toEqual({
    source: ['aws.sagemaker'], 'detail-type': ['SageMaker Model Package State Change'],
    detail: { ModelPackageGroupName: ['iris-classifier'], ModelApprovalStatus: ['Approved'] },
  });
  const functions = Object.values<any>(resourcesOf(template, 'AWS::Lambda::Function'));
  expect(functions.map((f) => [f.Properties.Handler, f.Properties.Runtime]).sort()).toEqual([['index.handler', 'nodejs22.x'], ['index.onApproval', 'nodejs22.x']]);
  const deployer = functions.find((f) => f.Properties.Handler === 'index.onApproval')!;
  const text = JSON.stringify(deployer.Properties.Environment.Variables.DEPLOYMENT_CONFIG);
  expect(text).toContain('\\"LinearStepSize\\":{\\"Type\\":\\"CAPACITY_PERCENT\\",\\"Value\\":25}');
  expect(text).toContain('AutoRollbackConfiguration');
  const registryEndpoint = Object.entries<any>(resourcesOf(template, 'AWS::SageMaker::Endpoint')).find(([id]) => id.startsWith('IrisRegistry'))![1];
  for (const { AlarmName } of registryEndpoint.Properties.DeploymentConfig.AutoRollbackConfiguration.Alarms) {
    expect(text).toContain(AlarmName.Ref);
  }
});

test('a serverless variant under allAtOnce renders no DeploymentConfig and no volume key, and says so', () => {
  const { stack } = endpointIn({ variants: [{ name: 'small', serverless: { memorySizeMb: 2048 } }], rollout: Rollout.allAtOnce({ bake: Duration.minutes(1) }) });
  const { result: t, printed } = capturingConsole(() => templateOf(stack));
  expect(printed).toContain("Acknowledge with 'Annotation::cdk-mlops:endpoint-serverless-rollout'");
  expect(only(t, 'AWS::SageMaker::Endpoint').Properties.DeploymentConfig).toBeUndefined();
  expect(only(t, 'AWS::SageMaker::EndpointConfig').Properties.ProductionVariants[0]).toEqual(expect.objectContaining({ ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 } }));
  expect(only(t, 'AWS::SageMaker::EndpointConfig').Properties.KmsKeyId).toBeUndefined();
  const warnings = stack.node.findAll().flatMap((c) => c.node.metadata).filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
  expect(warnings.some((w) => w.includes('deployment guardrails do not apply'))).toBe(true);
});

test('cfn-lint finds no errors in the example and the variants above', () => {
  const { stack } = endpointIn({ variants: [{ name: 'small', serverless: {} }], rollout: Rollout.allAtOnce() });
  const capture = endpointStack();
  new CanaryEndpoint(capture, 'Ep', { model: ModelSource.fromRegistry('churn', { approvedOnly: false }), rollout: Rollout.linear({ stepPercent: 10, interval: Duration.seconds(0) }) });
  const serverless = capturingConsole(() => templateOf(stack)).result;
  expect(cfnLint({ Example: template, Serverless: serverless, Linear: templateOf(capture) })).toEqual([]);
});

test('data capture writes requests and responses, encrypted, to the given bucket and prefix', () => {
  const stack = endpointStack();
  const bucket = new s3.Bucket(stack, 'Captures');
  new CanaryEndpoint(stack, 'Ep', { model: ModelSource.fromArtifact('img', 's3://b/k'), dataCapture: { bucket, prefix: 'capture/iris', samplingPercent: 20 } });
  const t = templateOf(stack);
  const capture = only(t, 'AWS::SageMaker::EndpointConfig').Properties.DataCaptureConfig;
  expect(capture).toEqual({
    EnableCapture: true,
    InitialSamplingPercentage: 20,
    DestinationS3Uri: { 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^Captures/) }, '/capture/iris']] },
    KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^EpKey/), 'Arn'] },
    CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
  });
  const statements = Object.values<any>(resourcesOf(t, 'AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
  const put = statements.find((s) => [s.Action].flat().includes('s3:PutObject'))!;
  expect(JSON.stringify(put.Resource)).toContain('/capture/iris/*');
});

test('the resolver and the approval deployer get only what they call', () => {
  const policies = Object.entries<any>(resourcesOf(template, 'AWS::IAM::Policy'));
  const statementsOf = (prefix: string) => policies.find(([id]) => id.startsWith(prefix))![1].Properties.PolicyDocument.Statement
    .map((s: any) => [s.Action, JSON.stringify(s.Resource)]);
  const resolver = statementsOf('IrisRegistryModelPackageResolverRole');
  expect(resolver.map((s: any) => s[0])).toEqual([['logs:CreateLogStream', 'logs:PutLogEvents'], 'sagemaker:ListModelPackages']);
  const deployer = statementsOf('IrisRegistryApprovalRolloutDeployerRole');
  expect(deployer.map((s: any) => s[0])).toEqual([
    ['logs:CreateLogStream', 'logs:PutLogEvents'],
    'sagemaker:ListModelPackages',
    'sagemaker:DescribeModelPackage',
    ['sagemaker:DescribeEndpoint', 'sagemaker:UpdateEndpoint'],
    ['sagemaker:CreateEndpointConfig', 'sagemaker:CreateModel', 'sagemaker:DescribeEndpointConfig', 'sagemaker:DescribeModel'],
    'iam:PassRole',
    ['kms:CreateGrant', 'kms:DescribeKey'],
  ]);
  expect(deployer[2][1]).toContain(':model-package/iris-classifier/*');
  expect(deployer[3][1]).toMatch(/^\{"Ref":"IrisRegistry[0-9A-F]{8}"\}$/);
});
