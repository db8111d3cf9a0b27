import { Step, StepKind, StepOptions } from '../step';
import { brand } from '../brand';

export interface FailStepProps extends StepOptions {
  /** Why the run failed, shown by every engine. */
  readonly message: string;
}

/** Ends the run as failed with a message, typically in a condition's `otherwise` branch. */
export class FailStep extends Step {
  public readonly kind: string = StepKind.FAIL;
  public readonly message: string;

  /** @internal use Step.fail */
  constructor(name: string, props: FailStepProps) {
    super(name, props);
    this.message = props.message;
  }

  public problems(): string[] {
    if (typeof this.message !== 'string' || this.message.trim() === '') {
      return ["message is empty; say why the run fails, e.g. 'accuracy below threshold'"];
    }
    return [];
  }
}

brand(FailStep, 'cdk-mlops.FailStep');
