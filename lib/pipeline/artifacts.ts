import { brand, isA } from './brand';
import { show } from './errors';
import type { Step } from './step';

/**
 * What a step output holds. A reference to an output carries its type, and every reader states
 * the types it accepts, so a model read where a dataset is expected is a synth-time error.
 * Later kinds (feature snapshots, endpoints) are new members.
 */
export enum ArtifactType {
  /** A directory of data files. */
  DATASET = 'dataset',
  /** A directory holding a trained model. */
  MODEL = 'model',
  /** A directory holding a step's metrics.json. */
  METRICS = 'metrics',
  /** A version registered in a model registry group (not a directory: deploy steps read it). */
  REGISTERED_MODEL_VERSION = 'registered-model-version',
}

/** The types a container step can read as a directory, the default for its inputs. */
export const DIRECTORY_TYPES: readonly ArtifactType[] = [ArtifactType.DATASET, ArtifactType.MODEL, ArtifactType.METRICS];

/** The kinds of data source the model defines; an engine resolves each through its own table. */
export enum DataSourceKind {
  /** An output port of a step that runs once. */
  STEP_OUTPUT = 'step-output',
  /** An output port of every item of a forEach step: a directory per item. */
  COLLECTED_OUTPUT = 'collected-output',
  /** Data that exists before the run, at a URI. */
  URI = 'uri',
}

/** The port under which a fan-out's metrics are collected (`step.collectMetrics()`). */
export const METRICS_PORT = 'metrics';

/** True for the port of a fan-out's metrics (`collectMetrics()`), not a script output named 'metrics'. */
export function isMetricsPort(port: string, type: ArtifactType): boolean {
  return port === METRICS_PORT && type === ArtifactType.METRICS;
}

/**
 * Where a step input comes from: another step's output port, a fan-out's collected outputs, or an
 * external URI. Engines resolve each `sourceKind` through their own table; a kind an engine has
 * no resolver for is a synth-time error.
 */
export abstract class DataSource {
  /** True for a DataSource from any copy of cdk-mlops. */
  public static isDataSource(x: unknown): x is DataSource {
    return isA(x, DataSource);
  }

  /**
   * Data that exists before the run: `s3://bucket/prefix` on SageMaker, an absolute path or
   * `file://` URI for the local runner. @default type ArtifactType.DATASET
   */
  public static fromUri(uri: string, options: ExternalDataOptions = {}): ExternalData {
    return new ExternalData(uri, options.type ?? ArtifactType.DATASET);
  }

  /** Which kind of source this is; engines dispatch on it. */
  public abstract readonly sourceKind: string;
  /** The step that produces the data, when a step does. */
  public abstract readonly producer: Step | undefined;
  /** What the data is. */
  public abstract readonly type: ArtifactType;

  /** Problems of the source on its own, each without the reader's name. */
  public problems(): string[] {
    return [];
  }

  public abstract toString(): string;
}

/** An output port of a step: a script's named output, a training step's model, a registered version. */
export class StepArtifact extends DataSource {
  public readonly sourceKind: string = DataSourceKind.STEP_OUTPUT;

  /** @internal use step.output(name), trainStep.model(), registerStep.version() */
  constructor(
    /** The step that writes it. */
    public readonly step: Step,
    /** The producer's port name. */
    public readonly name: string,
    public readonly type: ArtifactType,
  ) {
    super();
  }

  public get producer(): Step | undefined {
    return this.step;
  }

  public toString(): string {
    return this.type === ArtifactType.MODEL || this.type === ArtifactType.REGISTERED_MODEL_VERSION
      ? `${this.step.name}.${this.name}`
      : `${this.step.name}.outputs.${this.name}`;
  }
}

/** One port of every item of a forEach step, read as a directory holding one directory per item. */
export class CollectedArtifact extends DataSource {
  public readonly sourceKind: string = DataSourceKind.COLLECTED_OUTPUT;

  /** @internal use step.collect(name) or step.collectMetrics() */
  constructor(
    /** The step that writes it. */
    public readonly step: Step,
    /** The producer's port name (METRICS_PORT for its metrics). */
    public readonly name: string,
    public readonly type: ArtifactType,
  ) {
    super();
  }

  public get producer(): Step | undefined {
    return this.step;
  }

  public toString(): string {
    return `${this.step.name}.collected.${this.name}`;
  }
}

export interface ExternalDataOptions {
  /** @default ArtifactType.DATASET */
  readonly type?: ArtifactType;
}

const URI_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//;

/** Data at a URI that exists before the run starts. */
export class ExternalData extends DataSource {
  public readonly sourceKind: string = DataSourceKind.URI;
  public readonly producer: Step | undefined = undefined;

  /** @internal use DataSource.fromUri */
  constructor(public readonly uri: string, public readonly type: ArtifactType) {
    super();
  }

  /** The URI's scheme ('s3', 'file'), or 'file' for an absolute path. */
  public get scheme(): string {
    return URI_SCHEME.test(this.uri) ? this.uri.slice(0, this.uri.indexOf(':')) : 'file';
  }

  public override problems(): string[] {
    if (typeof this.uri !== 'string' || !(URI_SCHEME.test(this.uri) || this.uri.startsWith('/')) || /\s/.test(this.uri)) {
      return [`URI ${show(this.uri)} is not a URI; give e.g. 's3://bucket/prefix' or an absolute path`];
    }
    if (this.scheme === 's3' && !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(this.uri)) {
      return [`URI ${show(this.uri)} has no valid bucket name (allowed: 3-63 lower-case letters, digits, '.' and '-'); give e.g. 's3://my-bucket/data/'`];
    }
    if (!Object.values(ArtifactType).includes(this.type) || this.type === ArtifactType.REGISTERED_MODEL_VERSION) {
      return [`type ${show(this.type)} is invalid for data at a URI (allowed: ${DIRECTORY_TYPES.join(', ')})`];
    }
    return [];
  }

  public toString(): string {
    return this.uri;
  }
}

/** 'a dataset', 'a model', 'a registered-model-version': for messages. */
export function describeType(type: ArtifactType): string {
  const text = type === ArtifactType.REGISTERED_MODEL_VERSION ? 'registered model version' : type === ArtifactType.METRICS ? 'metrics directory' : type;
  return `${/^[aeiou]/.test(text) ? 'an' : 'a'} ${text}`;
}

brand(DataSource, 'cdk-mlops.DataSource');
brand(StepArtifact, 'cdk-mlops.StepArtifact');
brand(CollectedArtifact, 'cdk-mlops.CollectedArtifact');
brand(ExternalData, 'cdk-mlops.ExternalData');
