import { brand, isA } from '../../../lib/pipeline/brand';
import { show } from '../../../lib/pipeline/errors';
import { PipelineValidationError } from '../../../lib/pipeline/errors';
import { imageProblem } from '../../../lib/pipeline/images';
import type { MlPipeline } from '../ml-pipeline';

export interface ServedModelOptions {
  /**
   * Where the model's files are (e.g. 's3://models/iris/1/'). Passed to the server as
   * MLOPS_MODEL_URI; on KServe also as STORAGE_URI, so KServe's storage initializer downloads it
   * to /mnt/models. The pod needs egress to the store (CanaryEndpointProps.egress).
   * @default - the model is in the image
   */
  readonly modelUri?: string;
  /** The port the server answers requests on (1–65535). @default 8080 */
  readonly port?: number;
  /** More environment variables of the server container. @default - none */
  readonly env?: { [name: string]: string };
  /** An HTTP path that answers 200 once the model is loaded (the readiness probe). @default - a TCP check of `port` */
  readonly readinessPath?: string;
}

export interface PipelineServedModelOptions {
  /** The model server image, e.g. 'registry.example.com/iris-serving:1'; it reads the model from MLOPS_MODEL_URI. */
  readonly image: string;
  /**
   * The model group to serve, when the pipeline registers into more than one.
   * @default the one group the pipeline's register steps name
   */
  readonly group?: string;
  /** The port the server answers requests on (1–65535). @default 8080 */
  readonly port?: number;
  /** More environment variables of the server container. @default - none */
  readonly env?: { [name: string]: string };
  /**
   * An HTTP path that answers 200 once the model is loaded (the readiness probe). Give one: until
   * the pipeline's first hand-off MLOPS_MODEL_URI is empty, and the server should not be ready.
   * @default - a TCP check of `port` (synth warns)
   */
  readonly readinessPath?: string;
}

/** A pipeline and the group whose versions it hands to the endpoint. @internal */
export interface PipelineSource {
  readonly pipeline: MlPipeline;
  readonly group: string;
}

/** The model a k8s.CanaryEndpoint serves: a serving image, and optionally where its model files are. */
export class ServedModel {
  /** True for a ServedModel from any copy of cdk-mlops. */
  public static isServedModel(x: unknown): x is ServedModel {
    return isA(x, ServedModel);
  }

  /** A model server image, e.g. 'registry.example.com/iris-serving:1'. */
  public static fromImage(image: string, options: ServedModelOptions = {}): ServedModel {
    return new ServedModel(image, options.port ?? 8080, options.modelUri, { ...(options.env ?? {}) }, options.readinessPath);
  }

  /**
   * The newest version a k8s.MlPipeline registers into a group (the only group its register steps
   * name, or `group`), served by `image`. After each such register step succeeds, the pipeline
   * patches the endpoint's pod template (annotations mlops.cdk.io/model-uri and
   * mlops.cdk.io/model-version, which the server reads as MLOPS_MODEL_URI and MLOPS_MODEL_VERSION),
   * through a Role that may get and patch only that object; the change runs the endpoint's guarded
   * rollout. The manifest never sets those annotations, so re-applying it keeps the handed-over model.
   */
  public static fromPipeline(pipeline: MlPipeline, options: PipelineServedModelOptions): ServedModel {
    if (typeof (pipeline as any)?._addHandOff !== 'function') {
      throw new PipelineValidationError('ServedModel.fromPipeline', [`pipeline is ${show(pipeline)}, which is not a k8s.MlPipeline; pass the k8s.MlPipeline that registers the model`]);
    }
    const groups = pipeline.registeredGroups;
    const group = options.group ?? (groups.length === 1 ? groups[0] : undefined);
    const problem = options.group !== undefined
      ? (groups.includes(options.group) ? undefined : `ServedModel.fromPipeline: pipeline '${pipeline._pipelineName}' registers no model into group '${options.group}' (its register steps name: ${groups.join(', ') || 'none'}); give one of those, or add the register step before this call`)
      : groups.length === 0 ? `ServedModel.fromPipeline: pipeline '${pipeline._pipelineName}' has no register step, so it hands no model to an endpoint; add Step.registerModel(...) before this call, or use ServedModel.fromImage(image, { modelUri })`
        : groups.length > 1 ? `ServedModel.fromPipeline: pipeline '${pipeline._pipelineName}' registers into ${groups.join(', ')}; pick one with { group: '${groups[0]}' }` : undefined;
    if (problem) {
      throw new PipelineValidationError(`MlPipeline '${pipeline.node.path}'`, [problem]);
    }
    return new ServedModel(options.image, options.port ?? 8080, undefined, { ...(options.env ?? {}) }, options.readinessPath, { pipeline, group: group! });
  }

  private constructor(
    public readonly image: string,
    public readonly port: number,
    public readonly modelUri: string | undefined,
    public readonly env: { [name: string]: string },
    public readonly readinessPath: string | undefined,
    private readonly source?: PipelineSource,
  ) {}

  /** The model group the pipeline hands over (fromPipeline); undefined for fromImage. */
  public get group(): string | undefined {
    return this.source?.group;
  }

  /** @internal The pipeline whose registered versions are handed to the endpoint. */
  public get _source(): PipelineSource | undefined {
    return this.source;
  }

  /** @internal What is wrong with the model's values. */
  public _problems(): string[] {
    const problems: string[] = [];
    const image = imageProblem('model image', this.image);
    if (image) {
      // The shared message offers to omit the image, which a served model cannot.
      problems.push(image.replace("give e.g. 'python:3.12-slim' or omit it", "give e.g. 'registry.example.com/iris-serving:1'"));
    }
    if (!Number.isInteger(this.port) || this.port < 1 || this.port > 65535) {
      problems.push(`model port is ${show(this.port)}, but a port must be a whole number 1–65535; e.g. 8080`);
    }
    if (this.modelUri !== undefined && (typeof this.modelUri !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\/\S+$/.test(this.modelUri))) {
      problems.push(`model modelUri is ${show(this.modelUri)}, but it must be a URI with a scheme, e.g. 's3://models/iris/1/' or 'gs://models/iris/1/'`);
    }
    const owned = this.modelUri !== undefined ? ['MLOPS_MODEL_URI', 'STORAGE_URI'].filter((n) => n in this.env) : [];
    for (const name of owned) {
      problems.push(`model env ${show(name)} is set from modelUri by the construct; remove it from env, or leave modelUri out and set it yourself`);
    }
    for (const name of this._source ? ['MLOPS_MODEL_URI', 'MLOPS_MODEL_VERSION'].filter((n) => n in this.env) : []) {
      problems.push(`model env ${show(name)} is set by the pipeline's hand-off (ServedModel.fromPipeline); remove it from env`);
    }
    for (const name of Object.keys(this.env)) {
      if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name)) {
        problems.push(`model env name ${show(name)} is invalid (allowed: letters, digits, '_', '-' and '.', not starting with a digit); rename it, e.g. 'MODEL_NAME'`);
      }
    }
    if (this.readinessPath !== undefined && !/^\/\S*$/.test(this.readinessPath)) {
      problems.push(`model readinessPath is ${show(this.readinessPath)}, but it must be an absolute HTTP path; e.g. '/v2/health/ready'`);
    }
    return problems;
  }
}

brand(ServedModel, 'cdk-mlops.k8s.ServedModel');
