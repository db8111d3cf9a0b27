/** cdk-nag's four packs over the CanaryEndpoint example: every finding fixed or acknowledged with a reason. */
import { CanaryEndpointStack } from '../../../examples/canary-endpoint/aws';
import { nagFindings, testApp } from '../../support/aws';

test('the example stack has no unacknowledged cdk-nag findings', () => {
  const app = testApp({ nag: true });
  new CanaryEndpointStack(app, 'CanaryEndpoint');
  expect(nagFindings(app).map((f) => `${f.rule} ${f.path}`)).toEqual([]);
});
