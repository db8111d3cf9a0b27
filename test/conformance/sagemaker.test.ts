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

test('collected reads and training fan-out are one SageMaker step or input per item; external data is read at its URI', () => {
  const build = (id: string) => compileSageMaker(FEATURES.find((f) => f.id === id)!.build(), testTarget());
  const inputNames = (d: ReturnType<typeof build>, step: string) => (d.Steps.find((s) => s.Name === step) as ProcessingStepDefinition).Arguments.ProcessingInputs!.map((i) => i.InputName);
  expect(inputNames(build('collected-outputs'), 'merge')).toEqual(['mlops-code', 'parts-a', 'parts-b']);
  expect(inputNames(build('collected-metrics'), 'best')).toEqual(['mlops-code', 'scores-a', 'scores-b']);
  expect(build('training-fan-out').Steps.map((s) => s.Name)).toEqual(['fit-small', 'fit-large', 'pick']);
  const read = build('external-data').Steps[0] as ProcessingStepDefinition;
  expect(read.Arguments.ProcessingInputs![1].S3Input!.S3Uri).toBe('s3://example-data/iris/');
});
