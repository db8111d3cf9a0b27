import { Duration, Stack } from 'aws-cdk-lib';
import { CanaryEndpoint, MlPipeline, ModelSource, Orchestrator, Rollout } from '../../../constructs/aws';
import { irisPipeline } from '../../../examples/iris/pipeline';
import { Code, Pipeline, Step } from '../../../lib';
import { errorOf } from '../../support/errors';
import { cfnLint, nagFindings, templateOf, testApp } from '../../support/aws';
import { only, resourcesOf } from '../../support/aws/endpoint';
import * as path from 'path';

type Json = { [key: string]: any };

function irisWithEndpoint(): { template: Json; stack: Stack } {
  const stack = new Stack(testApp(), 'Iris', { env: { account: '123456789012', region: 'eu-west-1' } });
  const pipeline = new MlPipeline(stack, 'Pipeline', { pipeline: irisPipeline(), orchestrator: Orchestrator.sageMaker() });
  new CanaryEndpoint(stack, 'Endpoint', { model: ModelSource.fromPipeline(pipeline), rollout: Rollout.canary({ percent: 10, bake: Duration.minutes(10) }) });
  return { template: templateOf(stack), stack };
}

describe('a pipeline hands its registered model to a CanaryEndpoint (ModelSource.fromPipeline)', () => {
  const { template } = irisWithEndpoint();

  test('the endpoint resolves and watches the group the register step writes to, with approvals as the hand-off', () => {
    expect(only(template, 'Custom::LatestModelPackage').Properties).toEqual(expect.objectContaining({ ModelPackageGroupName: 'iris-classifier', ApprovedOnly: 'true' }));
    const rule = Object.values(resourcesOf(template, 'AWS::Events::Rule')).find((r: Json) => r.Properties.EventPattern['detail-type']?.[0] === 'SageMaker Model Package State Change') as Json;
    expect(rule.Properties.EventPattern.detail).toEqual({ ModelPackageGroupName: ['iris-classifier'], ModelApprovalStatus: ['Approved'] });
    const definition = JSON.stringify(template.Resources);
    expect(definition).toContain('\\"ModelApprovalStatus\\":\\"Approved\\"');
  });

  test("the endpoint's role reads the pipeline's model artifacts, their key and the registered inference code, nothing else of the bucket", () => {
    const roleId = only(template, 'AWS::SageMaker::Model').Properties.ExecutionRoleArn['Fn::GetAtt'][0];
    const statements = Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
      .filter((p: Json) => p.Properties.Roles.some((r: Json) => r.Ref === roleId))
      .flatMap((p: Json) => p.Properties.PolicyDocument.Statement);
    const text = JSON.stringify(statements);
    expect(text).toContain('/pipelines/iris/*');
    expect(text).toContain('kms:Decrypt');
    const servingAsset = JSON.stringify(only(template, 'AWS::SageMaker::Pipeline').Properties.PipelineDefinition).match(/\/([0-9a-f]{64})\.gz/)?.[1];
    expect(servingAsset).toBeDefined();
    expect(statements).toContainEqual({ Action: 's3:GetObject', Effect: 'Allow', Resource: `arn:aws:s3:::cdk-hnb659fds-assets-123456789012-eu-west-1/${servingAsset}.gz` });
    expect(text).not.toContain('cdk-hnb659fds-assets-123456789012-eu-west-1/*');
  });

  test('cfn-lint finds no error; the four cdk-nag packs have no unacknowledged finding', () => {
    expect(cfnLint({ Iris: template })).toEqual([]);
    const app = testApp({ nag: true });
    const stack = new Stack(app, 'Iris', { env: { account: '123456789012', region: 'eu-west-1' } });
    const pipeline = new MlPipeline(stack, 'Pipeline', { pipeline: irisPipeline(), orchestrator: Orchestrator.sageMaker() });
    new CanaryEndpoint(stack, 'Endpoint', { model: ModelSource.fromPipeline(pipeline) });
    expect(nagFindings(app).map((f) => `${f.rule} ${f.path}`)).toEqual([]);
  });
});

test('a pipeline with no register step, several groups, or another group is a clear error', () => {
  const code = Code.fromDirectory(path.join(__dirname, '..', '..', 'fixtures', 'steps'));
  const make = (groups: string[]) => {
    const p = new Pipeline('p');
    const train = Step.training('train', { code, entry: 'noop.py' });
    p.addStep(train, ...groups.map((g, i) => Step.registerModel(`register-${i}`, { model: train.model(), group: g })));
    return new MlPipeline(new Stack(testApp(), 'S'), 'P', { pipeline: p, orchestrator: Orchestrator.sageMaker() });
  };
  expect(errorOf(() => ModelSource.fromPipeline(make([])))).toContain("ModelSource.fromPipeline: pipeline 'p' has no register step, so it hands no model to an endpoint");
  expect(errorOf(() => ModelSource.fromPipeline(make(['b', 'a'])))).toContain("pipeline 'p' registers into a, b; pick one with { group: 'a' }");
  expect(errorOf(() => ModelSource.fromPipeline(make(['a']), { group: 'c' }))).toContain("registers no model into group 'c' (its register steps name: a)");
  expect(ModelSource.fromPipeline(make(['b', 'a']), { group: 'b' }).group).toBe('b');
});
