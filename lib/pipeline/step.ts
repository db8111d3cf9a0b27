import type { ConditionStep, ConditionStepProps } from './condition-step';
import type { FailStep, FailStepProps } from './fail-step';
import type { RegisterModelStep, RegisterModelStepProps } from './register-model-step';
import type { ScriptStep, ScriptStepProps } from './script-step';
import type { TrainingStep, TrainingStepProps } from './training-step';
import { DataSource, Value, ValueType } from './values';

/** What a step does. Compilers switch on it; a kind an engine does not know is a synth-time error. */
export enum StepKind {
  SCRIPT = 'script',
  TRAINING = 'training',
  CONDITION = 'condition',
  REGISTER_MODEL = 'register-model',
  FAIL = 'fail',
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
  /** Runs a script on a container: extract, transform, evaluate, ... (SageMaker: a Processing job). */
  public static script(name: string, props: ScriptStepProps): ScriptStep {
    const { ScriptStep: Kind } = require('./script-step') as typeof import('./script-step');
    return new Kind(name, props);
  }

  /** Runs a training script that writes a model (SageMaker: a Training job). */
  public static training(name: string, props: TrainingStepProps): TrainingStep {
    const { TrainingStep: Kind } = require('./training-step') as typeof import('./training-step');
    return new Kind(name, props);
  }

  /** Runs `then` or `otherwise` depending on a condition evaluated at run time. */
  public static condition(name: string, props: ConditionStepProps): ConditionStep {
    const { ConditionStep: Kind } = require('./condition-step') as typeof import('./condition-step');
    return new Kind(name, props);
  }

  /** Registers a trained model as a new version in a model registry group. */
  public static registerModel(name: string, props: RegisterModelStepProps): RegisterModelStep {
    const { RegisterModelStep: Kind } = require('./register-model-step') as typeof import('./register-model-step');
    return new Kind(name, props);
  }

  /** Stops the run as failed with a message. */
  public static fail(name: string, props: FailStepProps): FailStep {
    const { FailStep: Kind } = require('./fail-step') as typeof import('./fail-step');
    return new Kind(name, props);
  }

  public abstract readonly kind: StepKind;
  public readonly description?: string;
  private readonly explicitDependencies: Step[];

  protected constructor(public readonly name: string, options: StepOptions) {
    this.description = options.description;
    this.explicitDependencies = [...(options.dependsOn ?? [])];
  }

  /** Steps named in `dependsOn`. */
  public get dependsOn(): readonly Step[] {
    return this.explicitDependencies;
  }

  public addDependsOn(...steps: Step[]): void {
    this.explicitDependencies.push(...steps);
  }

  /** The data this step reads, by input name. */
  public inputs(): { [name: string]: DataSource } {
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
