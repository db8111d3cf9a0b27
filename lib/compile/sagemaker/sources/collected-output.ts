import { CollectedArtifact, DataSource } from '../../../pipeline/artifacts';
import { isA } from '../../../pipeline/brand';
import { Step } from '../../../pipeline/step';
import type { SageMakerCompilation } from '../compile';
import { ResolvedSource, SageMakerSourceResolver, SourcePart } from './resolver';

/**
 * One port (or the metrics) of every item of a forEach step. The fan-out is unrolled at synth
 * time into one SageMaker step per item, so the collection is one location per item, each
 * given by the producer's kind handler; the reader lays them out as a directory per item.
 */
export const COLLECTED_OUTPUT_SOURCE: SageMakerSourceResolver = {
  resolve(c: SageMakerCompilation, reader: Step, input: string, source: DataSource): ResolvedSource | undefined {
    if (!isA(source, CollectedArtifact)) {
      c.problem(reader, `input '${input}' reads ${source}, of kind '${source.sourceKind}' but not a collected output (CollectedArtifact); SageMaker reads this kind only from forEachStep.collect(...) and .collectMetrics()`);
      return undefined;
    }
    const parts: SourcePart[] = [];
    for (const copy of c.copiesOf(source.producer)) {
      const part = copy.item === undefined ? undefined : c.outputOf(reader, input, source, copy);
      if (part === undefined) {
        return undefined;
      }
      parts.push({ ...part, item: copy.item });
    }
    return { collected: true, parts, producer: source.producer };
  },
};
