import { Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CanaryEndpoint, CanaryEndpointProps, ModelSource } from '../../../constructs/aws';
import { templateOf, testApp } from '../../support/aws';
import { only } from '../../support/aws/endpoint';

/**
 * The endpoint's model comes from the registry at deploy time; approvals roll newer packages out
 * outside CloudFormation. A later deploy that updates the endpoint must resolve the newest package
 * again (not go back to the one resolved before), so the resolver's properties change exactly when
 * the endpoint's resources do.
 */
function revision(props: Partial<CanaryEndpointProps> = {}, extra?: (stack: Stack) => void): string {
  const stack = new Stack(testApp(), 'Serving', { env: { account: '123456789012', region: 'eu-west-1' } });
  new CanaryEndpoint(stack, 'Churn', { model: ModelSource.fromRegistry('churn'), ...props });
  extra?.(stack);
  return only(templateOf(stack), 'Custom::LatestModelPackage').Properties.EndpointRevision;
}

test('the same endpoint gives the same revision: synth is deterministic and snapshots stay still', () => {
  expect(revision()).toMatch(/^[0-9a-f]{16}$/);
  expect(revision()).toBe(revision());
});

test('a change CloudFormation applies to the endpoint (instance type, count, weights) changes the revision', () => {
  const base = revision({ variants: [{ name: 'main', instanceType: 'ml.m5.large' }] });
  expect(revision({ variants: [{ name: 'main', instanceType: 'ml.m5.xlarge' }] })).not.toBe(base);
  expect(revision({ variants: [{ name: 'main', instanceType: 'ml.m5.large', instanceCount: 2 }] })).not.toBe(base);
});

test('a change elsewhere in the stack leaves the revision, so that deploy does not touch the endpoint', () => {
  expect(revision({}, (stack) => new sns.Topic(stack, 'Unrelated'))).toBe(revision());
});
