import { EXAMPLE_STORE, featurePipeline } from './pipelines';

/** The hourly feature pipeline, for `npx mlops run examples/feature-snapshots/features.ts --local -p hour=2026-12-03T10`. */
export const pipeline = featurePipeline({ store: EXAMPLE_STORE });
