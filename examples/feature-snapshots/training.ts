import { EXAMPLE_STORE, trainingPipeline } from './pipelines';

/** The weekly training pipeline, for `npx mlops run examples/feature-snapshots/training.ts --local [-p snapshot=v000002]`. */
export const pipeline = trainingPipeline({ store: EXAMPLE_STORE });
