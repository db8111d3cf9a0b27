import { isA } from '../../../pipeline/brand';
import { CollectedArtifact } from '../../../pipeline/artifacts';
import type { StepNode } from '../../../pipeline/graph';
import { RegisterModelStep } from '../../../pipeline/steps/register-model-step';
import type { AirflowCompilation } from '../compilation';
import { call, PyValue } from '../python';
import { AirflowTask, TaskArguments } from './handler';

/** CreateModelPackage's ModelPackageDescription takes at most 1024 characters. */
const DESCRIPTION_MAX = 1024;

/**
 * A register-model step on the 'sagemaker' executor: a task that creates the model package group
 * if needed and a model version in it (CreateModelPackage through the provider's SageMakerHook),
 * returning its ARN. Not SageMakerRegisterModelVersionOperator: its `extras` (the only way to give
 * the serving container an Environment or other content types) is not templated and replaces the
 * whole InferenceSpecification, so the model's per-run URI could not be in it.
 */
export function sageMakerRegister(c: AirflowCompilation, node: StepNode, variable: string, common: TaskArguments): AirflowTask | undefined {
  const step = node.step as RegisterModelStep;
  const s = c.options.sagemaker!;
  const at = `step '${step.name}'`;
  if (isA(step.model, CollectedArtifact)) {
    c.problems.push(`${at}: model reads ${step.model}, one model per item, but a SageMaker model version registers one model (ModelDataUrl); register the model of a training step that runs once`);
    return undefined;
  }
  const model = c.inputPaths(step).get('model');
  if (model === undefined) {
    return undefined;
  }
  if (step.description !== undefined && step.description.length > DESCRIPTION_MAX) {
    c.problems.push(`${at}: description has ${step.description.length} characters, but a SageMaker model package description takes at most ${DESCRIPTION_MAX}; shorten it`);
  }
  let environment: { [name: string]: PyValue } | undefined;
  if (step.inference !== undefined) {
    if (s.inferenceCodeUri === undefined) {
      c.problems.push(`${at}: has inference code, but the sagemaker options give no place for it (sagemaker.inferenceCodeUri); compile through aws.MlPipeline, which uploads it, or leave 'inference' out`);
      return undefined;
    }
    // As the SageMaker Python SDK's framework models set it: script, sourcedir.tar.gz, log level, then the user's.
    environment = {
      SAGEMAKER_PROGRAM: step.inference.entry,
      SAGEMAKER_SUBMIT_DIRECTORY: s.inferenceCodeUri(step.inference.code),
      SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
      ...(step.inference.env ?? {}),
    };
  }
  const servingImage = step.image ?? s.defaultInferenceImage ?? s.defaultImage;
  c.useSageMaker({ image: servingImage, modelPackageGroup: step.group });
  const request: { [key: string]: PyValue } = {
    ModelPackageGroupName: step.group,
    ...(step.description !== undefined ? { ModelPackageDescription: step.description } : {}),
    InferenceSpecification: {
      Containers: [{
        Image: servingImage,
        ModelDataUrl: model,
        ...(environment !== undefined ? { Environment: environment } : {}),
      }],
      SupportedContentTypes: [...step.contentTypes],
      SupportedResponseMIMETypes: [...step.responseTypes],
    },
    ModelApprovalStatus: step.approval,
  };
  return {
    code: `    ${variable} = ${call('register_model_version.override', common, '    ')}${call('', [['request', request]], '    ')}`,
    helpers: ['register_model_version'],
  };
}
