/**
 * Named objects across constructs: two MlPipelines that give one SageMaker object the same name.
 * Model package groups are shared by design (one stack creates a group once, the other pipelines
 * register into it); pipeline names and a given bucket's prefixes cannot be shared, and a collision
 * is a synth-time error that names both construct paths, in one stack or across stacks of one
 * account and region.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { MlPipeline, Orchestrator } from '../../../constructs/aws';
import { Pipeline, Step } from '../../../lib/pipeline';
import { FIXTURE_CODE } from '../../conformance/features';
import { cfnLint, templateOf, testApp } from '../../support/aws';

const VALIDATION = 'Validation failed with the following errors:\n  ';

/** A pipeline that trains and registers into `group`. */
function registering(name: string, group: string): Pipeline {
  const p = new Pipeline(name);
  const fit = Step.training('fit', { code: FIXTURE_CODE, entry: 'noop.py' });
  p.addStep(fit, Step.registerModel('register', { model: fit.model(), group }));
  return p;
}

function plain(name: string): Pipeline {
  const p = new Pipeline(name);
  p.addStep(Step.script('work', { code: FIXTURE_CODE, entry: 'noop.py' }));
  return p;
}

function synthError(app: App): string {
  try {
    app.synth();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected synthesis to fail');
}

function resourcesOf(template: any, type: string): [string, any][] {
  return Object.entries<any>(template.Resources).filter(([, r]) => r.Type === type);
}

describe('two MlPipelines in one stack registering into one model package group', () => {
  const app = testApp();
  const stack = new Stack(app, 'Shared');
  const churn = new MlPipeline(stack, 'Churn', { pipeline: registering('churn', 'customer-models'), orchestrator: Orchestrator.sageMaker() });
  const upsell = new MlPipeline(stack, 'Upsell', { pipeline: registering('upsell', 'customer-models'), orchestrator: Orchestrator.sageMaker() });
  const template = templateOf(stack);

  test('the group is created once, by the MlPipeline created first, and retained', () => {
    const groups = resourcesOf(template, 'AWS::SageMaker::ModelPackageGroup');
    expect(groups.map(([id, g]) => [id.replace(/[0-9A-F]{8}$/, ''), g.Properties.ModelPackageGroupName, g.DeletionPolicy])).toEqual([
      ['ChurnModelPackageGroup1', 'customer-models', 'Retain'],
    ]);
    expect(churn.node.tryFindChild('ModelPackageGroup1')).toBeDefined();
    expect(upsell.node.tryFindChild('ModelPackageGroup1')).toBeUndefined();
  });

  test('both pipelines wait for the group, and both execution roles may register into it', () => {
    const [groupId] = resourcesOf(template, 'AWS::SageMaker::ModelPackageGroup')[0];
    const pipelines = resourcesOf(template, 'AWS::SageMaker::Pipeline');
    expect(pipelines).toHaveLength(2);
    for (const [, p] of pipelines) {
      expect(p.DependsOn).toContain(groupId);
    }
    const policies = resourcesOf(template, 'AWS::IAM::Policy').map(([, p]) => JSON.stringify(p.Properties.PolicyDocument));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy).toContain('model-package-group/customer-models');
      expect(policy).toContain('sagemaker:CreateModelPackage');
    }
  });

  test('cfn-lint finds nothing in the template', () => {
    expect(cfnLint({ Shared: template })).toEqual([]);
  });
});

test('a group created in one stack is registered into from another stack that does not create it', () => {
  const app = testApp();
  const env = { account: '123456789012', region: 'eu-west-1' };
  const owner = new Stack(app, 'Registry', { env });
  const user = new Stack(app, 'Team', { env });
  new MlPipeline(owner, 'Churn', { pipeline: registering('churn', 'customer-models'), orchestrator: Orchestrator.sageMaker() });
  new MlPipeline(user, 'Upsell', { pipeline: registering('upsell', 'customer-models'), orchestrator: Orchestrator.sageMaker(), createModelPackageGroups: false });
  expect(resourcesOf(templateOf(owner), 'AWS::SageMaker::ModelPackageGroup')).toHaveLength(1);
  expect(resourcesOf(templateOf(user), 'AWS::SageMaker::ModelPackageGroup')).toEqual([]);
});

describe('collisions name both constructs and say how to fix them', () => {
  test('two MlPipelines with one pipeline name in one stack', () => {
    const app = testApp();
    const stack = new Stack(app, 'Ml');
    new MlPipeline(stack, 'Nightly', { pipeline: plain('nightly'), orchestrator: Orchestrator.sageMaker() });
    new MlPipeline(stack, 'Copy', { pipeline: plain('other'), orchestrator: Orchestrator.sageMaker(), pipelineName: 'nightly' });
    expect(synthError(app)).toBe(`${VALIDATION}[Ml/Copy] MlPipeline 'Ml/Copy': pipelineName 'nightly' is also the SageMaker pipeline name of ` +
      `MlPipeline 'Ml/Nightly' in this stack; SageMaker pipeline names are unique per account and region, so one of the two would ` +
      `fail to deploy or replace the other; give one of them its own pipelineName, e.g. 'nightly-2'`);
  });

  test('pipeline names that differ only in case', () => {
    const app = testApp();
    const stack = new Stack(app, 'Ml');
    new MlPipeline(stack, 'A', { pipeline: plain('Nightly'), orchestrator: Orchestrator.sageMaker() });
    new MlPipeline(stack, 'B', { pipeline: plain('nightly'), orchestrator: Orchestrator.sageMaker() });
    expect(synthError(app)).toContain(`[Ml/B] MlPipeline 'Ml/B': pipelineName 'nightly' is also the SageMaker pipeline name of MlPipeline 'Ml/A' ` +
      `in this stack ('Nightly' differs only in case, and SageMaker reports pipeline ARNs in lower case); `);
  });

  test('one pipeline name in two stacks of the same account and region; other regions and unknown environments are fine', () => {
    const app = testApp();
    const env = { account: '123456789012', region: 'eu-west-1' };
    new MlPipeline(new Stack(app, 'Prod', { env }), 'Nightly', { pipeline: plain('nightly'), orchestrator: Orchestrator.sageMaker() });
    new MlPipeline(new Stack(app, 'Copy', { env }), 'Nightly', { pipeline: plain('nightly'), orchestrator: Orchestrator.sageMaker() });
    new MlPipeline(new Stack(app, 'Us', { env: { ...env, region: 'us-east-1' } }), 'Nightly', { pipeline: plain('nightly'), orchestrator: Orchestrator.sageMaker() });
    new MlPipeline(new Stack(app, 'Anywhere'), 'Nightly', { pipeline: plain('nightly'), orchestrator: Orchestrator.sageMaker() });
    const message = synthError(app);
    expect(message).toBe(`${VALIDATION}[Copy/Nightly] MlPipeline 'Copy/Nightly': pipelineName 'nightly' is also the SageMaker pipeline name ` +
      `of MlPipeline 'Prod/Nightly' in stack 'Prod' (the same account 123456789012 and region eu-west-1); SageMaker pipeline names are ` +
      `unique per account and region, so one of the two would fail to deploy or replace the other; give one of them its own pipelineName, e.g. 'nightly-2'`);
  });

  test('model package groups that differ only in case in one stack', () => {
    const app = testApp();
    const stack = new Stack(app, 'Ml');
    new MlPipeline(stack, 'Churn', { pipeline: registering('churn', 'Customer-Models'), orchestrator: Orchestrator.sageMaker() });
    new MlPipeline(stack, 'Upsell', { pipeline: registering('upsell', 'customer-models'), orchestrator: Orchestrator.sageMaker() });
    expect(synthError(app)).toBe(`${VALIDATION}[Ml/Upsell] MlPipeline 'Ml/Upsell': model package group 'customer-models' and group ` +
      `'Customer-Models' of MlPipeline 'Ml/Churn' in this stack differ only in case, which SageMaker does not tell apart (it reports ` +
      `model package group ARNs in lower case); spell the group the same way in both register-model steps`);
  });

  test('one model package group created by two stacks of the same account and region', () => {
    const app = testApp();
    const env = { account: '123456789012', region: 'eu-west-1' };
    new MlPipeline(new Stack(app, 'Registry', { env }), 'Churn', { pipeline: registering('churn', 'customer-models'), orchestrator: Orchestrator.sageMaker() });
    new MlPipeline(new Stack(app, 'Team', { env }), 'Upsell', { pipeline: registering('upsell', 'customer-models'), orchestrator: Orchestrator.sageMaker() });
    expect(synthError(app)).toBe(`${VALIDATION}[Team/Upsell] MlPipeline 'Team/Upsell': model package group 'customer-models' is also created ` +
      `by MlPipeline 'Registry/Churn' in stack 'Registry' (the same account 123456789012 and region eu-west-1); a group name is unique ` +
      `per account and region, so the second stack would fail to deploy; let one stack create it: set createModelPackageGroups: false ` +
      `on this MlPipeline (its register-model steps still register into the group)`);
  });

  test('with a collision, the later MlPipeline creates nothing from its pipeline', () => {
    const app = testApp();
    const stack = new Stack(app, 'Ml');
    new MlPipeline(stack, 'A', { pipeline: registering('same', 'g'), orchestrator: Orchestrator.sageMaker() });
    const b = new MlPipeline(stack, 'B', { pipeline: registering('same', 'g'), orchestrator: Orchestrator.sageMaker() });
    expect(() => Template.fromStack(stack)).toThrow(/\[Ml\/B\] MlPipeline 'Ml\/B': pipelineName 'same' is also/);
    expect(b.node.tryFindChild('ExecutionPolicy')).toBeUndefined();
  });
});

describe('two MlPipelines on one given bucket', () => {
  function onBucket(prefixes: (string | undefined)[]): string {
    const app = testApp();
    const stack = new Stack(app, 'Ml');
    const bucket = s3.Bucket.fromBucketName(stack, 'Team', 'team-ml-artifacts');
    prefixes.forEach((bucketPrefix, i) => new MlPipeline(stack, `P${i}`, { pipeline: plain(`p${i}`), orchestrator: Orchestrator.sageMaker(), bucket, bucketPrefix }));
    return synthError(app);
  }

  test('the same prefix names both pipelines', () => {
    expect(onBucket(['team', 'team'])).toBe(`${VALIDATION}[Ml/P1] MlPipeline 'Ml/P1': bucketPrefix 'team' in bucket 'team-ml-artifacts' is also the ` +
      `prefix 'team' of MlPipeline 'Ml/P0' in this stack; each pipeline's role may read and write all of its prefix, so each could read and ` +
      `overwrite the other's outputs and code; give each MlPipeline a bucketPrefix of its own, outside the other's, e.g. 'team-2'`);
  });

  test('a prefix inside another, either way round', () => {
    expect(onBucket(['team', 'team/churn'])).toContain(`bucketPrefix 'team/churn' in bucket 'team-ml-artifacts' lies inside the prefix 'team' of MlPipeline 'Ml/P0'`);
    expect(onBucket(['team/churn', 'team'])).toContain(`bucketPrefix 'team' in bucket 'team-ml-artifacts' contains the prefix 'team/churn' of MlPipeline 'Ml/P0'`);
  });

  test('the default prefixes (pipelines/<name>) and prefixes that only share a beginning are apart', () => {
    const app = testApp();
    const stack = new Stack(app, 'Ml');
    const bucket = new s3.Bucket(stack, 'Shared');
    new MlPipeline(stack, 'A', { pipeline: plain('a'), orchestrator: Orchestrator.sageMaker(), bucket });
    new MlPipeline(stack, 'B', { pipeline: plain('b'), orchestrator: Orchestrator.sageMaker(), bucket });
    new MlPipeline(stack, 'C', { pipeline: plain('c'), orchestrator: Orchestrator.sageMaker(), bucket, bucketPrefix: 'team' });
    new MlPipeline(stack, 'D', { pipeline: plain('d'), orchestrator: Orchestrator.sageMaker(), bucket, bucketPrefix: 'team-b' });
    expect(resourcesOf(templateOf(stack), 'AWS::SageMaker::Pipeline')).toHaveLength(4);
  });
});
