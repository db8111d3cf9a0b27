import { DataSourceKind } from '../../pipeline/artifacts';
import { HandlerTable } from '../../pipeline/handlers';
import { FEATURE_SNAPSHOT_KIND } from '../../pipeline/feature-snapshot';
import { COLLECTED_OUTPUT_SOURCE } from './collected-output';
import { FEATURE_SNAPSHOT_SOURCE } from './feature-snapshot';
import { LocalSourceResolver } from './resolver';
import { STEP_OUTPUT_SOURCE } from './step-output';
import { URI_SOURCE } from './uri';

export type { LocalSourceResolver, PlannedSource, SourcePlanContext, SourceRunContext } from './resolver';

/** What the local runner reads, by data source kind; any other kind is the standard synth-time error. */
export const LOCAL_SOURCES: HandlerTable<LocalSourceResolver> = {
  [DataSourceKind.STEP_OUTPUT]: STEP_OUTPUT_SOURCE,
  [DataSourceKind.COLLECTED_OUTPUT]: COLLECTED_OUTPUT_SOURCE,
  [DataSourceKind.URI]: URI_SOURCE,
  [FEATURE_SNAPSHOT_KIND]: FEATURE_SNAPSHOT_SOURCE,
};
