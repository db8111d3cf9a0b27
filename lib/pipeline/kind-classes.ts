import { CollectedArtifact, DataSource, DataSourceKind, ExternalData, StepArtifact } from './artifacts';
import { isA } from './brand';
import { FEATURE_SNAPSHOT_KIND, FeatureSnapshot } from './feature-snapshot';
import { Step, StepKind } from './step';
import { ConditionStep } from './steps/condition-step';
import { FailStep } from './steps/fail-step';
import { RegisterModelStep } from './steps/register-model-step';
import { ScriptStep } from './steps/script-step';
import { TrainingStep } from './steps/training-step';
import { TuneStep } from './steps/tune-step';

type AnyClass = { readonly prototype: object; readonly name: string };

/**
 * The class each built-in kind belongs to. Every engine's handler for a built-in kind reads that
 * class's fields, so a step or source that claims the kind without being of the class is refused
 * here, once, rather than by each engine. Kinds of other packages are free.
 */
const STEP_CLASSES: { readonly [kind: string]: AnyClass } = {
  [StepKind.SCRIPT]: ScriptStep,
  [StepKind.TRAINING]: TrainingStep,
  [StepKind.CONDITION]: ConditionStep,
  [StepKind.REGISTER_MODEL]: RegisterModelStep,
  [StepKind.FAIL]: FailStep,
  [StepKind.TUNE]: TuneStep,
};

const SOURCE_CLASSES: { readonly [kind: string]: AnyClass } = {
  [DataSourceKind.STEP_OUTPUT]: StepArtifact,
  [DataSourceKind.COLLECTED_OUTPUT]: CollectedArtifact,
  [DataSourceKind.URI]: ExternalData,
  [FEATURE_SNAPSHOT_KIND]: FeatureSnapshot,
};

/** A problem when `step` claims a built-in kind without being of its class (prefix: the step). */
export function stepKindProblem(step: Step): string | undefined {
  const cls = Object.prototype.hasOwnProperty.call(STEP_CLASSES, step.kind) ? STEP_CLASSES[step.kind] : undefined;
  if (cls === undefined || belongs(step, cls)) {
    return undefined;
  }
  return `claims the built-in kind '${step.kind}', which belongs to ${cls.name}, but is a ${step.constructor.name}; extend ${cls.name}, or give the step a kind of its own`;
}

/** A problem when `source` claims a built-in source kind without being of its class (prefix: the input). */
export function sourceKindProblem(source: DataSource): string | undefined {
  const cls = Object.prototype.hasOwnProperty.call(SOURCE_CLASSES, source.sourceKind) ? SOURCE_CLASSES[source.sourceKind] : undefined;
  if (cls === undefined || belongs(source, cls)) {
    return undefined;
  }
  return `reads ${source}, which claims the built-in source kind '${source.sourceKind}', which belongs to ${cls.name}, but is a ${source.constructor.name}; extend ${cls.name}, or give the source a kind of its own`;
}

/** isA without narrowing, so the caller can still name the value's class when it does not belong. */
function belongs(value: object, cls: AnyClass): boolean {
  return isA(value, cls);
}
