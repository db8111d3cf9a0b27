import { DataSourceKind, ExternalData } from '../../pipeline/artifacts';
import { isA } from '../../pipeline/brand';
import { Code } from '../../pipeline/code';
import { ContainerStep } from '../../pipeline/container-step';
import { Pipeline } from '../../pipeline/pipeline';
import { RegisterModelStep } from '../../pipeline/register-model-step';
import { Step, StepKind } from '../../pipeline/step';

/**
 * What the steps of a pipeline need from the construct that deploys it on SageMaker, so the
 * construct grants exactly that without testing step classes.
 */
export interface SageMakerRequirements {
  readonly processingJobs: boolean;
  readonly trainingJobs: boolean;
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

/** One step kind's contribution to the requirements. */
export type RequirementsOf = (step: Step, into: MutableRequirements) => void;

export interface MutableRequirements {
  processingJobs: boolean;
  trainingJobs: boolean;
  modelPackageGroups: Set<string>;
  codes: Set<Code>;
  images: Set<string>;
  usesDefaultImage: boolean;
  usesDefaultInferenceImage: boolean;
  externalS3Uris: Set<string>;
}

const container = (job: 'processingJobs' | 'trainingJobs'): RequirementsOf => (step, into) => {
  const s = step as ContainerStep;
  into[job] = true;
  into.codes.add(s.code);
  if (s.image === undefined) {
    into.usesDefaultImage = true;
  } else {
    into.images.add(s.image);
  }
  for (const source of Object.values(s.inputs())) {
    if (source.sourceKind === DataSourceKind.URI && isA(source, ExternalData) && source.scheme === 's3') {
      into.externalS3Uris.add(source.uri);
    }
  }
};

/** By step kind; a kind missing here has no SageMaker handler either (the compiler reports it). */
export const SAGEMAKER_REQUIREMENTS: { readonly [kind: string]: RequirementsOf } = {
  [StepKind.SCRIPT]: container('processingJobs'),
  [StepKind.TRAINING]: container('trainingJobs'),
  [StepKind.REGISTER_MODEL]: (step, into) => {
    const s = step as RegisterModelStep;
    into.modelPackageGroups.add(s.group);
    if (s.image === undefined) {
      into.usesDefaultInferenceImage = true;
    } else {
      into.images.add(s.image);
    }
  },
  [StepKind.CONDITION]: () => undefined,
  [StepKind.FAIL]: () => undefined,
};

export function sageMakerRequirements(pipeline: Pipeline): SageMakerRequirements {
  const into: MutableRequirements = {
    processingJobs: false,
    trainingJobs: false,
    modelPackageGroups: new Set(),
    codes: new Set(),
    images: new Set(),
    usesDefaultImage: false,
    usesDefaultInferenceImage: false,
    externalS3Uris: new Set(),
  };
  for (const step of pipeline.allSteps()) {
    if (isA(step, Step)) {
      SAGEMAKER_REQUIREMENTS[step.kind]?.(step, into);
    }
  }
  return {
    processingJobs: into.processingJobs,
    trainingJobs: into.trainingJobs,
    modelPackageGroups: [...into.modelPackageGroups].sort(),
    codes: [...into.codes],
    images: [...into.images],
    usesDefaultImage: into.usesDefaultImage,
    usesDefaultInferenceImage: into.usesDefaultInferenceImage,
    externalS3Uris: [...into.externalS3Uris].sort(),
  };
}
