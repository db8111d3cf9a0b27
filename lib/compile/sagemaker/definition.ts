/**
 * Types of a SageMaker Pipelines definition (schema version 2020-12-01). Step arguments are the
 * SageMaker API request types of @aws-sdk/client-sagemaker, minus the fields the pipeline service
 * fills in itself, with every scalar also allowed to be a pipeline expression (Get, Std:Join,
 * Std:JsonGet). A misspelt or misplaced field is therefore a TypeScript error.
 */
import type {
  CreateHyperParameterTuningJobRequest,
  CreateModelPackageInput,
  CreateProcessingJobRequest,
  CreateTrainingJobRequest,
} from '@aws-sdk/client-sagemaker';

export const DEFINITION_VERSION = '2020-12-01';

/** A value SageMaker resolves when the pipeline runs. */
export type PipelineExpression =
  | { readonly Get: string }
  | { readonly 'Std:Join': { readonly On: string; readonly Values: ExpressionOrScalar[] } }
  | { readonly 'Std:JsonGet': { readonly PropertyFile: { readonly Get: string }; readonly Path: string } };

export type ExpressionOrScalar = string | number | boolean | PipelineExpression;

/** A string, or an expression that gives one when the pipeline runs. */
export type StringValue = string | PipelineExpression;

/** `T` with every string, number and boolean field also accepting a pipeline expression. */
export type WithExpressions<T> = T extends string | number | boolean
  ? T | PipelineExpression
  : T extends Date
    ? T
    : T extends (infer U)[]
      ? WithExpressions<U>[]
      : T extends object
        ? { [K in keyof T]: WithExpressions<T[K]> }
        : T;

/** Fields the pipeline service sets on the jobs and packages it creates. */
export type ProcessingStepArguments = WithExpressions<Omit<CreateProcessingJobRequest, 'ProcessingJobName' | 'ExperimentConfig' | 'Tags'>>;
export type TrainingStepArguments = WithExpressions<Omit<CreateTrainingJobRequest, 'TrainingJobName' | 'ExperimentConfig' | 'Tags'>>;
/** A Tuning step's job: one training job definition (not the list form), no warm start. */
export type TuningStepArguments = WithExpressions<Omit<CreateHyperParameterTuningJobRequest, 'HyperParameterTuningJobName' | 'Tags' | 'TrainingJobDefinitions' | 'WarmStartConfig' | 'Autotune'>>;
/** The SageMaker SDK leaves these out of RegisterModel steps: the service sets or rejects them. */
export type RegisterModelStepArguments = WithExpressions<Omit<CreateModelPackageInput, 'ModelPackageName' | 'CertifyForMarketplace' | 'ClientToken' | 'Tags'>>;

export type ParameterType = 'String' | 'Integer' | 'Float' | 'Boolean';

export interface PipelineParameterDefinition {
  readonly Name: string;
  readonly Type: ParameterType;
  readonly DefaultValue?: string | number | boolean;
  /** String parameters only: the values a run may pass. */
  readonly EnumValues?: string[];
}

export type StepExceptionType =
  | 'Step.SERVICE_FAULT'
  | 'Step.THROTTLING'
  | 'SageMaker.JOB_INTERNAL_ERROR'
  | 'SageMaker.CAPACITY_ERROR'
  | 'SageMaker.RESOURCE_LIMIT';

export interface RetryPolicyDefinition {
  readonly ExceptionType: StepExceptionType[];
  readonly IntervalSeconds: number;
  readonly BackoffRate: number;
  readonly MaxAttempts: number;
}

export interface CacheConfigDefinition {
  readonly Enabled: boolean;
  /** ISO 8601 duration, e.g. 'PT24H'. Without it a cached result does not expire. */
  readonly ExpireAfter?: string;
}

export interface PropertyFileDefinition {
  readonly PropertyFileName: string;
  readonly OutputName: string;
  readonly FilePath: string;
}

interface StepBase {
  readonly Name: string;
  readonly Description?: string;
  readonly DependsOn?: string[];
}

export interface ProcessingStepDefinition extends StepBase {
  readonly Type: 'Processing';
  readonly Arguments: ProcessingStepArguments;
  readonly PropertyFiles?: PropertyFileDefinition[];
  readonly CacheConfig?: CacheConfigDefinition;
  readonly RetryPolicies?: RetryPolicyDefinition[];
}

export interface TrainingStepDefinition extends StepBase {
  readonly Type: 'Training';
  readonly Arguments: TrainingStepArguments;
  readonly CacheConfig?: CacheConfigDefinition;
  readonly RetryPolicies?: RetryPolicyDefinition[];
}

export interface TuningStepDefinition extends StepBase {
  readonly Type: 'Tuning';
  readonly Arguments: TuningStepArguments;
  readonly CacheConfig?: CacheConfigDefinition;
  readonly RetryPolicies?: RetryPolicyDefinition[];
}

export interface RegisterModelStepDefinition extends StepBase {
  readonly Type: 'RegisterModel';
  readonly Arguments: RegisterModelStepArguments;
}

export interface FailStepDefinition extends StepBase {
  readonly Type: 'Fail';
  readonly Arguments: { readonly ErrorMessage: ExpressionOrScalar };
}

export interface ConditionStepDefinition extends StepBase {
  readonly Type: 'Condition';
  readonly Arguments: {
    /** All must hold (SageMaker has no explicit And). */
    readonly Conditions: ConditionDefinition[];
    readonly IfSteps: StepDefinition[];
    readonly ElseSteps: StepDefinition[];
  };
}

export type StepDefinition =
  | ProcessingStepDefinition
  | TrainingStepDefinition
  | TuningStepDefinition
  | RegisterModelStepDefinition
  | FailStepDefinition
  | ConditionStepDefinition;

export type ComparisonType = 'Equals' | 'GreaterThan' | 'GreaterThanOrEqualTo' | 'LessThan' | 'LessThanOrEqualTo';

export type ConditionDefinition =
  | { readonly Type: ComparisonType; readonly LeftValue: ExpressionOrScalar; readonly RightValue: ExpressionOrScalar }
  | { readonly Type: 'In'; readonly QueryValue: ExpressionOrScalar; readonly Values: ExpressionOrScalar[] }
  | { readonly Type: 'Not'; readonly Condition: ConditionDefinition }
  | { readonly Type: 'Or'; readonly Conditions: ConditionDefinition[] };

/** The document CreatePipeline takes as PipelineDefinition (serialised as JSON). */
export interface SageMakerPipelineDefinition {
  readonly Version: typeof DEFINITION_VERSION;
  readonly Metadata: Record<string, never>;
  readonly Parameters: PipelineParameterDefinition[];
  readonly Steps: StepDefinition[];
}
