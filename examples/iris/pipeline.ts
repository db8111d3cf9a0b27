import * as path from 'path';
import { CachePolicy, Code, Condition, ModelApproval, Parameter, Pipeline, RetryPolicy, Step } from '../../lib';

/**
 * The Iris pipeline: extract, clean and validate, train, evaluate, then register the model when
 * it is accurate enough, else fail. One definition for SageMaker, Kubernetes and local runs.
 */
export function irisPipeline(): Pipeline {
  const iris = new Pipeline('iris', {
    description: 'Trains and registers an Iris species classifier',
    parameters: {
      minAccuracy: Parameter.number(0.9, { description: 'Lowest test accuracy that gets the model registered' }),
      nEstimators: Parameter.integer(100, { description: 'Trees in the random forest' }),
    },
    defaultResources: { cpu: 1, memoryGiB: 2 },
    defaultRetry: RetryPolicy.of({ maxRetries: 1, intervalSeconds: 5 }),
    defaultCache: CachePolicy.enabled(),
  });
  const code = Code.fromDirectory(path.join(__dirname, 'steps'));

  const extract = Step.script('extract', { code, entry: 'extract.py', outputs: ['raw'] });
  const clean = Step.script('clean', {
    code,
    entry: 'clean.py',
    inputs: { raw: extract.output('raw') },
    outputs: ['train', 'test'],
  });
  const train = Step.training('train', {
    code,
    entry: 'train.py',
    inputs: { data: clean.output('train') },
    params: { nEstimators: iris.parameter('nEstimators') },
    metrics: ['trainAccuracy'],
    resources: { cpu: 2, memoryGiB: 4 },
  });
  const evaluate = Step.script('evaluate', {
    code,
    entry: 'evaluate.py',
    inputs: { model: train.model(), test: clean.output('test') },
    outputs: ['report'],
    metrics: ['accuracy', 'f1Macro'],
  });
  const gate = Step.condition('accuracy-gate', {
    when: Condition.gte(evaluate.metric('accuracy'), iris.parameter('minAccuracy')),
    then: [Step.registerModel('register', {
      model: train.model(), group: 'iris-classifier', approval: ModelApproval.APPROVED,
      // Served by inference.py on a SageMaker endpoint, and by `mlops serve iris-classifier --local`.
      inference: { code, entry: 'inference.py' },
    })],
    otherwise: [Step.fail('too-inaccurate', { message: 'Test accuracy is below minAccuracy; the model was not registered' })],
  });
  iris.addStep(extract, clean, train, evaluate, gate);
  return iris;
}

export const pipeline = irisPipeline();
