import { CollectedArtifact, DataSource } from '../../../pipeline/artifacts';
import { Step } from '../../../pipeline/step';
import { artifactDefinition, artifactNeed, collectedOutputKey, schemaTitleOf } from '../channels';
import type { KubeflowCompilation, Level } from '../compile';
import { COLLECTED_PATH } from '../executors';
import { KubeflowSourceResolver, ResolvedInput } from './resolver';

/**
 * One port (or the metrics) of every item of a forEach step, as KFP's dsl.Collected: the loop
 * DAG's list output feeds an isArtifactList input. KFP hands a list to a container only in the
 * executor input, so the launcher (--kfp-collected) reads it there and lays the input out as one
 * directory holding an entry per item, named by the item each artifact was tagged with.
 */
export const COLLECTED_OUTPUT_SOURCE: KubeflowSourceResolver = {
  resolve(c: KubeflowCompilation, _step: Step, input: string, given: DataSource, level: Level): ResolvedInput | undefined {
    // The model has checked that a source of this kind is a CollectedArtifact.
    const source = given as CollectedArtifact;
    return {
      definition: artifactDefinition(schemaTitleOf(source.type), true),
      binding: c.bind(artifactNeed(source.step, collectedOutputKey(source), source.type, true), level),
      path: `${COLLECTED_PATH}/${input}`,
      launcherArguments: ['--kfp-collected', input],
      needsExecutorInput: true,
      dependsOn: [],
    };
  },
};
