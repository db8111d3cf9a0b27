import * as path from 'path';
import { Code, Pipeline, RetryPolicy, Step } from '../../lib';

/**
 * The beginner's Airflow pipeline: every day, extract that day's Iris measurements from a CSV
 * source (the run's data interval picks the rows), clean and validate them with pandas, and
 * train a scikit-learn classifier on them. Each step logs what it did.
 */
export function airflowIrisPipeline(): Pipeline {
  const iris = new Pipeline('airflow-iris', {
    description: 'Daily: extracts the day\'s Iris measurements, cleans them and trains a classifier',
    defaultRetry: RetryPolicy.of({ maxRetries: 1, intervalSeconds: 60, backoffRate: 2 }),
  });
  const code = Code.fromDirectory(path.join(__dirname, 'steps'));
  const extract = Step.script('extract', { code, entry: 'extract.py', outputs: ['raw'] });
  const clean = Step.script('clean', {
    code,
    entry: 'clean.py',
    inputs: { raw: extract.output('raw') },
    outputs: ['clean'],
    metrics: ['rows', 'dropped'],
  });
  const train = Step.training('train', {
    code,
    entry: 'train.py',
    inputs: { data: clean.output('clean') },
    metrics: ['accuracy'],
  });
  iris.addStep(extract, clean, train);
  return iris;
}

export const pipeline = airflowIrisPipeline();
