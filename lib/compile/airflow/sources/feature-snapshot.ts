import { DataSource } from '../../../pipeline/artifacts';
import { isA } from '../../../pipeline/brand';
import { FeatureSnapshot } from '../../../pipeline/feature-snapshot';
import { Step } from '../../../pipeline/step';
import { ENGINE } from '../checks';
import type { AirflowCompilation } from '../compilation';
import { PyExpr } from '../python';
import { AirflowSourceResolver } from './resolver';

/**
 * A feature snapshot: the table's folder of the store, read where the executor reads data from
 * before the run (an s3:// URI on 'sagemaker', a path on the workers on 'python'); the launcher
 * picks the version at the task's start. A parameter's version is its `{{ params.x }}` value.
 * Airflow has no step cache (a cached step runs every time with cache 'run-always'), so no
 * older snapshot's result is ever replayed.
 */
export function featureSnapshotSource(uriSource: AirflowSourceResolver): AirflowSourceResolver {
  return { resolve: (c, step, input, source) => resolve(c, step, input, source, uriSource) };
}

function resolve(c: AirflowCompilation, step: Step, input: string, source: DataSource, uriSource: AirflowSourceResolver): PyExpr | undefined {
  const at = `step '${step.name}': input '${input}'`;
  if (!isA(source, FeatureSnapshot)) {
    c.problems.push(`${at} reads ${source}, of kind '${source.sourceKind}' but not FeatureSnapshot.read(...); ${ENGINE} reads this kind only from FeatureSnapshot.read(table, ...)`);
    return undefined;
  }
  const table = source.tableData();
  if (table === undefined) {
    c.problems.push(`${at} reads feature snapshot ${source}, which names no store; give FeatureSnapshot.read('${source.table}', { store: 's3://my-bucket/feature-snapshots/' }) (or an absolute path on the workers of the 'python' executor)`);
    return undefined;
  }
  return uriSource.resolve(c, step, input, table);
}
