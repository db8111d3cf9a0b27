import * as path from 'path';
import { ArtifactType, DataSource, ExternalData } from './artifacts';
import { brand, isA } from './brand';
import { Code } from './code';
import { CachePolicy } from './policies';
import { show } from './errors';
import { Resources } from './resources';
import { Step } from './step';
import type { ScriptStep } from './steps/script-step';
import { LiteralValue, ParameterRef, Value, ValueType } from './values';

/** The data source kind of a feature snapshot; every engine resolves it through its table. */
export const FEATURE_SNAPSHOT_KIND = 'feature-snapshot';

/** The version a reader gets when it names none: the newest committed one at the step's start. */
export const LATEST_VERSION = 'latest';

/** Committed versions are numbered: v000001, v000002, ... (the commit step assigns them). */
export const VERSION_PATTERN = /^v[0-9]{6}$/;

/** Table names: a path segment on every store (S3 key, folder) and a Feature Store name. */
const TABLE_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** Launcher flag and variables of a snapshot input (the launch contract, lib/runtime/launch.ts). */
export const SNAPSHOT_FLAG = '--feature-snapshot';
export const snapshotVersionVar = (input: string): string => `MLOPS_SNAPSHOT_VERSION_${input.toUpperCase()}`;

export interface FeatureSnapshotOptions {
  /**
   * The version to read: a committed version ('v000042'), 'latest', or a string pipeline
   * parameter holding either (the hand-off from the feature pipeline).
   * @default Value.string('latest')
   */
  readonly version?: Value;
  /**
   * The snapshot store on the cloud engines: an s3:// prefix holding one folder per table. The
   * local runner reads its own folder instead (`--feature-store`, default .mlops/feature-store).
   * @default none: cloud engines refuse the source at synth time
   */
  readonly store?: string;
}

/**
 * One committed version of a feature table's offline data, read as one directory: the reader sees
 * exactly the partitions that version's manifest lists, whatever is written meanwhile. On every
 * engine the table's folder of the store reaches the step and the launcher picks the version
 * (resolving 'latest' once, at the step's start) and lays out only its files.
 */
export class FeatureSnapshot extends DataSource {
  /** True for a FeatureSnapshot from any copy of cdk-mlops. */
  public static isFeatureSnapshot(x: unknown): x is FeatureSnapshot {
    return isA(x, FeatureSnapshot);
  }

  /** A version of `table`'s snapshots, read as a dataset directory. */
  public static read(table: string, options: FeatureSnapshotOptions = {}): FeatureSnapshot {
    return new FeatureSnapshot(table, options.version ?? Value.string(LATEST_VERSION), options.store);
  }

  /**
   * A step that commits the next version of `table`: the previous version's partitions with
   * partition `partition` set to the files of `data` (replaced, never appended, so a retried
   * hour leaves one copy of its rows), then the version's manifest, then the LATEST pointer.
   * Never cached.
   */
  public static commitStep(name: string, props: CommitSnapshotProps): ScriptStep {
    return Step.script(name, {
      code: Code.fromDirectory(COMMIT_CODE_DIR),
      entry: 'commit.py',
      inputs: { data: props.data },
      inputTypes: { data: ArtifactType.DATASET },
      params: { table: Value.string(props.table), partition: props.partition, store: Value.string(props.store ?? '') },
      outputs: ['commit'],
      // A replayed commit would make no version: it always runs.
      cache: CachePolicy.disabled(),
      image: props.image,
      resources: props.resources,
      dependsOn: props.dependsOn,
    });
  }

  public readonly sourceKind: string = FEATURE_SNAPSHOT_KIND;
  public readonly producer: Step | undefined = undefined;
  public readonly type: ArtifactType = ArtifactType.DATASET;

  /** @internal use FeatureSnapshot.read */
  constructor(
    /** The feature table. */
    public readonly table: string,
    /** The version read: a literal or a pipeline parameter. */
    public readonly version: Value,
    /** The cloud store's s3:// prefix, when given. */
    public readonly store: string | undefined,
  ) {
    super();
  }

  /** The literal version, or undefined when a parameter gives it at run time. */
  public get literalVersion(): string | undefined {
    return isA(this.version, LiteralValue) ? String(this.version.value) : undefined;
  }

  /** True when the version read can change between runs with the same definition ('latest' or a parameter). */
  public get movesWithStore(): boolean {
    return this.literalVersion === undefined || this.literalVersion === LATEST_VERSION;
  }

  /** The table's folder in the cloud store (with a trailing '/'), or undefined without a store. */
  public get tableUri(): string | undefined {
    return this.store === undefined ? undefined : `${this.store.replace(/\/+$/, '')}/${this.table}/`;
  }

  /** The table's folder as data at a URI, for engines that read it like DataSource.fromUri. */
  public tableData(): ExternalData | undefined {
    const uri = this.tableUri;
    return uri === undefined ? undefined : new ExternalData(uri, ArtifactType.DATASET);
  }

  public override problems(): string[] {
    const problems: string[] = [];
    if (typeof this.table !== 'string' || !TABLE_PATTERN.test(this.table)) {
      problems.push(`feature snapshot table ${show(this.table)} is invalid (allowed: letters, digits and '-', starting and ending with a letter or digit, max 64 chars); name the table as its FeatureStoreTable, e.g. 'customers'`);
    }
    problems.push(...versionProblems(this.version));
    if (this.store !== undefined) {
      const data = new ExternalData(`${String(this.store).replace(/\/+$/, '')}/`, ArtifactType.DATASET);
      problems.push(...data.problems().map((p) => `feature snapshot store: ${p}`));
    }
    return problems;
  }

  public toString(): string {
    return `${this.table}@${isA(this.version, ParameterRef) ? `{${this.version.name}}` : this.literalVersion}`;
  }
}

/** Why `version` cannot name a snapshot version (a literal's value, a parameter's type). */
function versionProblems(version: Value): string[] {
  const allowed = `'${LATEST_VERSION}' or a committed version such as 'v000001'`;
  if (isA(version, LiteralValue)) {
    const text = version.value;
    if (version.type !== ValueType.STRING || typeof text !== 'string' || !(text === LATEST_VERSION || VERSION_PATTERN.test(text))) {
      return [`feature snapshot version ${show(text)} is invalid (allowed: ${allowed}); use Value.string('latest'), Value.string('v000001') or a string pipeline parameter`];
    }
    return [];
  }
  if (isA(version, ParameterRef)) {
    if (version.parameter === undefined) {
      return [`feature snapshot version reads parameter '${version.name}', which the pipeline does not define; add it, e.g. parameters: { ${version.name}: Parameter.string('${LATEST_VERSION}') }`];
    }
    if (version.type !== ValueType.STRING) {
      return [`feature snapshot version reads parameter '${version.name}' of type ${version.type}; a version is a string (${allowed}): declare it with Parameter.string('${LATEST_VERSION}')`];
    }
    return [];
  }
  return [`feature snapshot version ${show(version)} is neither a string literal nor a pipeline parameter; use Value.string('${LATEST_VERSION}') or pipeline.parameter('snapshot')`];
}

export interface CommitSnapshotProps {
  /** The feature table the version belongs to. */
  readonly table: string;
  /** The data of one partition: its files become the partition's files in the new version. */
  readonly data: DataSource;
  /**
   * The partition the data replaces, e.g. the hour it covers ('2026-12-03T10'): letters, digits,
   * '-', '_', '.', ':' and '=' (checked when the step runs; a parameter may give it).
   */
  readonly partition: Value;
  /** The cloud store, the readers' `store`. Locally the runner's feature store folder. @default none */
  readonly store?: string;
  /** @default the engine's default image (it needs Python 3, and boto3 for an s3:// store) */
  readonly image?: string;
  /** @default the pipeline's default resources */
  readonly resources?: Resources;
  /** Steps that must finish first. */
  readonly dependsOn?: Step[];
}

/** The commit step's code: a standard-library script beside the launcher (boto3 for s3:// stores). */
const COMMIT_CODE_DIR = path.join(__dirname, '..', 'runtime', 'snapshot-commit');

brand(FeatureSnapshot, 'cdk-mlops.FeatureSnapshot');
