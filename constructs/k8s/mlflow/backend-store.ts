import { brand, isA } from '../../../lib/pipeline/brand';
import { show } from '../../../lib/pipeline/errors';
import { SecretKeyRef } from '../artifact-repository';
import { secretRefProblems } from '../secret-ref';
import { QUANTITY } from '../../../lib/kubernetes';
import { NetworkEndpoint } from '../network';
import { DEFAULT_POSTGRES_IMAGE } from './constants';

/** A Postgres the construct runs for MLflow: one StatefulSet with its data on a retained claim. */
export interface MlflowPostgresProps {
  /** The Secret key holding the database password, e.g. `{ name: 'mlflow-db', key: 'password' }`. Postgres sets it at first start; MLflow connects with it. */
  readonly password: SecretKeyRef;
  /** Size of the data PersistentVolumeClaim. @default '10Gi' */
  readonly storage?: string;
  /** @default the cluster's default StorageClass */
  readonly storageClassName?: string;
  /** The database user. @default 'mlflow' */
  readonly user?: string;
  /** The database. @default 'mlflow' */
  readonly database?: string;
  /** CPU request and limit. @default '250m' */
  readonly cpu?: string;
  /** Memory request and limit. @default '512Mi' */
  readonly memory?: string;
  /** @default 'postgres:17.10' */
  readonly image?: string;
}

export enum MlflowBackendStoreKind {
  POSTGRES = 'postgres',
  URI = 'uri',
}

/** Postgres identifiers we accept unquoted: lowercase, so the URI and `POSTGRES_USER` mean the same role. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Where MLflow keeps experiments, runs and registered models: a Postgres the construct runs, or
 * a database the user already has, named by a SQLAlchemy URI held in a Secret.
 */
export class MlflowBackendStore {
  /** True for an MlflowBackendStore from any copy of cdk-mlops. */
  public static isMlflowBackendStore(x: unknown): x is MlflowBackendStore {
    return isA(x, MlflowBackendStore);
  }

  /** A Postgres StatefulSet `<name>-postgres` behind a headless Service, reachable only from the server. */
  public static postgres(props: MlflowPostgresProps): MlflowBackendStore {
    return new MlflowBackendStore(MlflowBackendStoreKind.POSTGRES, props, undefined, undefined);
  }

  /**
   * A database of your own: `uri` is the Secret key holding a SQLAlchemy URI such as
   * `postgresql://mlflow:<password>@db.example.internal:5432/mlflow`, passed to the server as
   * MLFLOW_BACKEND_STORE_URI; `network` is where the database is, for the server's egress.
   */
  public static fromUri(uri: SecretKeyRef, network: NetworkEndpoint): MlflowBackendStore {
    return new MlflowBackendStore(MlflowBackendStoreKind.URI, undefined, uri, network);
  }

  private constructor(
    public readonly kind: MlflowBackendStoreKind,
    /** @internal */ public readonly _postgres: MlflowPostgresProps | undefined,
    /** @internal */ public readonly _uri: SecretKeyRef | undefined,
    /** @internal */ public readonly _network: NetworkEndpoint | undefined,
  ) {}

  /** Problems of the store's props. @internal */
  public _problems(): string[] {
    if (this.kind === MlflowBackendStoreKind.URI) {
      const problems = secretRefProblems(this._uri, 'backendStore.uri', "{ name: 'mlflow-db', key: 'uri' }");
      if (!(this._network instanceof Object) || typeof (this._network as NetworkEndpoint)._peers !== 'function') {
        problems.push(`backendStore: network is ${show(this._network)}; say where the database is, e.g. MlflowBackendStore.fromUri(uri, NetworkEndpoint.ipBlock('10.0.12.0/24', [5432]))`);
      }
      return problems;
    }
    const pg = this._postgres ?? ({} as MlflowPostgresProps);
    const problems = secretRefProblems(pg.password, 'backendStore.password', "{ name: 'mlflow-db', key: 'password' }");
    for (const key of ['storage', 'cpu', 'memory'] as const) {
      const value = pg[key];
      if (value !== undefined && !(typeof value === 'string' && QUANTITY.test(value) && !/^0+(\.0+)?[a-zA-Z]*$/.test(value))) {
        problems.push(`backendStore.${key} ${show(value)} is not a positive Kubernetes quantity; e.g. ${key === 'cpu' ? "'250m'" : key === 'memory' ? "'512Mi'" : "'10Gi'"}`);
      }
    }
    for (const key of ['user', 'database'] as const) {
      const value = pg[key];
      if (value !== undefined && !(typeof value === 'string' && IDENTIFIER.test(value))) {
        problems.push(`backendStore.${key} ${show(value)} is invalid (allowed: a Postgres identifier of lowercase letters, digits and '_', starting with a letter or '_', at most 63 chars); e.g. 'mlflow'`);
      }
    }
    return problems;
  }

  /** The Postgres user, database and image with defaults. @internal */
  public _postgresSettings(): { user: string; database: string; image: string } {
    const pg = this._postgres!;
    return { user: pg.user ?? 'mlflow', database: pg.database ?? 'mlflow', image: pg.image ?? DEFAULT_POSTGRES_IMAGE };
  }
}

brand(MlflowBackendStore, 'cdk-mlops.k8s.MlflowBackendStore');
