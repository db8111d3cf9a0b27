import { brand, isA } from '../../../lib/pipeline/brand';
import { show } from '../../../lib/pipeline/errors';
import { SecretKeyRef } from '../artifact-repository';
import { QUANTITY } from '../../../lib/kubernetes';
import { s3EndpointUrl, s3StoreProblems } from '../s3-store';
import { NetworkEndpoint } from '../network';
import { ARTIFACTS_MOUNT } from './constants';

export interface MlflowVolumeArtifactStoreProps {
  /** Size of the PersistentVolumeClaim `<name>-artifacts`. @default '20Gi' */
  readonly size?: string;
  /** @default the cluster's default StorageClass */
  readonly storageClassName?: string;
  /** Claim ReadWriteMany, so more than one server replica can mount it. @default false (ReadWriteOnce) */
  readonly readWriteMany?: boolean;
}

export interface MlflowS3ArtifactStoreProps {
  readonly bucket: string;
  /** Key prefix of the artifacts, without leading '/'. @default '' (the bucket's root) */
  readonly prefix?: string;
  /** Secret key holding the access key id (AWS_ACCESS_KEY_ID), as for ArtifactRepository.s3. */
  readonly accessKeySecret: SecretKeyRef;
  /** Secret key holding the secret access key (AWS_SECRET_ACCESS_KEY). */
  readonly secretKeySecret: SecretKeyRef;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** host[:port] of an S3-compatible API (MinIO, Ceph), e.g. 'minio.storage:9000'; passed as MLFLOW_S3_ENDPOINT_URL. @default AWS S3 */
  readonly endpoint?: string;
  /** Plain HTTP to `endpoint`, e.g. an in-cluster MinIO without TLS. @default false */
  readonly insecure?: boolean;
  /**
   * Where the object store is, for the server's egress, e.g.
   * NetworkEndpoint.pods({ namespace: 'storage', podLabels: { app: 'minio' }, ports: [9000] }) or,
   * for AWS S3, NetworkEndpoint.ipBlock('<S3 prefix list CIDR>', [443]).
   */
  readonly network: NetworkEndpoint;
}

export enum MlflowArtifactStoreKind {
  PERSISTENT_VOLUME = 'persistentVolume',
  S3 = 's3',
}


/**
 * Where the server keeps run and model artifacts. The server proxies them (`--serve-artifacts`):
 * clients upload and download through it, so only the server needs the store and its credentials.
 */
export class MlflowArtifactStore {
  /** True for an MlflowArtifactStore from any copy of cdk-mlops. */
  public static isMlflowArtifactStore(x: unknown): x is MlflowArtifactStore {
    return isA(x, MlflowArtifactStore);
  }

  /** A PersistentVolumeClaim `<name>-artifacts`, mounted at /mlflow/artifacts. */
  public static persistentVolume(props: MlflowVolumeArtifactStoreProps = {}): MlflowArtifactStore {
    return new MlflowArtifactStore(MlflowArtifactStoreKind.PERSISTENT_VOLUME, props, undefined);
  }

  /** An S3 (or S3-compatible) bucket, written with keys from Secrets. */
  public static s3(props: MlflowS3ArtifactStoreProps): MlflowArtifactStore {
    return new MlflowArtifactStore(MlflowArtifactStoreKind.S3, undefined, props);
  }

  private constructor(
    public readonly kind: MlflowArtifactStoreKind,
    /** @internal */ public readonly _volume: MlflowVolumeArtifactStoreProps | undefined,
    /** @internal */ public readonly _s3: MlflowS3ArtifactStoreProps | undefined,
  ) {}

  /** Problems of the store's props. @internal */
  public _problems(): string[] {
    const problems: string[] = [];
    if (this._volume) {
      const size = this._volume.size;
      if (size !== undefined && !(typeof size === 'string' && QUANTITY.test(size) && !/^0+(\.0+)?[a-zA-Z]*$/.test(size))) {
        problems.push(`artifactStore: size ${show(size)} is not a positive Kubernetes quantity; e.g. '20Gi'`);
      }
      return problems;
    }
    problems.push(...s3StoreProblems('artifactStore', this._s3 ?? ({} as MlflowS3ArtifactStoreProps), 'mlflow-s3', 'mlflow/'));
    return problems;
  }

  /** What `--artifacts-destination` gets. @internal */
  public _destination(): string {
    if (this._volume) {
      return ARTIFACTS_MOUNT;
    }
    const prefix = (this._s3!.prefix ?? '').replace(/\/+$/, '');
    return `s3://${this._s3!.bucket}${prefix ? `/${prefix}` : ''}`;
  }

  /** The S3 endpoint as the URL boto takes, for an S3-compatible store. @internal */
  public _endpointUrl(): string | undefined {
    return s3EndpointUrl(this._s3);
  }
}

brand(MlflowArtifactStore, 'cdk-mlops.k8s.MlflowArtifactStore');
