import { isA } from '../../../pipeline/brand';
import { StepNode } from '../../../pipeline/graph';
import { RegisterModelStep } from '../../../pipeline/steps/register-model-step';
import { Step } from '../../../pipeline/step';
import type { SageMakerCompilation } from '../compile';
import { RegisterModelStepDefinition, StringValue } from '../definition';
import { LIMITS } from '../limits';
import type { MutableRequirements } from '../requirements';
import { SageMakerStepHandler } from './handler';

/**
 * Register-model steps: a RegisterModel step (CreateModelPackage) whose ModelDataUrl is the one
 * model the step reads (a training job's model.tar.gz, or a model at an s3:// URI).
 */
export const REGISTER_MODEL_STEP: SageMakerStepHandler = {
  steps(c: SageMakerCompilation, node: StepNode): RegisterModelStepDefinition[] {
    const step = node.step as RegisterModelStep;
    if (step.description !== undefined && step.description.length > LIMITS.modelPackageDescription) {
      c.problem(step, `description has ${step.description.length} characters, but a SageMaker model package description takes at most ${LIMITS.modelPackageDescription}; shorten it`);
    }
    const resolved = c.resolve(step, 'model', step.model);
    let modelDataUrl: StringValue = '';
    if (resolved?.collected) {
      c.problem(step, `model reads ${step.model}, one model per item of '${resolved.producer?.name}', but a SageMaker RegisterModel step registers one model (ModelDataUrl); register the model of a training step that runs once`);
    } else if (resolved !== undefined) {
      modelDataUrl = resolved.parts[0].uri;
    }
    return [{
      Name: step.name,
      Type: 'RegisterModel',
      ...c.common(step),
      Arguments: {
        ModelPackageGroupName: step.group,
        ...(step.description !== undefined ? { ModelPackageDescription: step.description } : {}),
        InferenceSpecification: {
          Containers: [{
            Image: c.image(step, step.image ?? c.target.defaultInferenceImage ?? c.target.defaultImage),
            ModelDataUrl: modelDataUrl,
            ...inferenceEnvironment(c, step),
          }],
          SupportedContentTypes: [...step.contentTypes],
          SupportedResponseMIMETypes: [...step.responseTypes],
        },
        ModelApprovalStatus: step.approval,
      },
    }];
  },

  requirements(step: Step, into: MutableRequirements): void {
    if (!isA(step, RegisterModelStep)) {
      return;
    }
    into.modelPackageGroups.add(step.group);
    if (step.image === undefined) {
      into.usesDefaultInferenceImage = true;
    } else {
      into.images.add(step.image);
    }
  },
};

/**
 * The serving container's environment for the step's inference code, as the SageMaker Python
 * SDK's framework models set it: the script (SAGEMAKER_PROGRAM), where its sourcedir.tar.gz is
 * (SAGEMAKER_SUBMIT_DIRECTORY), the container's log level, then the user's variables.
 */
function inferenceEnvironment(c: SageMakerCompilation, step: RegisterModelStep): { Environment?: { [name: string]: string } } {
  if (step.inference === undefined) {
    return {};
  }
  if (c.target.inferenceCodeUri === undefined) {
    c.problem(step, "has inference code, but this SageMaker target has no place for it (inferenceCodeUri); compile through aws.MlPipeline, which uploads it as an asset, or leave 'inference' out");
    return {};
  }
  return {
    Environment: {
      SAGEMAKER_PROGRAM: step.inference.entry,
      SAGEMAKER_SUBMIT_DIRECTORY: c.target.inferenceCodeUri(step.inference.code),
      SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
      ...(step.inference.env ?? {}),
    },
  };
}
