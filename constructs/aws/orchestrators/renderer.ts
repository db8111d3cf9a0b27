import { CfnResource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Pipeline } from '../../../lib/pipeline/pipeline';
import { Schedule } from '../../../lib/pipeline/schedule';
import { DefinitionStorage } from './definition-storage';
import { OrchestratorKind } from './orchestrator-kind';

export * from './orchestrator-kind';

/**
 * What the orchestrator renderers share with MlPipeline. The renderers import this file and
 * nothing of ml-pipeline.ts or orchestrator.ts: no import circle.
 */

/** What MlPipeline gives an orchestrator to render with (its own resources and props). @internal */
export interface OrchestratorContext {
  /** The MlPipeline construct: the renderer creates its resources under it. */
  readonly scope: Construct;
  /** For messages: "MlPipeline 'Stack/Iris'". */
  readonly subject: string;
  /** The model, read again at synth time (it may be edited after the construct was created). */
  readonly pipeline: Pipeline;
  readonly pipelineName: string;
  readonly role: iam.IRole;
  /** True when the role was given (MlPipelineProps.role), so its policy is not ours to write. */
  readonly givenRole: boolean;
  /** The role's ARN, as an L1 attribute where the role is ours (faster to resolve). */
  readonly roleArn: string;
  readonly bucket: s3.IBucket;
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly bucketPrefix: string;
  readonly encryptionKey: kms.IKey;
  readonly definitionStorage: DefinitionStorage;
  readonly createModelPackageGroups: boolean;
  /** MLFLOW_TRACKING_URI of every step. */
  readonly trackingUri?: string;
  /** The schedule prop: renderers that schedule inside the engine (Airflow) read it. */
  readonly schedule?: Schedule;
  /** Airflow only (other renderers reject them in propProblems). */
  readonly catchup?: boolean;
  readonly startDate?: Date;
  readonly maxActiveRuns?: number;
}

/** The MlPipeline props a renderer checks: those that only some engines take. @internal */
export interface EngineSpecificProps {
  readonly pipelineName?: string;
  readonly definitionStorage?: unknown;
  readonly createModelPackageGroups?: boolean;
  readonly alarmTopic?: unknown;
  readonly alarmEmails?: string[];
  readonly catchup?: boolean;
  readonly startDate?: Date;
  readonly maxActiveRuns?: number;
}

/** The compiled document of a rendered pipeline and where it is kept. @internal */
export interface RenderedDocument {
  readonly definition: any;
  readonly storage: DefinitionStorage;
  /** Bytes of template text, as measured for the inline budget. */
  readonly size: number;
}

/** What an orchestrator made for one MlPipeline. @internal */
export interface OrchestratorBinding {
  /**
   * The engine's pipeline resource, made when the construct is created (its content at synth);
   * undefined where the engine has none (Airflow: the DAG is a file in the environment's bucket).
   */
  readonly resource?: CfnResource;
  /** The pipeline's ARN as the engine reports it (lower case for SageMaker; Airflow: the environment's). */
  readonly pipelineArn: string;
  /** ARNs a start permission must cover (SageMaker: the name as written and in lower case). */
  readonly startArns: string[];
  /**
   * Why grantStart, addTrigger and the SageMaker metrics do not apply, when they do not (the
   * message of the synth error they raise); undefined where they do.
   */
  readonly notStartable?: string;
  /**
   * True when the engine reports failed runs as EventBridge events (SageMaker): MlPipeline then
   * makes the alert topic and rule, and runs `schedule` through an EventBridge trigger.
   */
  readonly eventBridgeRuns: boolean;
  /**
   * Creates everything that follows from the pipeline as it is now (definition, permissions,
   * assets, groups, images). Called once, at synth time. Returns the problems found (the model's,
   * the engine's); with problems, nothing is created and CDK validation reports them.
   */
  render(): string[];
  /** The document of the pipeline as it is now: the rendered one after render(), else compiled now. */
  document(): RenderedDocument;
  /** Lets `grantee` read the inference code registered with the pipeline's models (granted at render). */
  grantReadServingCode(grantee: iam.IGrantable): void;
}

/** An orchestrator: checks its own options and binds to an MlPipeline. @internal */
export interface OrchestratorRenderer {
  readonly kind: OrchestratorKind;
  /** Problems with the orchestrator's options (reported when the construct is created). */
  optionProblems(): string[];
  /** Problems with the props that only some engines take, naming the prop, this engine and the fix. */
  propProblems(props: EngineSpecificProps): string[];
  bind(context: OrchestratorContext): OrchestratorBinding;
}
