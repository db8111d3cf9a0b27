import { Code } from '../../pipeline/code';
import { Pipeline } from '../../pipeline/pipeline';
import { Step } from '../../pipeline/step';
import { SAGEMAKER_STEPS } from './steps';

/**
 * What the steps of a pipeline need from the construct that deploys it on SageMaker, so the
 * construct grants exactly that without testing step classes.
 */
export interface SageMakerRequirements {
  readonly processingJobs: boolean;
  readonly trainingJobs: boolean;
  /** Hyperparameter tuning jobs (their trials are training jobs: trainingJobs is true too). */
  readonly tuningJobs: boolean;
  /** The code of tuning trials, shipped as tarballs with the launcher (SageMakerTarget.trialCodeUri), in first-use order. */
  readonly trialCodes: Code[];
  /** Model package groups the pipeline registers versions in, sorted. */
  readonly modelPackageGroups: string[];
  /** The distinct code directories the steps ship, in first-use order. */
  readonly codes: Code[];
  /** Images the steps name themselves (the rest run the default image), in first-use order. */
  readonly images: string[];
  /** True when some step runs the default image. */
  readonly usesDefaultImage: boolean;
  /** True when some register step serves its model with the default inference image. */
  readonly usesDefaultInferenceImage: boolean;
  /** s3:// URIs the steps read (DataSource.fromUri), sorted. */
  readonly externalS3Uris: string[];
}

/** One step kind's contribution to the requirements (SageMakerStepHandler.requirements). */
export type RequirementsOf = (step: Step, into: MutableRequirements) => void;

export interface MutableRequirements {
  processingJobs: boolean;
  trainingJobs: boolean;
  tuningJobs: boolean;
  trialCodes: Set<Code>;
  modelPackageGroups: Set<string>;
  codes: Set<Code>;
  images: Set<string>;
  usesDefaultImage: boolean;
  usesDefaultInferenceImage: boolean;
  externalS3Uris: Set<string>;
}

/** Each step's requirements, from its kind's handler in SAGEMAKER_STEPS (a kind without one needs nothing: the compiler refuses it). */
export function sageMakerRequirements(pipeline: Pipeline): SageMakerRequirements {
  const into: MutableRequirements = {
    processingJobs: false,
    trainingJobs: false,
    tuningJobs: false,
    trialCodes: new Set(),
    modelPackageGroups: new Set(),
    codes: new Set(),
    images: new Set(),
    usesDefaultImage: false,
    usesDefaultInferenceImage: false,
    externalS3Uris: new Set(),
  };
  for (const step of pipeline.allSteps()) {
    if (Step.isStep(step) && Object.prototype.hasOwnProperty.call(SAGEMAKER_STEPS, step.kind)) {
      SAGEMAKER_STEPS[step.kind].requirements?.(step, into);
    }
  }
  return {
    processingJobs: into.processingJobs,
    trainingJobs: into.trainingJobs,
    tuningJobs: into.tuningJobs,
    trialCodes: [...into.trialCodes],
    modelPackageGroups: [...into.modelPackageGroups].sort(),
    codes: [...into.codes],
    images: [...into.images],
    usesDefaultImage: into.usesDefaultImage,
    usesDefaultInferenceImage: into.usesDefaultInferenceImage,
    externalS3Uris: [...into.externalS3Uris].sort(),
  };
}
