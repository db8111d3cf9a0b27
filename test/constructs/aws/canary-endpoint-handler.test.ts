/**
 * The deploy-time resolver and the approval deployer (constructs/aws/endpoint/handler/index.js)
 * against moto_server on 127.0.0.1 through @aws-sdk/client-sagemaker.
 */
import {
  CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, CreateModelPackageCommand, CreateModelPackageGroupCommand,
  DescribeEndpointCommand, DescribeEndpointConfigCommand, DescribeModelCommand, SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { MotoServer, startMoto } from '../../support/local/moto';

const handler = require('../../../constructs/aws/endpoint/handler/index.js');

jest.setTimeout(60000);

let moto: MotoServer;
let client: SageMakerClient;

beforeAll(async () => {
  moto = await startMoto();
  client = new SageMakerClient({ endpoint: moto.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});
afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

const ROLE = 'arn:aws:iam::123456789012:role/hosting';

async function register(group: string, statuses: string[]): Promise<string[]> {
  await client.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: group }));
  const arns: string[] = [];
  for (const status of statuses) {
    const out = await client.send(new CreateModelPackageCommand({
      ModelPackageGroupName: group,
      ModelApprovalStatus: status as any,
      InferenceSpecification: {
        Containers: [{ Image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/iris-serving:1', ModelDataUrl: 's3://b/m.tar.gz' }],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
      },
    }));
    arns.push(out.ModelPackageArn!);
    await new Promise((r) => setTimeout(r, 1100)); // distinct CreationTime (moto keeps whole seconds)
  }
  return arns;
}

test('the newest approved package wins, across pages', async () => {
  const arns = await register('iris', ['Approved', 'PendingManualApproval', 'Approved', 'Approved', 'Rejected', 'PendingManualApproval']);
  const newest = await handler.latestPackage(client, 'iris', true, 2);
  expect(newest.ModelPackageArn).toBe(arns[3]);
  // Page size 1 forces one call per package: the answer does not depend on the page size.
  expect((await handler.latestPackage(client, 'iris', true, 1)).ModelPackageArn).toBe(arns[3]);
  // approvedOnly false: the newest that is not Rejected.
  expect((await handler.latestPackage(client, 'iris', false, 2)).ModelPackageArn).toBe(arns[5]);
});

test('pagination is followed: NextToken is passed until the last page', async () => {
  const sent: any[] = [];
  const spy = { send: async (command: any) => { sent.push(command.input); return client.send(command); } };
  await handler.latestPackage(spy, 'iris', true, 1);
  expect(sent.length).toBeGreaterThan(1);
  expect(sent[0].NextToken).toBeUndefined();
  expect(sent.slice(1).every((input) => typeof input.NextToken === 'string')).toBe(true);
  expect(sent.every((input) => input.ModelApprovalStatus === 'Approved' && input.ModelPackageGroupName === 'iris')).toBe(true);
});

test('a group with none approved is a clear failure', async () => {
  await register('none-approved', ['PendingManualApproval', 'Rejected']);
  await expect(handler.latestPackage(client, 'none-approved', true, 10)).rejects.toThrow(
    "model package group 'none-approved' has no approved model package; approve one (UpdateModelPackage ModelApprovalStatus=Approved) and deploy again");
});

test('the custom resource answers Create with the ARN and leaves Delete alone', async () => {
  const arns = await register('cr', ['Approved']);
  const created = await handler.resolve({ RequestType: 'Create', ResourceProperties: { ModelPackageGroupName: 'cr', ApprovedOnly: 'true' } }, client);
  expect(created).toEqual({ physicalId: arns[0], data: { ModelPackageArn: arns[0], ModelPackageVersion: '1' } });
  const deleted = await handler.resolve({ RequestType: 'Delete', PhysicalResourceId: arns[0], ResourceProperties: {} }, client);
  expect(deleted).toEqual({ physicalId: arns[0], data: {} });
});

test('an approval is rolled out: a new model and config on the new package, UpdateEndpoint with the DeploymentConfig', async () => {
  const [first, second] = await register('rollout', ['Approved', 'Approved']);
  await client.send(new CreateModelCommand({ ModelName: 'm1', ExecutionRoleArn: ROLE, PrimaryContainer: { ModelPackageName: first } }));
  await client.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'c1', ProductionVariants: [{ VariantName: 'primary', ModelName: 'm1', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }));
  await client.send(new CreateEndpointCommand({ EndpointName: 'iris', EndpointConfigName: 'c1' }));
  const deploymentConfig = {
    BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 }, WaitIntervalInSeconds: 600 } },
    AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'iris-errors' }] },
  };
  const sent: any[] = [];
  // moto_server does not implement UpdateEndpoint (it answers an HTML 404): that one call is recorded, not sent.
  const spy = {
    send: async (command: any) => {
      sent.push({ name: command.constructor.name, input: command.input });
      return command.constructor.name === 'UpdateEndpointCommand' ? {} : client.send(command);
    },
  };
  const latest = await handler.latestPackage(client, 'rollout', true);
  expect(latest.ModelPackageArn).toBe(second);
  const configName = await handler.rollOut(spy, 'iris', second, deploymentConfig, 'v2');
  expect(configName).toBe('c1-v2');
  const update = sent.find((s) => s.name === 'UpdateEndpointCommand');
  expect(update.input).toEqual({ EndpointName: 'iris', EndpointConfigName: 'c1-v2', DeploymentConfig: deploymentConfig });
  const config = await client.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'c1-v2' }));
  expect(config.ProductionVariants![0].ModelName).toBe('m1-v2');
  const model = await client.send(new DescribeModelCommand({ ModelName: 'm1-v2' }));
  expect(model.PrimaryContainer?.ModelPackageName).toBe(second);
  expect(model.ExecutionRoleArn).toBe(ROLE);
  expect(sent.map((s) => s.name)).toEqual(['DescribeEndpointCommand', 'DescribeEndpointConfigCommand', 'DescribeModelCommand', 'CreateModelCommand',
    'CreateEndpointConfigCommand', 'UpdateEndpointCommand']);
  expect((await client.send(new DescribeEndpointCommand({ EndpointName: 'iris' }))).EndpointConfigName).toBe('c1');
});
