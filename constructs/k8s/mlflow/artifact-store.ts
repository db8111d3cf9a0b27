import { brand, isA } from '../../../lib/pipeline/brand';
import { show } from '../../../lib/pipeline/errors';
import { SecretKeyRef } from '../artifact-repository';
import { QUANTITY } from '../feature-store/offline-store';
import { secretRefProblems } from '../feature-store/secret-ref';
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

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

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
    const s3 = this._s3 ?? ({} as MlflowS3ArtifactStoreProps);
    if (typeof s3.bucket !== 'string' || !BUCKET.test(s3.bucket)) {
      problems.push(`artifactStore: bucket ${show(s3.bucket)} is not an S3 bucket name (allowed: 3-63 lowercase letters, digits, '.' and '-'); give the bucket's name, not its URL`);
    }
    if (s3.prefix !== undefined && (typeof s3.prefix !== 'string' || s3.prefix.startsWith('/') || s3.prefix.includes('//'))) {
      problems.push(`artifactStore: prefix ${show(s3.prefix)} is invalid (it must not start with '/' or hold '//'); e.g. 'mlflow/'`);
    }
    problems.push(...secretRefProblems(s3.accessKeySecret, 'artifactStore.accessKeySecret', "{ name: 'mlflow-s3', key: 'AWS_ACCESS_KEY_ID' }"));
    problems.push(...secretRefProblems(s3.secretKeySecret, 'artifactStore.secretKeySecret', "{ name: 'mlflow-s3', key: 'AWS_SECRET_ACCESS_KEY' }"));
    if (s3.endpoint !== undefined && !(typeof s3.endpoint === 'string' && /^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(s3.endpoint))) {
      problems.push(`artifactStore: endpoint ${show(s3.endpoint)} is invalid (allowed: host[:port], no scheme or path, as for ArtifactRepository.s3); e.g. 'minio.storage:9000' with insecure: true for plain HTTP`);
    }
    if (!(s3.network instanceof Object) || typeof (s3.network as NetworkEndpoint)._peers !== 'function') {
      problems.push(`artifactStore: network is ${show(s3.network)}; say where the object store is, e.g. NetworkEndpoint.pods({ namespace: 'storage', podLabels: { app: 'minio' }, ports: [9000] })`);
    }
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
    const s3 = this._s3;
    return s3?.endpoint !== undefined ? `${s3.insecure ? 'http' : 'https'}://${s3.endpoint}` : undefined;
  }
}

brand(MlflowArtifactStore, 'cdk-mlops.k8s.MlflowArtifactStore');
