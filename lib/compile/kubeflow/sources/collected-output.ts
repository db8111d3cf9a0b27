import { CollectedArtifact, DataSource } from '../../../pipeline/artifacts';
import { isA } from '../../../pipeline/brand';
import { ContainerStep } from '../../../pipeline/container-step';
import { show } from '../../../pipeline/errors';
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
    const items = ContainerStep.isContainerStep(source.producer) ? source.producer.forEach ?? [] : [];
    const bad = items.filter((item) => !ITEM_DIRECTORY.test(item) || item === '.' || item === '..');
    if (bad.length > 0) {
      c.problems.push(`step '${step.name}': input '${input}' collects from '${source.producer.name}', whose forEach items ${bad.map(show).join(', ')} cannot name the per-item directories ${ENGINE_NAME} lays the input out in (allowed: 1 to 255 characters other than '/', not '.' or '..'); rename the items`);
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

const ITEM_DIRECTORY = /^[^/\0]{1,255}$/;
