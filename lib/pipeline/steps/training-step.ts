import { ContainerStep, ContainerStepProps } from './container-step';
import { StepKind } from '../step';
import { ArtifactType, StepArtifact } from '../artifacts';
import { brand } from '../brand';

/** The port a training step writes its model to. */
export const MODEL_PORT = 'model';

export type TrainingStepProps = ContainerStepProps;

/**
 * Runs a training script that writes a model to MLOPS_MODEL_DIR. Its metrics are numeric, and it
 * has no outputs besides the model (SageMaker packs the model directory as model.tar.gz).
 */
export class TrainingStep extends ContainerStep {
  public readonly kind: string = StepKind.TRAINING;

  /** @internal use Step.training */
  constructor(name: string, props: TrainingStepProps) {
    super(name, props);
  }

  /** The model this step writes, to pass to an evaluation step or a register-model step. */
  public model(): StepArtifact {
    return new StepArtifact(this, MODEL_PORT, ArtifactType.MODEL);
  }

  public override outputPorts(): { [port: string]: ArtifactType } {
    return { [MODEL_PORT]: ArtifactType.MODEL };
  }
}

brand(TrainingStep, 'cdk-mlops.TrainingStep');
