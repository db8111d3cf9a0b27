import { Annotations, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { compileSageMaker } from '../../../lib/compile/sagemaker/compile';
import { SageMakerPipelineDefinition } from '../../../lib/compile/sagemaker/definition';
import { SageMakerRequirements, sageMakerRequirements } from '../../../lib/compile/sagemaker/requirements';
import { isA } from '../../../lib/pipeline/brand';
import { PipelineValidationError, show } from '../../../lib/pipeline/errors';
import { pipelineImageWarnings } from '../../../lib/pipeline/image-warnings';
import { PIPELINE_NAME } from '../../../lib/pipeline/names';
import { imageWarnings } from '../../../lib/pipeline/images';
import { CodeAssets } from '../code-assets';
import { DefaultImage, defaultImage } from '../default-image';
import { SageMakerOrchestratorOptions } from './sagemaker-options';
import { chooseStorage, storeDefinition } from './definition-storage';
import { foreignPropProblems } from './engine-props';
import { RenderingBinding } from './rendering-binding';
import { EngineSpecificProps, OrchestratorBinding, OrchestratorContext, OrchestratorKind, OrchestratorRenderer, RenderedDocument } from './renderer';
import { claimPipelineName, pipelineNameProblems, planModelPackageGroups, provideModelPackageGroups } from './sagemaker-names';
import { grantExecution, imagePermissions } from './sagemaker-permissions';


/** Renders an MlPipeline on SageMaker Pipelines. @internal */
export class SageMakerRenderer implements OrchestratorRenderer {
  public readonly kind = OrchestratorKind.SAGEMAKER;

  constructor(public readonly options: SageMakerOrchestratorOptions) {}

  public optionProblems(): string[] {
    const parallel = this.options.maxParallelSteps;
    if (parallel !== undefined && (!Number.isSafeInteger(parallel) || parallel < 1)) {
      return [`Orchestrator.sageMaker maxParallelSteps ${show(parallel)} is invalid (allowed: a whole number >= 1)`];
    }
    return [];
  }

  public propProblems(props: EngineSpecificProps): string[] {
    const problems = foreignPropProblems('Orchestrator.sageMaker()', props, ['catchup', 'startDate', 'maxActiveRuns'],
      'remove it (a SageMaker schedule starts one execution per tick, with no data interval), or use Orchestrator.airflow(environment)');
    const name = props.pipelineName;
    if (name !== undefined && !Token.isUnresolved(name) && !PIPELINE_NAME.pattern.test(name)) {
      problems.push(`pipelineName ${show(name)} is invalid for SageMaker (allowed: ${PIPELINE_NAME.allowed}); e.g. ${show(name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'pipeline')}`);
    }
    return problems;
  }

  public bind(context: OrchestratorContext): OrchestratorBinding {
    return new SageMakerBinding(context, this.options);
  }
}

interface Rendered extends RenderedDocument {
  readonly property: object;
}

/**
 * One MlPipeline on SageMaker: the AWS::SageMaker::Pipeline is made with the construct, and its
 * definition, the execution policy, the code assets, the model package groups and the image
 * permissions at synth time, from the pipeline as it is then.
 */
class SageMakerBinding extends RenderingBinding<Rendered> implements OrchestratorBinding {
  public readonly resource: sagemaker.CfnPipeline;
  public readonly pipelineArn: string;
  public readonly startArns: string[];
  public readonly eventBridgeRuns = true;

  constructor(private readonly context: OrchestratorContext, private readonly options: SageMakerOrchestratorOptions) {
    // Assets are made as the compiler asks for code locations, i.e. only once the model is valid.
    super(new CodeAssets(context.scope, 'StepCode'));
    const stack = Stack.of(context.scope);
    const name = context.pipelineName;
    const names = Token.isUnresolved(name) ? [name] : [...new Set([name.toLowerCase(), name])];
    this.startArns = names.map((n) => stack.formatArn({ service: 'sagemaker', resource: 'pipeline', resourceName: n }));
    this.pipelineArn = this.startArns[0];
    this.resource = new sagemaker.CfnPipeline(context.scope, 'Resource', {
      pipelineName: name,
      pipelineDescription: context.pipeline.description,
      roleArn: context.roleArn,
      // Untyped in the L1, so CloudFormation's own key names. Filled in by render(); with
      // problems, validation stops synthesis before the template is written.
      pipelineDefinition: Lazy.any({ produce: () => this.rendered?.property }),
      parallelismConfiguration: options.maxParallelSteps !== undefined ? { MaxParallelExecutionSteps: options.maxParallelSteps } : undefined,
    });
    claimPipelineName(context);
  }

  public document(): RenderedDocument {
    if (this.rendered) {
      return this.rendered;
    }
    const requirements = sageMakerRequirements(this.context.pipeline);
    const definition = this.compile(this.regionImage(requirements));
    const { storage, size, problems } = chooseStorage(this.context.pipelineName, definition, this.context.definitionStorage);
    if (problems.length > 0) {
      throw new PipelineValidationError(this.context.subject, problems);
    }
    return { definition, storage, size };
  }

  protected renderResources(): Rendered {
    const c = this.context;
    this.imageWarnings().forEach((w) => Annotations.of(c.scope).addWarningV2('cdk-mlops:UnpinnedImage', w));
    const requirements = sageMakerRequirements(c.pipeline);
    const regionImage = this.regionImage(requirements);
    const definition = this.compile(regionImage);
    const { storage, size, problems } = chooseStorage(c.pipelineName, definition, c.definitionStorage);
    const groups = planModelPackageGroups(c, requirements.modelPackageGroups);
    const found = [...problems, ...pipelineNameProblems(c), ...groups.problems];
    if (found.length > 0) {
      throw new PipelineValidationError(c.subject, found);
    }
    // The model is valid, fits and names nothing another construct has: from here on, resources.
    const { defaultImageUri, inferenceImage } = this.images(regionImage);
    const images = imagePermissions(c.scope, requirements, defaultImageUri, inferenceImage, regionImage);
    const policy = grantExecution(c, {
      roleArn: c.roleArn,
      bucketArn: c.bucketArn,
      prefix: c.bucketPrefix,
      key: c.encryptionKey,
      runsProcessingJobs: requirements.processingJobs,
      runsTrainingJobs: requirements.trainingJobs,
      runsTuningJobs: requirements.tuningJobs,
      codeAssets: [...new Set([...requirements.codes.map((code) => this.code.asset(code)), ...requirements.trialCodes.map((code) => this.code.trialAsset(code))])],
      modelPackageGroups: requirements.modelPackageGroups,
      repositoryArns: images.repositoryArns,
      anyRepository: images.anyRepository,
      externalS3Uris: requirements.externalS3Uris,
    });
    if (policy) {
      this.resource.node.addDependency(policy);
    }
    const stored = storeDefinition(c.scope, definition, storage, { bucket: c.bucket, prefix: c.bucketPrefix, key: c.encryptionKey });
    if (stored.deployment) {
      this.resource.node.addDependency(stored.deployment);
    }
    provideModelPackageGroups(c, requirements.modelPackageGroups, groups, this.resource);
    return { definition, storage, size, property: stored.property };
  }

  /** The region's image (and its mapping) only when a step runs it. */
  private regionImage(requirements: SageMakerRequirements): DefaultImage | undefined {
    const o = this.options;
    const needed = requirements.usesDefaultImage || (o.defaultInferenceImage === undefined && requirements.usesDefaultInferenceImage);
    return o.defaultImage === undefined && needed ? defaultImage(this.context.scope, this.context.subject) : undefined;
  }

  private imageWarnings(): string[] {
    const what = 'Orchestrator.sageMaker option';
    return [
      ...pipelineImageWarnings(this.context.pipeline, { [`${what} defaultImage`]: this.options.defaultImage }),
      ...imageWarnings(`${what} defaultInferenceImage`, this.options.defaultInferenceImage),
    ];
  }

  private images(regionImage: DefaultImage | undefined): { defaultImageUri: string; inferenceImage: string } {
    // With no step on the default image, the compiler never reads it.
    const defaultImageUri = this.options.defaultImage ?? regionImage?.uri ?? '';
    return { defaultImageUri, inferenceImage: this.options.defaultInferenceImage ?? defaultImageUri };
  }

  private compile(regionImage: DefaultImage | undefined): SageMakerPipelineDefinition {
    const c = this.context;
    const { defaultImageUri, inferenceImage } = this.images(regionImage);
    try {
      return compileSageMaker(c.pipeline, {
        roleArn: c.roleArn,
        bucketName: c.bucketName,
        prefix: c.bucketPrefix,
        kmsKeyArn: c.encryptionKey.keyArn,
        defaultImage: defaultImageUri,
        defaultInferenceImage: inferenceImage,
        codeLocation: (code) => this.code.location(code),
        inferenceCodeUri: (code) => this.code.tarballUri(code),
        trialCodeUri: (code) => this.code.trialAsset(code).s3ObjectUrl,
        trackingUri: c.trackingUri,
        isUnresolved: (v) => Token.isUnresolved(v),
      });
    } catch (e) {
      if (isA(e, PipelineValidationError)) {
        // The model's own problems, or what SageMaker cannot run: say which, with the construct's path.
        const engine = e.message.startsWith(`Pipeline '${c.pipeline.name}' on SageMaker:`) ? ' on SageMaker' : '';
        throw new PipelineValidationError(`${c.subject}: pipeline '${c.pipeline.name}'${engine}`, e.problems);
      }
      throw e;
    }
  }
}
