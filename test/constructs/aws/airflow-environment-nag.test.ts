/** cdk-nag's four packs over AirflowEnvironment shapes: every finding fixed or acknowledged with a reason. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AirflowEnvironment, AirflowEnvironmentClass, AirflowVersion, WebServerAccess } from '../../../constructs/aws/airflow';
import { NAG_PACKS, nagFindings, testApp } from '../../support/aws';

function pluginsZip(): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-plugins-')), 'plugins.zip');
  fs.writeFileSync(file, Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]));
  return file;
}

test('the default VPC, uploads, a SageMaker grant, a given VPC and a public micro environment have no unacknowledged findings', () => {
  const app = testApp({ nag: true });
  const stack = new Stack(app, 'Airflow', { env: { account: '123456789012', region: 'eu-west-1' } });
  const full = new AirflowEnvironment(stack, 'Full', {
    airflowVersion: AirflowVersion.V2_10_3,
    requirements: ['apache-airflow-providers-amazon'],
    plugins: pluginsZip(),
  });
  const jobRole = new iam.Role(stack, 'JobRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
  full.grantSageMaker({ jobRole });
  full.grantSageMaker({ jobRole, jobNamePrefix: 'churn-', modelPackageGroupName: 'churn', runData: { bucket: full.dagBucket, prefix: 'pipelines/churn' } });
  // A second environment reuses the stack's upload function and the first environment's VPC.
  new AirflowEnvironment(stack, 'Micro', {
    airflowVersion: AirflowVersion.V3_0_6,
    environmentClass: AirflowEnvironmentClass.MICRO,
    webServerAccess: WebServerAccess.PUBLIC,
    vpc: full.vpc as ec2.Vpc,
    requirements: ['boto3'],
  });
  // The acknowledgements stay on the construct's own resources: a user's role reading the bucket is still reported.
  const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  full.dagBucket.grantRead(reader);
  const findings = nagFindings(app);
  expect(findings.map((f) => `${f.rule} ${f.path}`)).toEqual([
    'AwsSolutions-IAM5[Action::s3:GetBucket*] Airflow/Reader/DefaultPolicy/Resource',
    'AwsSolutions-IAM5[Action::s3:GetObject*] Airflow/Reader/DefaultPolicy/Resource',
    'AwsSolutions-IAM5[Action::s3:List*] Airflow/Reader/DefaultPolicy/Resource',
    'AwsSolutions-IAM5[Resource::<FullDagsC09AC86F.Arn>/*] Airflow/Reader/DefaultPolicy/Resource',
    ...NAG_PACKS.slice(1).map((pack) => `${pack}-IAMNoInlinePolicy Airflow/Reader/DefaultPolicy/Resource`),
  ]);
});
