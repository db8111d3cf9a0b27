import { CollectedArtifact, DataSource } from '../../../pipeline/artifacts';
import { Step } from '../../../pipeline/step';
import { ENGINE } from '../checks';
import { collectedPrefix, isMetrics } from '../collected';
import type { ArgoCompilation } from '../compilation';
import { inputPath } from '../paths';
import { ArgoInput, ArgoSourceResolver } from './resolver';

/**
 * One port (or the metrics) of every item of a forEach step: the key prefix the items wrote it
 * under (see collected.ts), read by the template as one key-only artifact, which Argo downloads
 * as a directory holding a directory per item.
 */
export const COLLECTED_OUTPUT_SOURCE: ArgoSourceResolver = {
  resolve(c: ArgoCompilation, step: Step, input: string, given: DataSource): ArgoInput | undefined {
    // The model has checked that a source of this kind is a CollectedArtifact.
    const source = given as CollectedArtifact;
    const producer = source.step;
    if (c.graph.node(producer).cache?.isEnabled) {
      const what = isMetrics(source) ? 'the metrics' : `output '${source.name}'`;
      c.problems.push(`step '${step.name}': input '${input}' collects ${what} of every item of '${producer.name}', which is cached; ${ENGINE} replays a cached item's outputs from the run that wrote them, so they are not under this run's keys and cannot be collected; turn caching off for '${producer.name}' (cache: CachePolicy.disabled()) on ${ENGINE}`);
      return undefined;
    }
    return {
      artifact: { name: input, path: inputPath(input), s3: { key: collectedPrefix(producer, source.name, isMetrics(source)) } },
    };
  },
};
