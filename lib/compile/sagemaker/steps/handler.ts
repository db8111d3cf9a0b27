import type { ArtifactType } from '../../../pipeline/artifacts';
import type { StepNode } from '../../../pipeline/graph';
import type { Step } from '../../../pipeline/step';
import type { Copy, SageMakerCompilation } from '../compile';
import type { ExpressionOrScalar, StepDefinition } from '../definition';
import type { MutableRequirements } from '../requirements';
import type { SourcePart } from '../sources/resolver';

/** How SageMaker runs one step kind. */
export interface SageMakerStepHandler {
  /** The SageMaker steps the node's step becomes (a forEach step: one per item). */
  steps(c: SageMakerCompilation, node: StepNode): StepDefinition[];
  /**
   * Where one copy of the step wrote port `port` (METRICS_PORT with type METRICS: its metrics), for
   * the steps that read it; undefined when the kind has no such port on SageMaker.
   */
  output?(c: SageMakerCompilation, producer: Step, copy: Copy, port: string, type: ArtifactType): Omit<SourcePart, 'item'> | undefined;
  /** A metric of the step as a condition reads it. */
  metric?(c: SageMakerCompilation, producer: Step, name: string): ExpressionOrScalar | undefined;
  /** What the step needs from the construct that deploys it (jobs, images, code, registries). */
  requirements?(step: Step, into: MutableRequirements): void;
}
