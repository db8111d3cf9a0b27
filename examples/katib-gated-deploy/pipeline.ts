import * as path from 'path';
import { Algorithm, Code, Condition, ModelApproval, Objective, Parameter, Pipeline, Range, Step } from '../../lib';

/**
 * Tunes an Iris classifier (a support vector machine over C and the kernel), then registers the
 * best trial's model, approved for deployment, only when its accuracy reaches minAccuracy.
 * One definition for Katib (Kubeflow, Argo), SageMaker tuning and the local runner.
 */
export function gatedDeployPipeline(): Pipeline {
  const pipeline = new Pipeline('iris-tuned', {
    description: 'Tunes an Iris classifier and registers the best model when it is accurate enough',
    parameters: {
      minAccuracy: Parameter.number(0.9, { description: 'Lowest test accuracy of the best trial that gets it deployed' }),
    },
    defaultResources: { cpu: 1, memoryGiB: 2 },
  });
  const irisCode = Code.fromDirectory(path.join(__dirname, '..', 'iris', 'steps'));
  const code = Code.fromDirectory(path.join(__dirname, 'steps'));

  const extract = Step.script('extract', { code: irisCode, entry: 'extract.py', outputs: ['raw'] });
  const clean = Step.script('clean', { code: irisCode, entry: 'clean.py', inputs: { raw: extract.output('raw') }, outputs: ['train', 'test'] });
  const trial = Step.training('trial', {
    code,
    entry: 'train_svm.py',
    inputs: { train: clean.output('train'), test: clean.output('test') },
    metrics: ['accuracy'],
  });
  const hpo = Step.tune('hpo', {
    trial,
    objective: Objective.maximize('accuracy'),
    space: { C: Range.logUniform(0.001, 100), kernel: Range.categorical(['rbf', 'linear']) },
    algorithm: Algorithm.random(),
    maxTrials: 8,
    parallelTrials: 2,
    seed: 7,
  });
  const gate = Step.condition('accuracy-gate', {
    when: Condition.gte(hpo.bestMetric('accuracy'), pipeline.parameter('minAccuracy')),
    then: [Step.registerModel('register', {
      model: hpo.bestModel(), group: 'iris-tuned', approval: ModelApproval.APPROVED,
      inference: { code: irisCode, entry: 'inference.py' },
    })],
    otherwise: [Step.fail('too-inaccurate', { message: 'The best trial is below minAccuracy; nothing was deployed' })],
  });
  pipeline.addStep(extract, clean, hpo, gate);
  return pipeline;
}

export const pipeline = gatedDeployPipeline();
