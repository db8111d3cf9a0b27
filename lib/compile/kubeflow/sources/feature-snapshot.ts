import { DataSource } from '../../../pipeline/artifacts';
import { isA } from '../../../pipeline/brand';
import { FeatureSnapshot } from '../../../pipeline/feature-snapshot';
import { Step } from '../../../pipeline/step';
import type { KubeflowCompilation, Level } from '../compile';
import { ENGINE_NAME } from '../policies';
import { KubeflowSourceResolver, ResolvedInput } from './resolver';
import { URI_SOURCE } from './uri';

/**
 * A feature snapshot: the table's folder of the s3:// store, imported like DataSource.fromUri
 * (dsl.importer) and downloaded by KFP's launcher; ours picks the version at the step's start.
 * A version given by a pipeline parameter is bound by the reading task as a component input
 * (steps/container-task.ts), which the launcher receives as MLOPS_SNAPSHOT_VERSION_<INPUT>.
 */
export const FEATURE_SNAPSHOT_SOURCE: KubeflowSourceResolver = {
  resolve(c: KubeflowCompilation, step: Step, input: string, source: DataSource, level: Level): ResolvedInput | undefined {
    const at = `step '${step.name}': input '${input}'`;
    if (!isA(source, FeatureSnapshot)) {
      c.problems.push(`${at} reads ${source}, of kind '${source.sourceKind}' but not FeatureSnapshot.read(...); ${ENGINE_NAME} reads this kind only from FeatureSnapshot.read(table, ...)`);
      return undefined;
    }
    const table = source.tableData();
    if (table === undefined) {
      c.problems.push(`${at} reads feature snapshot ${source}, which names no store; ${ENGINE_NAME} reads snapshots from a bucket: give FeatureSnapshot.read('${source.table}', { store: 's3://my-bucket/feature-snapshots/' })`);
      return undefined;
    }
    if (c.graph.node(step).cache?.isEnabled && source.movesWithStore) {
      c.problems.push(`${at} reads feature snapshot ${source}, whose version is chosen when the step starts, but the step is cached: ${ENGINE_NAME} would replay an older snapshot's result; turn caching off for '${step.name}' (cache: CachePolicy.disabled()) or read a fixed version`);
      return undefined;
    }
    return URI_SOURCE.resolve(c, step, input, table, level);
  },
};
