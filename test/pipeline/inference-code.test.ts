import * as path from 'path';
import { Code, InferenceCode, Pipeline, Step } from '../../lib';
import { compileSageMaker } from '../../lib/compile/sagemaker';
import { problemsOf } from '../support/problems';
import { testTarget } from '../support/aws/sagemaker-target';

const code = Code.fromDirectory(path.join(__dirname, '..', 'fixtures', 'steps'));

function withInference(inference: InferenceCode): Pipeline {
  const p = new Pipeline('serving');
  const train = Step.training('train', { code, entry: 'noop.py' });
  p.addStep(train, Step.registerModel('register', { model: train.model(), group: 'models', inference }));
  return p;
}

test('inference code is checked where it enters: the entry, its place, its environment', () => {
  expect(problemsOf(withInference({ code, entry: 'noop.py' }))).toEqual([]);
  expect(problemsOf(withInference({ code, entry: 'serve.sh' }))).toEqual([
    "step 'register': inference.entry is 'serve.sh', but model servers import a Python module: give a '.py' script that defines model_fn(model_dir), e.g. 'inference.py'",
  ]);
  expect(problemsOf(withInference({ code, entry: 'missing.py' }))).toEqual([
    `step 'register': inference entry "missing.py" is not a file in ${JSON.stringify(code.directory)}; check the name or the code directory`,
  ]);
  expect(problemsOf(withInference({ code, entry: 'serving/inference.py' }))).toEqual([
    "step 'register': inference.entry 'serving/inference.py' is in a subdirectory, but SageMaker's serving containers import SAGEMAKER_PROGRAM from the top of the code directory; make the directory holding it the inference code, e.g. Code.fromDirectory('serving')",
  ]);
  expect(problemsOf(withInference({ code, entry: 'noop.py', env: { SAGEMAKER_PROGRAM: 'x.py', 'BAD-NAME': '1', OK: 'a\u0000b' } }))).toEqual([
    "step 'register': inference.env name 'SAGEMAKER_PROGRAM' is invalid (allowed: letters, digits and '_', not starting with a digit; SAGEMAKER_ and MLOPS_ are set by the engines); rename it",
    "step 'register': inference.env name 'BAD-NAME' is invalid (allowed: letters, digits and '_', not starting with a digit; SAGEMAKER_ and MLOPS_ are set by the engines); rename it",
    expect.stringMatching(/^step 'register': inference\.env OK value .*NUL/),
  ]);
  expect(problemsOf(withInference({ code: '/srv/serving' as unknown as Code, entry: 'inference.py' }))).toEqual([
    "step 'register': inference.code is '/srv/serving', not a Code; use Code.fromDirectory('<dir holding 'inference.py'>')",
  ]);
});

test('on SageMaker the model package container gets the script and its sourcedir.tar.gz, as the SageMaker SDK sets them, then the user environment', () => {
  const definition = compileSageMaker(withInference({ code, entry: 'noop.py', env: { MODEL_NAME: 'm' } }), testTarget());
  const register = definition.Steps.find((s) => s.Name === 'register') as { Arguments: { InferenceSpecification: { Containers: { Environment?: object }[] } } };
  expect(register.Arguments.InferenceSpecification.Containers[0].Environment).toEqual({
    SAGEMAKER_PROGRAM: 'noop.py',
    SAGEMAKER_SUBMIT_DIRECTORY: 's3://cdk-assets-123456789012-us-east-1/steps.tar.gz',
    SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
    MODEL_NAME: 'm',
  });
  expect(() => compileSageMaker(withInference({ code, entry: 'noop.py' }), testTarget({ inferenceCodeUri: undefined }))).toThrow("step 'register': has inference code, but this SageMaker target has no place for it (inferenceCodeUri)");
});
