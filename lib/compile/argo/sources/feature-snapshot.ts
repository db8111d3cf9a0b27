import { DataSource } from '../../../pipeline/artifacts';
import { isA } from '../../../pipeline/brand';
import { FeatureSnapshot } from '../../../pipeline/feature-snapshot';
import { Step } from '../../../pipeline/step';
import { ENGINE } from '../checks';
import type { ArgoCompilation } from '../compilation';
import { ArgoInput, ArgoSourceResolver } from './resolver';
import { URI_SOURCE } from './uri';

/**
 * A feature snapshot: the table's folder of the s3:// store (in the artifact repository's
 * bucket), as a key-only input artifact downloaded as the input directory; the launcher picks the
 * version at the step's start. A parameter's version is `{{workflow.parameters.<name>}}`.
 */
export const FEATURE_SNAPSHOT_SOURCE: ArgoSourceResolver = {
  resolve(c: ArgoCompilation, step: Step, input: string, source: DataSource): ArgoInput | undefined {
    const at = `step '${step.name}': input '${input}'`;
    if (!isA(source, FeatureSnapshot)) {
      c.problems.push(`${at} reads ${source}, of kind '${source.sourceKind}' but not FeatureSnapshot.read(...); ${ENGINE} reads this kind only from FeatureSnapshot.read(table, ...)`);
      return undefined;
    }
    const table = source.tableData();
    if (table === undefined) {
      c.problems.push(`${at} reads feature snapshot ${source}, which names no store; ${ENGINE} reads snapshots from S3 in its artifact repository's bucket: give FeatureSnapshot.read('${source.table}', { store: 's3://${c.options.artifactRepositoryBucket ?? 'my-argo-artifacts'}/feature-snapshots/' })`);
      return undefined;
    }
    if (c.graph.node(step).cache?.isEnabled && source.movesWithStore) {
      c.problems.push(`${at} reads feature snapshot ${source}, whose version is chosen when the step starts, but the step is cached: ${ENGINE} would replay an older snapshot's result; turn caching off for '${step.name}' (cache: CachePolicy.disabled()) or read a fixed version`);
      return undefined;
    }
    return URI_SOURCE.resolve(c, step, input, table);
  },
};
