import { ContainerStep, ContainerStepProps } from './container-step';
import { StepKind } from './step';
import { StepArtifact } from './values';

export type TrainingStepProps = ContainerStepProps;

/**
 * Runs a training script that writes a model to MLOPS_MODEL_DIR. Its metrics are numeric, and it
 * has no outputs besides the model (SageMaker packs the model directory as model.tar.gz).
 */
export class TrainingStep extends ContainerStep {
  public readonly kind = StepKind.TRAINING;

  /** @internal use Step.training */
  constructor(name: string, props: TrainingStepProps) {
    super(name, props);
  }

  /** The model this step writes, to pass to an evaluation step or a register-model step. */
  public model(): StepArtifact {
    return new StepArtifact(this, 'model', true);
  }
}
