import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { FeatureStoreTable, TableFormat } from '../../constructs/aws';
import { acknowledgeComplianceRules, acknowledgeIamFindings } from '../../constructs/aws/nag-acknowledgements';
import { CUSTOMER_FEATURES } from './features';

/**
 * The customer features as a SageMaker Feature Store group: online for serving (records expire
 * 7 days after their event time), offline in Iceberg for training history. One role writes them
 * (the feature job), another reads them (training).
 */
export class FeatureStoreStack extends Stack {
  public readonly customers: FeatureStoreTable;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, { description: 'cdk-mlops example: customer features in SageMaker Feature Store', ...props });
    this.customers = new FeatureStoreTable(this, 'Customers', {
      recordIdentifier: 'customer_id',
      eventTime: 'event_time',
      features: CUSTOMER_FEATURES,
      online: { ttl: Duration.days(7) },
      offline: { tableFormat: TableFormat.ICEBERG },
      // What the first synth printed: a later change that would make CloudFormation replace the
      // group (and lose its records) now fails synth instead.
      replacementGuard: 'fsg1-0a2cb31a8ce8bf4b0fb5bea4335876d998c2691f569db08374234e74234e',
    });
    const writer = new iam.Role(this, 'FeatureJobRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'), description: 'Writes customer features' });
    const reader = new iam.Role(this, 'TrainingRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'), description: 'Reads customer features for training' });
    this.customers.grantWrite(writer);
    this.customers.grantRead(reader);
    for (const role of [writer, reader]) {
      acknowledgeIamFindings(role, {
        wildcardResources: 'SageMaker writes the offline store under object keys it generates below the table\'s prefix, ' +
          'and catalogs it as a Glue table whose name it generates in the sagemaker_featurestore database (when glueTable ' +
          'is not given), so reading the history is granted on that prefix and those tables, nothing wider',
      });
      acknowledgeComplianceRules(role, {
        IAMNoInlinePolicy: 'Each example role is made for one job and its inline policy holds only the grants of this one ' +
          'table; it is created and removed with the role, so a customer managed policy would add nothing to reuse',
      });
    }
  }
}
