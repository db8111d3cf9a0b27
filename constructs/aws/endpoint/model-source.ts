import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { brand, isA } from '../../../lib/pipeline/brand';
import { PipelineValidationError } from '../../../lib/pipeline/errors';
import type { MlPipeline } from '../ml-pipeline';

/** Where the model of a variant comes from. */
export enum ModelSourceKind {
  ARTIFACT = 'artifact',
  REGISTRY = 'registry',
}

export interface ArtifactModelOptions {
  /** Environment of the serving container. @default - none */
  readonly environment?: { [key: string]: string };
}

export interface RegistryModelOptions {
  /**
   * Only model packages whose ModelApprovalStatus is Approved; when false the newest package of any
   * status but Rejected is deployed. @default true
   */
  readonly approvedOnly?: boolean;
  /**
   * The bucket that holds the packages' model artifacts: the endpoint's role may read it. A model
   * package names its artifacts only at deploy time, so without this give `endpoint.role` access
   * yourself. @default - no bucket access is granted
   */
  readonly artifactBucket?: s3.IBucket;
  /** Environment of the serving container (added to the package's own). @default - none */
  readonly environment?: { [key: string]: string };
}

export interface PipelineModelOptions {
  /**
   * The model package group to deploy from, when the pipeline registers into more than one.
   * @default the one group the pipeline's register steps name
   */
  readonly group?: string;
  /** @default true */
  readonly approvedOnly?: boolean;
  /** Environment of the serving container (added to the package's own). @default - none */
  readonly environment?: { [key: string]: string };
}

/** A model to host: a container image with an S3 artifact, or a model package group of the SageMaker Model Registry. */
export class ModelSource {
  /** True for a ModelSource from any copy of cdk-mlops. */
  public static isModelSource(x: unknown): x is ModelSource {
    return isA(x, ModelSource);
  }

  /**
   * An inference image (an ECR image URI) and its model artifact (`s3://bucket/key/model.tar.gz`).
   * Tokens are allowed in the bucket part, e.g. `s3://${bucket.bucketName}/models/iris.tar.gz`.
   */
  public static fromArtifact(image: string, modelData: string, options: ArtifactModelOptions = {}): ModelSource {
    return new ModelSource(ModelSourceKind.ARTIFACT, options.environment, image, modelData);
  }

  /**
   * The newest approved model package of a model package group, resolved at deploy time; an
   * approval in that group later rolls the new package out through the same rollout.
   */
  public static fromRegistry(group: string, options: RegistryModelOptions = {}): ModelSource {
    return new ModelSource(ModelSourceKind.REGISTRY, options.environment, undefined, undefined, group, options.approvedOnly ?? true, options.artifactBucket);
  }

  /**
   * The models an MlPipeline registers: the newest approved package of the group its register
   * steps write to, resolved at deploy time, and every later approval in that group (a register
   * step with `approval: ModelApproval.APPROVED`, or a manual approval) rolled out through the
   * endpoint's guarded rollout. The endpoint's role may read the pipeline's model artifacts and
   * the inference code registered with them.
   */
  public static fromPipeline(pipeline: MlPipeline, options: PipelineModelOptions = {}): ModelSource {
    const groups = [...new Set(pipeline.registeredGroups)].sort();
    const group = options.group ?? (groups.length === 1 ? groups[0] : undefined);
    const problem = options.group !== undefined
      ? (groups.includes(options.group) ? undefined : `ModelSource.fromPipeline: pipeline '${pipeline.pipelineName}' registers no model into group '${options.group}' (its register steps name: ${groups.join(', ') || 'none'}); give one of those, or add the register step before this call`)
      : groups.length === 0 ? `ModelSource.fromPipeline: pipeline '${pipeline.pipelineName}' has no register step, so it hands no model to an endpoint; add Step.registerModel(...) before this call, or use ModelSource.fromRegistry(group)`
        : groups.length > 1 ? `ModelSource.fromPipeline: pipeline '${pipeline.pipelineName}' registers into ${groups.join(', ')}; pick one with { group: '${groups[0]}' }` : undefined;
    if (problem) {
      throw new PipelineValidationError(`MlPipeline '${pipeline.node.path}'`, [problem]);
    }
    return new ModelSource(ModelSourceKind.REGISTRY, options.environment, undefined, undefined, group, options.approvedOnly ?? true, undefined, (role) => pipeline.grantReadRegisteredModels(role));
  }

  private constructor(
    public readonly kind: ModelSourceKind,
    public readonly environment?: { [key: string]: string },
    public readonly image?: string,
    public readonly modelData?: string,
    public readonly group?: string,
    public readonly approvedOnly?: boolean,
    public readonly artifactBucket?: s3.IBucket,
    private readonly grantor?: (role: iam.IRole) => void,
  ) {}

  /** @internal What is wrong with this source; empty when it can be deployed. */
  public _problems(where: string): string[] {
    const problems: string[] = [];
    if (this.kind === ModelSourceKind.ARTIFACT) {
      if (!/^s3:\/\/[^/]+\/.+/.test(this.modelData!)) {
        problems.push(`${where} modelData is '${this.modelData}', but SageMaker takes an S3 URI (s3://bucket/key); e.g. 's3://my-bucket/models/model.tar.gz'`);
      }
      if (this.image!.trim() === '') {
        problems.push(`${where} image is empty; pass an inference image URI, e.g. '<account>.dkr.ecr.<region>.amazonaws.com/repo:tag'`);
      }
    } else if (!/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(this.group!) && !this.group!.includes('${Token')) {
      problems.push(`${where} model package group '${this.group}' is invalid (allowed: letters, digits and '-', max 63 characters, starting and ending with a letter or digit); e.g. 'iris'`);
    }
    return problems;
  }

  /** @internal The read access the endpoint's execution role needs for this model. */
  public _grantRead(role: iam.IRole, partition: string): void {
    if (this.kind === ModelSourceKind.REGISTRY) {
      this.artifactBucket?.grantRead(role);
      this.grantor?.(role);
      return;
    }
    const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(this.modelData!) ?? [];
    if (bucket) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:${partition}:s3:::${bucket}/${key}`] }));
    }
    const ecr = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/.exec(this.image!);
    if (ecr) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        resources: [`arn:${partition}:ecr:${ecr[2]}:${ecr[1]}:repository/${ecr[3]}`],
      }));
    }
  }
}

brand(ModelSource, 'cdk-mlops.aws.ModelSource');
