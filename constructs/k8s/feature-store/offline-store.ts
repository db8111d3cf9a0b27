import { QUANTITY } from '../../../lib/kubernetes';
import { brand, isA } from '../../../lib/pipeline/brand';
import { show } from '../../../lib/pipeline/errors';
import { NetworkEndpoint } from '../network';
import { SecretKeyRef } from '../artifact-repository';
import { s3EndpointUrl, s3StoreProblems } from '../s3-store';


export interface PersistentVolumeOfflineStoreProps {
  /** Size of the PersistentVolumeClaim. @default '10Gi' */
  readonly size?: string;
  /** @default the cluster's default StorageClass */
  readonly storageClassName?: string;
  /**
   * Claim ReadWriteMany, so the pods that write the Parquet files can run on other nodes than the
   * materialization job. @default false (ReadWriteOnce)
   */
  readonly readWriteMany?: boolean;
}

export interface S3OfflineStoreProps {
  readonly bucket: string;
  /** Key prefix under which the table's directory lies, without leading '/'. @default '' */
  readonly prefix?: string;
  /** Secret key holding the access key id (AWS_ACCESS_KEY_ID), as for ArtifactRepository.s3. */
  readonly accessKeySecret: SecretKeyRef;
  /** Secret key holding the secret access key (AWS_SECRET_ACCESS_KEY). */
  readonly secretKeySecret: SecretKeyRef;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** host[:port] of an S3-compatible API (MinIO, Ceph), e.g. 'minio.storage:9000'. @default AWS S3 */
  readonly endpoint?: string;
  /** Plain HTTP to `endpoint`, e.g. an in-cluster MinIO without TLS. @default false */
  readonly insecure?: boolean;
  /**
   * Where the object store is, for the materialization pods' egress, e.g.
   * NetworkEndpoint.pods({ namespace: 'storage', podLabels: { app: 'minio' }, ports: [9000] }) or,
   * for AWS S3, NetworkEndpoint.ipBlock('<S3 prefix list CIDR>', [443]).
   */
  readonly network: NetworkEndpoint;
}

export enum OfflineStoreKind {
  PERSISTENT_VOLUME = 'persistentVolume',
  S3 = 's3',
}

/**
 * Where a FeatureStoreTable's offline records lie: Parquet files read by Feast's file offline
 * store, on a PersistentVolumeClaim the construct creates or in an S3 bucket.
 */
export class OfflineStore {
  /** True for an OfflineStore from any copy of cdk-mlops. */
  public static isOfflineStore(x: unknown): x is OfflineStore {
    return isA(x, OfflineStore);
  }

  /** Parquet files on a PersistentVolumeClaim `<name>-offline`, mounted at /feast/offline. */
  public static persistentVolume(props: PersistentVolumeOfflineStoreProps = {}): OfflineStore {
    return new OfflineStore(OfflineStoreKind.PERSISTENT_VOLUME, props, undefined);
  }

  /** Parquet files in an S3 (or S3-compatible) bucket, read with credentials from Secrets. */
  public static s3(props: S3OfflineStoreProps): OfflineStore {
    return new OfflineStore(OfflineStoreKind.S3, undefined, props);
  }

  private constructor(
    public readonly kind: OfflineStoreKind,
    /** @internal */ public readonly _volume: PersistentVolumeOfflineStoreProps | undefined,
    /** @internal */ public readonly _s3: S3OfflineStoreProps | undefined,
  ) {}

  /** Problems of the store's props. @internal */
  public _problems(): string[] {
    const problems: string[] = [];
    if (this._volume) {
      const size = this._volume.size;
      if (size !== undefined && !QUANTITY.test(size)) {
        problems.push(`offline: size ${show(size)} is not a Kubernetes quantity; e.g. '10Gi'`);
      }
      return problems;
    }
    problems.push(...s3StoreProblems('offline', this._s3!, 'feast-s3', 'features/'));
    return problems;
  }

  /** The S3 endpoint as the URL Feast and boto take, for an S3-compatible store. @internal */
  public _endpointUrl(): string | undefined {
    return s3EndpointUrl(this._s3);
  }

  /** The directory (URI) the table's Parquet files lie in. @internal */
  public _path(table: string): string {
    if (this._volume) {
      return `${OFFLINE_MOUNT}/${table}`;
    }
    const prefix = (this._s3!.prefix ?? '').replace(/\/+$/, '');
    return `s3://${this._s3!.bucket}/${prefix ? `${prefix}/` : ''}${table}`;
  }
}

export const OFFLINE_MOUNT = '/feast/offline';

brand(OfflineStore, 'cdk-mlops.k8s.OfflineStore');
