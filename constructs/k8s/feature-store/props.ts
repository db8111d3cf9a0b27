import { Duration } from 'cdk8s';
import { FeatureType } from '../../../lib/pipeline/feature-type';
import { Schedule } from '../../../lib/pipeline/schedule';
import { NetworkEndpoint } from '../network';
import { OfflineStore } from './offline-store';
import { SecretKeyRef } from '../artifact-repository';

/** Sizes and resources of the Redis online store. */
export interface RedisOptions {
  /** Size of Redis' PersistentVolumeClaim (its append-only file). @default '1Gi' */
  readonly storage?: string;
  /** @default the cluster's default StorageClass */
  readonly storageClassName?: string;
  /** CPU request and limit. @default '250m' */
  readonly cpu?: string;
  /** Memory request and limit. @default '512Mi' */
  readonly memory?: string;
}

/** The online store: a Redis StatefulSet, read by a Feast feature server. */
export interface OnlineStoreProps {
  /**
   * How long a record stays readable online after it was last written: the FeatureView's `ttl`
   * and Redis' `key_ttl_seconds`. It also bounds how far back the first materialization reads.
   */
  readonly ttl: Duration;
  /** The Secret key holding Redis' password, e.g. `{ name: 'customers-redis', key: 'password' }`; Redis requires it and Feast connects with it. No ',' or "'" in it (see the docs). */
  readonly redisPassword: SecretKeyRef;
  readonly redis?: RedisOptions;
  /** Replicas of the feature server Deployment. @default 1 */
  readonly featureServerReplicas?: number;
}

export interface FeatureStoreTableProps {
  /**
   * The Feast project and FeatureView name: a Python identifier starting with a letter, at most
   * 40 chars. Kubernetes objects are named by it lowercased with '_' as '-'.
   * @default the construct id, lowercased
   */
  readonly tableName?: string;
  /** @default the chart's namespace */
  readonly namespace?: string;
  /** The feature naming each record: the Feast entity's join key. FeatureType integral or string. */
  readonly recordIdentifier: string;
  /**
   * The feature holding each record's event time. Declare it FeatureType.string() (ISO-8601, as
   * SageMaker reads it); in the offline Parquet files Feast needs it as a timestamp column.
   */
  readonly eventTime: string;
  /** Every feature by name, including recordIdentifier and eventTime. */
  readonly features: { [name: string]: FeatureType };
  /** @default no online store (no Redis, feature server or materialization) */
  readonly online?: OnlineStoreProps;
  /** @default no offline store: records reach the online store by pushes to the feature server */
  readonly offline?: OfflineStore;
  /**
   * When to copy new offline records to the online store (a CronJob running
   * `feast materialize-incremental`); needs both stores. @default Schedule.hourly() when both are given
   */
  readonly materializeSchedule?: Schedule;
  /** More peers that may call the feature server, besides pods labelled with `clientLabels`. */
  readonly allowClientsFrom?: NetworkEndpoint[];
  /** Where the pods resolve names. @default NetworkEndpoint.clusterDns() */
  readonly dns?: NetworkEndpoint;
  /** @default 'quay.io/feastdev/feature-server:0.65.0' */
  readonly feastImage?: string;
  /** @default 'redis:7.4.2' */
  readonly redisImage?: string;
}
