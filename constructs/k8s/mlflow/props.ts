import { NetworkEndpoint } from '../network';
import { MlflowArtifactStore } from './artifact-store';
import { MlflowBackendStore } from './backend-store';

export interface MlflowServerProps {
  /**
   * Base name of the objects: the Service (so the tracking URI's host), `<name>-postgres`,
   * `<name>-artifacts`. A DNS-1035 label of at most 40 chars.
   * @default the construct id, lowercased
   */
  readonly name?: string;
  /** @default the chart's namespace (one of the two is required: the tracking URI names it) */
  readonly namespace?: string;
  /** Where experiments, runs and registered models are kept. */
  readonly backendStore: MlflowBackendStore;
  /** Where run and model artifacts are kept; the server proxies them to clients. */
  readonly artifactStore: MlflowArtifactStore;
  /** The port of the server and its Service. @default 5000 */
  readonly port?: number;
  /** Server replicas. More than one needs a backend store of your own or Postgres, and a ReadWriteMany volume or S3 for artifacts. @default 1 */
  readonly replicas?: number;
  /** uvicorn workers per replica (`--workers`). @default 2 */
  readonly workers?: number;
  /** CPU request and limit of the server. @default '500m' */
  readonly cpu?: string;
  /** Memory request and limit of the server. @default '1Gi' */
  readonly memory?: string;
  /**
   * More Host headers the server accepts (`--allowed-hosts`), e.g. an Ingress host
   * 'mlflow.example.com'. The Service's own names (with and without the port) and localhost
   * (for `kubectl port-forward`) are always allowed. @default none
   */
  readonly allowedHosts?: string[];
  /**
   * Browser origins whose state-changing API calls the server accepts (`--cors-allowed-origins`),
   * e.g. 'https://mlflow.example.com' when the UI is served through an Ingress: MLflow 3.5+
   * rejects POST, PUT, PATCH and DELETE from any other non-localhost origin, its own UI's
   * included. SDK clients send no Origin and are not affected. @default none (localhost only)
   */
  readonly corsAllowedOrigins?: string[];
  /** More peers that may call the server, besides pods labelled with `clientLabels` in the namespace. */
  readonly allowClientsFrom?: NetworkEndpoint[];
  /** Where the server resolves names. @default NetworkEndpoint.clusterDns() */
  readonly dns?: NetworkEndpoint;
  /** The uid the server runs as. @default 1000 */
  readonly runAsUser?: number;
  /** An image with mlflow, psycopg2 and boto3. @default 'ghcr.io/mlflow/mlflow:v3.17.0-full' */
  readonly image?: string;
}
