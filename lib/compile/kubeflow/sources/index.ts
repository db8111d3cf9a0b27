import { DataSourceKind } from '../../../pipeline/artifacts';
import { HandlerTable } from '../../../pipeline/handlers';
import { FEATURE_SNAPSHOT_KIND } from '../../../pipeline/feature-snapshot';
import { COLLECTED_OUTPUT_SOURCE } from './collected-output';
import { FEATURE_SNAPSHOT_SOURCE } from './feature-snapshot';
import { KubeflowSourceResolver } from './resolver';
import { STEP_OUTPUT_SOURCE } from './step-output';
import { URI_SOURCE } from './uri';

export type { KubeflowSourceResolver, ResolvedInput } from './resolver';

/** What Kubeflow Pipelines reads, by data source kind; any other kind is the standard synth-time error. */
export const KUBEFLOW_SOURCES: HandlerTable<KubeflowSourceResolver> = {
  [DataSourceKind.STEP_OUTPUT]: STEP_OUTPUT_SOURCE,
  [DataSourceKind.COLLECTED_OUTPUT]: COLLECTED_OUTPUT_SOURCE,
  [DataSourceKind.URI]: URI_SOURCE,
  [FEATURE_SNAPSHOT_KIND]: FEATURE_SNAPSHOT_SOURCE,
};
