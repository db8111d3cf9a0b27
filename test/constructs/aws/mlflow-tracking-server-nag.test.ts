/** cdk-nag's four packs (NAG_PACKS: AwsSolutions, HIPAA Security, NIST 800-53 R5, PCI DSS 3.2.1) over MlflowTrackingServer shapes: every finding fixed or acknowledged with a reason. */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { MlflowTrackingServer } from '../../../constructs/aws/mlflow';
import { nagFindings, testApp } from '../../support/aws';

test('defaults and automatic model registration have no unacknowledged cdk-nag findings; a grantee shows only its own', () => {
  const app = testApp({ nag: true });
  const stack = new Stack(app, 'Tracking', { env: { account: '123456789012', region: 'eu-west-1' } });
  const server = new MlflowTrackingServer(stack, 'Mlflow');
  new MlflowTrackingServer(stack, 'Registering', { automaticModelRegistration: true, trackingServerName: 'registering' });
  const user = new iam.Role(stack, 'DataScientist', { assumedBy: new iam.AccountRootPrincipal() });
  server.grantAccess(user);
  const findings = nagFindings(app);
  // The construct's own resources have no findings. The grantee role is the user's: it shows the
  // grant's wildcards (every sagemaker-mlflow action on the one server, the prefix's objects) and its inline policy.
  expect(findings.map((f) => `${f.rule} ${f.path}`)).toEqual([
    'AwsSolutions-IAM5[Action::sagemaker-mlflow:*] Tracking/DataScientist/DefaultPolicy/Resource',
    'AwsSolutions-IAM5[Resource::<MlflowArtifacts3D6BA9CD.Arn>/mlflow/*] Tracking/DataScientist/DefaultPolicy/Resource',
    'HIPAA.Security-IAMNoInlinePolicy Tracking/DataScientist/DefaultPolicy/Resource',
    'NIST.800.53.R5-IAMNoInlinePolicy Tracking/DataScientist/DefaultPolicy/Resource',
    'PCI.DSS.321-IAMNoInlinePolicy Tracking/DataScientist/DefaultPolicy/Resource',
  ]);
});
