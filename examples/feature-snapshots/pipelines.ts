import { CachePolicy, Code, FeatureSnapshot, Parameter, Pipeline, Step, Value } from '../../lib';

/** The feature table both pipelines name: the FeatureStoreTable 'customers' (examples/feature-store). */
export const TABLE = 'customers';

/** The store the example's stack uses on SageMaker (the local runner uses its own folder). */
export const EXAMPLE_STORE = 's3://example-feature-snapshots/feature-snapshots/';

const code = Code.fromDirectory(`${__dirname}/steps`);

export interface SnapshotPipelineOptions {
  /** The snapshot store on the cloud engines (an s3:// prefix); the local runner uses its own folder. */
  readonly store: string;
}

/**
 * Every hour: compute the hour's customer features (one CSV per hour, named by the hour, so a
 * retried hour overwrites its own file) and commit them as the table's next snapshot version.
 * The hour comes in as the 'hour' parameter ('2026-12-03T10'), given by whatever starts the run.
 */
export function featurePipeline(options: SnapshotPipelineOptions): Pipeline {
  const features = new Pipeline('customer-features', {
    description: 'Hourly customer features, committed as feature snapshot versions',
    parameters: { hour: Parameter.string('2026-12-03T00') },
  });
  const compute = Step.script('compute', {
    code,
    entry: 'features.py',
    params: { hour: features.parameter('hour') },
    outputs: ['features'],
  });
  features.addStep(compute, FeatureSnapshot.commitStep('commit', {
    table: TABLE,
    data: compute.output('features'),
    partition: features.parameter('hour'),
    store: options.store,
  }));
  return features;
}

/**
 * Every week: train on one consistent snapshot of the table, the one the 'snapshot' parameter
 * names: 'latest' (the feature pipeline's newest commit, the default) or a version such as
 * 'v000042' to reproduce a run. The step is not cached: 'latest' is read when it starts.
 */
export function trainingPipeline(options: SnapshotPipelineOptions): Pipeline {
  const training = new Pipeline('customer-training', {
    description: 'Weekly training on one feature snapshot',
    parameters: { snapshot: Parameter.string('latest') },
  });
  training.addStep(Step.training('train', {
    code,
    entry: 'train.py',
    inputs: { features: FeatureSnapshot.read(TABLE, { version: training.parameter('snapshot'), store: options.store }) },
    params: { target: Value.string('monthly_spend') },
    metrics: ['rows'],
    cache: CachePolicy.disabled(),
  }));
  return training;
}
