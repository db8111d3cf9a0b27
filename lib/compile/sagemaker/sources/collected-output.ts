import { CollectedArtifact, DataSource } from '../../../pipeline/artifacts';
import { Step } from '../../../pipeline/step';
import type { SageMakerCompilation } from '../compile';
import { ResolvedSource, SageMakerSourceResolver, SourcePart } from './resolver';

/**
 * One port (or the metrics) of every item of a forEach step. The fan-out is unrolled at synth
 * time into one SageMaker step per item, so the collection is one location per item, each
 * given by the producer's kind handler; the reader lays them out as a directory per item.
 */
export const COLLECTED_OUTPUT_SOURCE: SageMakerSourceResolver = {
  resolve(c: SageMakerCompilation, reader: Step, input: string, given: DataSource): ResolvedSource | undefined {
    // The model has checked that a source of this kind is a CollectedArtifact.
    const source = given as CollectedArtifact;
    const parts: SourcePart[] = [];
    for (const copy of c.copiesOf(source.step)) {
      const part = copy.item === undefined ? undefined : c.outputOf(reader, input, source, copy);
      if (part === undefined) {
        return undefined;
      }
      parts.push({ ...part, item: copy.item });
    }
    return { collected: true, parts, producer: source.step };
  },
};
