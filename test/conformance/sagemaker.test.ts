import { compileSageMaker, ProcessingStepDefinition } from '../../lib/compile/sagemaker';
import { testTarget } from '../support/aws/sagemaker-target';
import { describeConformance, FEATURES } from './features';
import { SAGEMAKER_COLUMN } from './columns/sagemaker';

/**
 * The SageMaker Pipelines column: how each feature of the model becomes part of a pipeline
 * definition. test/compile/sagemaker checks the details; test/constructs/aws deploys the same
 * features through aws.MlPipeline and checks every template with cfn-lint and botocore.
 */
describeConformance('SageMaker', SAGEMAKER_COLUMN, (pipeline) => compileSageMaker(pipeline, testTarget()));

test('fan-out copies each see their own item', () => {
  const definition = compileSageMaker(FEATURES.find((f) => f.id === 'fan-out')!.build(), testTarget());
  const items = definition.Steps.filter((s) => s.Name.startsWith('each-')).map((s) => (s as ProcessingStepDefinition).Arguments.Environment!.MLOPS_ITEM);
  expect(items).toEqual(['a', 'b', 'c']);
});
