/**
 * The CDK app cdk.json runs (`npm run synth`): synthesizes every AWS example stack into cdk.out/.
 * Environment-agnostic, so it synthesizes offline; `-c alarmEmail=you@example.com` subscribes an
 * address to the examples' failure alerts.
 *
 * aws-cdk-lib's built-in CloudFormation validation takes ~10 s to start on a busy 2-core machine,
 * so it runs here only with CDK_VALIDATION=true; the test suite lints every template with cfn-lint.
 */
import { App } from 'aws-cdk-lib';
import { AirflowIrisStack } from '../examples/airflow-iris/aws';
import { CanaryEndpointStack } from '../examples/canary-endpoint/aws';
import { FeatureStoreStack } from '../examples/feature-store/aws';
import { FeatureSnapshotsStack } from '../examples/feature-snapshots/aws';
import { IrisSageMakerStack } from '../examples/iris/aws';
import { GatedDeploySageMakerStack } from '../examples/katib-gated-deploy/aws';

const app = new App({ builtinCloudFormationValidation: process.env.CDK_VALIDATION === 'true' });
const alarmEmail: string | undefined = app.node.tryGetContext('alarmEmail');

new IrisSageMakerStack(app, 'IrisSageMaker', { alarmEmails: alarmEmail ? [alarmEmail] : undefined });
new CanaryEndpointStack(app, 'CanaryEndpoint');
new FeatureStoreStack(app, 'FeatureStore');
// `-c tunedIrisEndpoint=false` deploys the pipeline without its endpoint (until a model is approved).
new GatedDeploySageMakerStack(app, 'TunedIrisSageMaker', { alarmEmails: alarmEmail ? [alarmEmail] : undefined, endpoint: String(app.node.tryGetContext('tunedIrisEndpoint') ?? 'true') !== 'false' });
new FeatureSnapshotsStack(app, 'FeatureSnapshots');
new AirflowIrisStack(app, 'AirflowIris');
