/** cdk-nag's four packs over FeatureStoreTable shapes: every finding fixed or acknowledged with a reason. */
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { FeatureStoreTable, TableFormat } from '../../../constructs/aws/feature-store';
import { FeatureType } from '../../../lib/pipeline/feature-type';
import { nagFindings, testApp } from '../../support/aws';

const FEATURES = { customer_id: FeatureType.string(), event_time: FeatureType.string(), spend: FeatureType.fractional() };

test('online + offline, default Glue names, and a named Glue table have no unacknowledged cdk-nag findings', () => {
  const app = testApp({ nag: true });
  const stack = new Stack(app, 'FeatureStore', { env: { account: '123456789012', region: 'eu-west-1' } });
  const both = new FeatureStoreTable(stack, 'Customers', {
    recordIdentifier: 'customer_id', eventTime: 'event_time', features: FEATURES,
    online: { ttl: Duration.days(7) }, offline: { tableFormat: TableFormat.ICEBERG },
  });
  new FeatureStoreTable(stack, 'Orders', {
    recordIdentifier: 'customer_id', eventTime: 'event_time', features: FEATURES,
    offline: { glueDatabase: 'ml', glueTable: 'orders' },
  });
  new FeatureStoreTable(stack, 'Sessions', { recordIdentifier: 'customer_id', eventTime: 'event_time', features: FEATURES, online: {} });
  const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  both.grantReadWrite(reader);
  // The construct's own resources have no findings. The grantee role is the user's: what it shows
  // is the grant's two wildcards (the offline prefix's objects, SageMaker-named Glue tables) and its inline policy.
  expect(nagFindings(app).map((f) => `${f.rule} ${f.path}`)).toEqual([
    'AwsSolutions-IAM5[Resource::<CustomersOfflineStore3F3FF67F.Arn>/feature-store/*] FeatureStore/Reader/DefaultPolicy/Resource',
    'AwsSolutions-IAM5[Resource::arn:aws:glue:eu-west-1:123456789012:table/sagemaker_featurestore/*] FeatureStore/Reader/DefaultPolicy/Resource',
    'HIPAA.Security-IAMNoInlinePolicy FeatureStore/Reader/DefaultPolicy/Resource',
    'NIST.800.53.R5-IAMNoInlinePolicy FeatureStore/Reader/DefaultPolicy/Resource',
    'PCI.DSS.321-IAMNoInlinePolicy FeatureStore/Reader/DefaultPolicy/Resource',
  ]);
});
