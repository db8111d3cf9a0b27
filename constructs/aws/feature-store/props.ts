import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { FeatureType } from '../../../lib/pipeline/feature-type';
import { Throughput } from './throughput';

/** How the offline store lays its files out in S3 and the Glue Data Catalog. */
export enum TableFormat {
  /** Plain Parquet files in a Glue table (SageMaker's default). */
  GLUE = 'Glue',
  /** An Apache Iceberg table: compaction, time travel and faster queries. */
  ICEBERG = 'Iceberg',
}

/** The online store's storage tier. */
export enum OnlineStorageType {
  /** The managed low-latency store (SageMaker's default). */
  STANDARD = 'Standard',
  /**
   * The in-memory tier (ElastiCache for Redis OSS underneath) for very low latency. Provisioned
   * throughput is not available on it, and SageMaker takes 10–15 minutes to create such a group.
   */
  IN_MEMORY = 'InMemory',
}

/** The online store: the latest record per identifier, for serving. */
export interface OnlineStoreOptions {
  /**
   * How long a record stays in the online store after its event time (whole seconds, ≥ 1 second);
   * SageMaker then hard-deletes it there (the offline store keeps it). Updating it is an in-place update.
   * @default - records stay until overwritten or deleted
   */
  readonly ttl?: Duration;
  /** The storage tier. Changing it replaces the feature group. @default OnlineStorageType.STANDARD */
  readonly storageType?: OnlineStorageType;
}

/** Where SageMaker writes records' history for training (S3, catalogued in Glue). */
export interface OfflineStoreOptions {
  /**
   * The bucket. A bucket you pass must let the construct's offline-store role write to it (a
   * bucket of this stack does: the role's policy is enough) and should be encrypted with `encryptionKey`.
   * @default - a new bucket, encrypted with the table's key, versioned, SSL only, with access logs, retained on delete
   */
  readonly bucket?: s3.IBucket;
  /** The key prefix in the bucket (no leading or trailing '/'). @default 'feature-store' */
  readonly prefix?: string;
  /** The table format. @default TableFormat.GLUE */
  readonly tableFormat?: TableFormat;
  /**
   * An existing Glue database for the table (SageMaker creates the table in it).
   * @default - SageMaker's own database `sagemaker_featurestore`
   */
  readonly glueDatabase?: string;
  /** The Glue table's name; needs `glueDatabase`. @default - a name SageMaker generates from the group name */
  readonly glueTable?: string;
}

export interface FeatureStoreTableProps {
  /**
   * The feature group's name (letters, digits, '-' and '_', max 64, starting and ending with a letter or digit).
   * @default - a unique name made from the construct path
   */
  readonly featureGroupName?: string;
  /** A description (max 128 characters). Changing it replaces the feature group. @default - none */
  readonly description?: string;
  /**
   * The feature that identifies a record (Integral or String); the online store keeps the latest
   * record per value. It must be one of `features`.
   */
  readonly recordIdentifier: string;
  /**
   * The feature that holds each record's event time: String (ISO-8601, e.g. 2026-01-31T12:00:00Z) or
   * Fractional (Unix epoch seconds). It must be one of `features`.
   */
  readonly eventTime: string;
  /**
   * Every feature of a record by name, record identifier and event time included (at most 2,500).
   * Adding features later is an in-place update; SageMaker cannot remove or retype one.
   */
  readonly features: { [name: string]: FeatureType };
  /** Enable the online store with these options. @default - no online store (give `online`, `offline` or both) */
  readonly online?: OnlineStoreOptions;
  /** Enable the offline store with these options. @default - no offline store (give `online`, `offline` or both) */
  readonly offline?: OfflineStoreOptions;
  /** Read/write capacity. @default Throughput.onDemand() */
  readonly throughput?: Throughput;
  /**
   * The key for the online store and the offline store's files.
   * @default - a new key with rotation, retained on delete
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * The replacement fingerprint of the deployed feature group, as the construct reported it
   * (`replacementFingerprint()`, the synth info message, or the template's
   * `cdk-mlops:replacementFingerprint` metadata). When given, a change that would make
   * CloudFormation replace the group fails synth naming the property, unless `allowReplacement`.
   * @default - no guard (synth reports the fingerprint to pin)
   */
  readonly replacementGuard?: string;
  /**
   * Let a change that replaces the feature group through (a new, empty group; the old one is
   * retained, not deleted). Give a new `featureGroupName` with it: CloudFormation cannot replace a
   * group that keeps its name. Pin the new fingerprint afterwards.
   * @default false
   */
  readonly allowReplacement?: boolean;
}
