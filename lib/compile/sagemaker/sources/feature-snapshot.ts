import { DataSource } from '../../../pipeline/artifacts';
import { isA } from '../../../pipeline/brand';
import { FeatureSnapshot } from '../../../pipeline/feature-snapshot';
import { Step } from '../../../pipeline/step';
import type { SageMakerCompilation } from '../compile';
import { ResolvedSource, SageMakerSourceResolver } from './resolver';
import { URI_SOURCE } from './uri';

/**
 * A feature snapshot: the table's folder of the s3:// store, downloaded as the input (a
 * processing input or training channel); the launcher picks the version at the step's start
 * and lays out only its files. A parameter's version reaches the launcher as its run-time value.
 */
export const FEATURE_SNAPSHOT_SOURCE: SageMakerSourceResolver = {
  resolve(c: SageMakerCompilation, reader: Step, input: string, source: DataSource): ResolvedSource | undefined {
    if (!isA(source, FeatureSnapshot)) {
      c.problem(reader, `input '${input}' reads ${source}, of kind '${source.sourceKind}' but not FeatureSnapshot.read(...); SageMaker reads this kind only from FeatureSnapshot.read(table, ...)`);
      return undefined;
    }
    const table = source.tableData();
    if (table === undefined) {
      c.problem(reader, `input '${input}' reads feature snapshot ${source}, which names no store; SageMaker reads snapshots from S3: give FeatureSnapshot.read('${source.table}', { store: 's3://my-bucket/feature-snapshots/' })`);
      return undefined;
    }
    if (c.graph.node(reader).cache?.isEnabled && source.movesWithStore) {
      c.problem(reader, `input '${input}' reads feature snapshot ${source}, whose version is chosen when the step starts, but the step is cached: SageMaker would replay an older snapshot's result; turn caching off for '${reader.name}' (cache: CachePolicy.disabled()) or read a fixed version`);
      return undefined;
    }
    return URI_SOURCE.resolve(c, reader, input, table);
  },
};
