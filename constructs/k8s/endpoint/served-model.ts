import { brand, isA } from '../../../lib/pipeline/brand';
import { show } from '../../../lib/pipeline/errors';
import { imageProblem } from '../../../lib/pipeline/images';

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

  private constructor(
    public readonly image: string,
    public readonly port: number,
    public readonly modelUri: string | undefined,
    public readonly env: { [name: string]: string },
    public readonly readinessPath: string | undefined,
  ) {}

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
