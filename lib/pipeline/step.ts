import type { ConditionStep, ConditionStepProps } from './steps/condition-step';
import type { FailStep, FailStepProps } from './steps/fail-step';
import type { RegisterModelStep, RegisterModelStepProps } from './steps/register-model-step';
import type { ScriptStep, ScriptStepProps } from './steps/script-step';
import type { TrainingStep, TrainingStepProps } from './steps/training-step';
import type { TuneStep, TuneStepProps } from './steps/tune-step';
import { ArtifactType, DataSource, DIRECTORY_TYPES } from './artifacts';
import { brand, isA } from './brand';
import { Value, ValueType } from './values';

/**
 * The kinds of step this package defines. A kind is a string owned by its step file; a step class
 * of another package may use its own. Every engine dispatches on the kind through a handler
 * table, and a kind an engine has no handler for is a synth-time error.
 */
export enum StepKind {
  SCRIPT = 'script',
  TRAINING = 'training',
  CONDITION = 'condition',
  REGISTER_MODEL = 'register-model',
  FAIL = 'fail',
  TUNE = 'tune',
}

export interface StepOptions {
  readonly description?: string;
  /** Steps that must finish first, besides those whose outputs, model or metrics this step reads. */
  readonly dependsOn?: Step[];
}

/**
 * A node of a pipeline. Create steps with the static factories and add top-level ones with
 * `pipeline.addStep(...)`; steps inside a condition's branches are added by the condition.
 */
export abstract class Step {
  /** True for a Step from any copy of cdk-mlops. */
  public static isStep(x: unknown): x is Step {
    return isA(x, Step);
  }

  // The factories take missing props (JavaScript callers) as empty ones: validation then names what is missing.

  /** Runs a script on a container: extract, transform, evaluate, ... (SageMaker: a Processing job). */
  public static script(name: string, props: ScriptStepProps): ScriptStep {
    const { ScriptStep: Kind } = require('./steps/script-step') as typeof import('./steps/script-step');
    return new Kind(name, props ?? ({} as ScriptStepProps));
  }

  /** Runs a training script that writes a model (SageMaker: a Training job). */
  public static training(name: string, props: TrainingStepProps): TrainingStep {
    const { TrainingStep: Kind } = require('./steps/training-step') as typeof import('./steps/training-step');
    return new Kind(name, props ?? ({} as TrainingStepProps));
  }

  /** Runs `then` or `otherwise` depending on a condition evaluated at run time. */
  public static condition(name: string, props: ConditionStepProps): ConditionStep {
    const { ConditionStep: Kind } = require('./steps/condition-step') as typeof import('./steps/condition-step');
    return new Kind(name, props ?? ({} as ConditionStepProps));
  }

  /** Registers a trained model as a new version in a model registry group. */
  public static registerModel(name: string, props: RegisterModelStepProps): RegisterModelStep {
    const { RegisterModelStep: Kind } = require('./steps/register-model-step') as typeof import('./steps/register-model-step');
    return new Kind(name, props ?? ({} as RegisterModelStepProps));
  }

  /**
   * Hyperparameter tuning: runs a training step as trials over a search space and hands on the
   * best trial's model, hyperparameters and objective metric (Katib, SageMaker tuning, local search).
   */
  public static tune(name: string, props: TuneStepProps): TuneStep {
    const { TuneStep: Kind } = require('./steps/tune-step') as typeof import('./steps/tune-step');
    return new Kind(name, props ?? ({} as TuneStepProps));
  }

  /** Stops the run as failed with a message. */
  public static fail(name: string, props: FailStepProps): FailStep {
    const { FailStep: Kind } = require('./steps/fail-step') as typeof import('./steps/fail-step');
    return new Kind(name, props ?? ({} as FailStepProps));
  }

  /** What the step does ('script', 'training', ...): engines look up their handler by it. */
  public abstract readonly kind: string;
  public readonly description?: string;
  private readonly explicitDependencies: Step[];

  protected constructor(public readonly name: string, options: StepOptions) {
    this.description = options.description;
    this.explicitDependencies = [...(options.dependsOn ?? [])];
  }

  /** Steps named in `dependsOn`. */
  public get dependsOn(): Step[] {
    return [...this.explicitDependencies];
  }

  public addDependsOn(...steps: Step[]): void {
    this.explicitDependencies.push(...steps);
  }

  /** The data this step reads, by input name. */
  public inputs(): { [name: string]: DataSource } {
    return {};
  }

  /** The types each input accepts; by default any directory (dataset, model or metrics). */
  public inputTypes(): { [name: string]: ArtifactType[] } {
    return Object.fromEntries(Object.keys(this.inputs()).map((name) => [name, [...DIRECTORY_TYPES]]));
  }

  /** The ports this step writes, by port name, with their types. */
  public outputPorts(): { [port: string]: ArtifactType } {
    return {};
  }

  /** The parameters, metrics and literals this step reads. */
  public values(): Value[] {
    return [];
  }

  /** Steps nested in this one (a condition's branches). */
  public children(): Step[] {
    return [];
  }

  /** The type of metric `name` when this step reports it. */
  public metricType(_name: string): ValueType | undefined {
    return undefined;
  }

  /** Problems of this step on its own, each without the step's name. */
  public abstract problems(): string[];

  public toString(): string {
    return `${this.kind} step '${this.name}'`;
  }
}

brand(Step, 'cdk-mlops.Step');
