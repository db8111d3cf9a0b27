import { show } from '../errors';
import { Step, StepKind, StepOptions } from '../step';
import { ArtifactType, DataSource, DataSourceKind, StepArtifact } from '../artifacts';
import { brand } from '../brand';
import { InferenceCode, inferenceCodeProblems } from '../inference-code';

/** The approval status a newly registered model version gets. */
export enum ModelApproval {
  APPROVED = 'Approved',
  PENDING_MANUAL_APPROVAL = 'PendingManualApproval',
}

export interface RegisterModelStepProps extends StepOptions {
  /** The model to register: a training step's `model()`. */
  readonly model: DataSource;
  /** The model group (registry name) the new version goes into. */
  readonly group: string;
  /** @default ModelApproval.PENDING_MANUAL_APPROVAL */
  readonly approval?: ModelApproval;
  /** The inference image that serves the model. @default the engine's scikit-learn image */
  readonly image?: string;
  /** @default ['text/csv'] */
  readonly contentTypes?: string[];
  /** @default ['text/csv'] */
  readonly responseTypes?: string[];
  /**
   * The code that serves the model, registered with it: on SageMaker the model package's
   * container gets it as `SAGEMAKER_PROGRAM`/`SAGEMAKER_SUBMIT_DIRECTORY`, on Kubernetes and locally
   * the registry entry holds it, and `mlops serve <group> --local` runs it.
   * @default none: the image must serve the model on its own
   */
  readonly inference?: InferenceCode;
}

/** The port a register step exposes the registered version on. */
export const VERSION_PORT = 'version';

/** Model package group names: SageMaker's rule, which the local registry and K8s engines share. */
const GROUP_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** Adds the model as a new version to a model registry group. */
export class RegisterModelStep extends Step {
  public readonly kind: string = StepKind.REGISTER_MODEL;
  public readonly model: DataSource;
  public readonly group: string;
  public readonly approval: ModelApproval;
  public readonly image?: string;
  public readonly contentTypes: string[];
  public readonly responseTypes: string[];
  public readonly inference?: InferenceCode;

  /** @internal use Step.registerModel */
  constructor(name: string, props: RegisterModelStepProps) {
    super(name, props);
    this.model = props.model;
    this.group = props.group;
    this.approval = props.approval ?? ModelApproval.PENDING_MANUAL_APPROVAL;
    this.image = props.image;
    this.contentTypes = [...(props.contentTypes ?? ['text/csv'])];
    this.responseTypes = [...(props.responseTypes ?? ['text/csv'])];
    this.inference = props.inference && { ...props.inference, env: props.inference.env && { ...props.inference.env } };
  }

  public override inputs(): { [name: string]: DataSource } {
    return { model: this.model };
  }

  public override inputTypes(): { [name: string]: ArtifactType[] } {
    return { model: [ArtifactType.MODEL] };
  }

  public override outputPorts(): { [port: string]: ArtifactType } {
    return { [VERSION_PORT]: ArtifactType.REGISTERED_MODEL_VERSION };
  }

  /** The model version this step registers, for a later step that deploys or promotes it. */
  public version(): StepArtifact {
    return new StepArtifact(this, VERSION_PORT, ArtifactType.REGISTERED_MODEL_VERSION);
  }

  public problems(): string[] {
    const problems: string[] = [];
    if (!DataSource.isDataSource(this.model)) {
      problems.push(`model is ${show(this.model)}, which is not a model; pass a training step's model(), e.g. { model: train.model() }`);
    } else if (this.model.sourceKind === DataSourceKind.COLLECTED_OUTPUT) {
      problems.push(`model is ${this.model}, the models of every forEach item, but a register step registers one model; register the model of a training step that runs once (e.g. one that reads the collection and writes the chosen model), or register inside each item`);
    }
    if (typeof this.group !== 'string' || !GROUP_NAME.test(this.group)) {
      problems.push(`group ${show(this.group)} is invalid (allowed: letters, digits and '-', starting and ending with a letter or digit, max 63 chars); e.g. 'iris-models'`);
    }
    if (!Object.values(ModelApproval).includes(this.approval)) {
      problems.push(`approval ${show(this.approval)} is invalid (allowed: ${Object.values(ModelApproval).join(', ')})`);
    }
    if (this.contentTypes.length === 0 || this.responseTypes.length === 0) {
      problems.push('contentTypes and responseTypes need at least one MIME type each, e.g. text/csv');
    }
    if (this.inference !== undefined) {
      problems.push(...inferenceCodeProblems(this.inference));
    }
    return problems;
  }
}

brand(RegisterModelStep, 'cdk-mlops.RegisterModelStep');
