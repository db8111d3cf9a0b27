import { DataSource, StepArtifact } from '../../../pipeline/artifacts';
import { Step } from '../../../pipeline/step';
import type { SageMakerCompilation } from '../compile';
import { ResolvedSource, SageMakerSourceResolver } from './resolver';

/**
 * An output port of a step that runs once. Where the data lives is the producer's business: its
 * kind's handler gives the location of the port (a processing output's S3Uri, a training job's
 * ModelArtifacts).
 */
export const STEP_OUTPUT_SOURCE: SageMakerSourceResolver = {
  resolve(c: SageMakerCompilation, reader: Step, input: string, given: DataSource): ResolvedSource | undefined {
    // The model has checked that a source of this kind is a StepArtifact.
    const source = given as StepArtifact;
    const part = c.outputOf(reader, input, source, c.copiesOf(source.step)[0]);
    return part && { collected: false, parts: [part], producer: source.step };
  },
};
