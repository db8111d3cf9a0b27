import { CollectedArtifact, DataSource } from '../../../pipeline/artifacts';
import { isA } from '../../../pipeline/brand';
import { Step } from '../../../pipeline/step';
import { artifactDefinition, artifactNeed, collectedOutputKey, schemaTitleOf } from '../channels';
import type { KubeflowCompilation, Level } from '../compile';
import { COLLECTED_PATH } from '../executors';
import { ENGINE_NAME } from '../policies';
import { KubeflowSourceResolver, ResolvedInput } from './resolver';

/**
 * One port (or the metrics) of every item of a forEach step, as KFP's dsl.Collected: the loop
 * DAG's list output feeds an isArtifactList input. KFP hands a list to a container only in the
 * executor input, so the launcher (--kfp-collected) reads it there and lays the input out as one
 * directory holding an entry per item, named by the item each artifact was tagged with.
 */
export const COLLECTED_OUTPUT_SOURCE: KubeflowSourceResolver = {
  resolve(c: KubeflowCompilation, step: Step, input: string, source: DataSource, level: Level): ResolvedInput | undefined {
    if (!isA(source, CollectedArtifact)) {
      c.problems.push(`step '${step.name}': input '${input}' reads ${source}, of kind '${source.sourceKind}' but not a collected output (CollectedArtifact); ${ENGINE_NAME} reads this kind only from forEachStep.collect(...) and .collectMetrics()`);
      return undefined;
    }
    return {
      definition: artifactDefinition(schemaTitleOf(source.type), true),
      binding: c.bind(artifactNeed(source.producer, collectedOutputKey(source), source.type, true), level),
      path: `${COLLECTED_PATH}/${input}`,
      launcherArguments: ['--kfp-collected', input],
      needsExecutorInput: true,
      dependsOn: [],
      list: true,
    };
  },
};
