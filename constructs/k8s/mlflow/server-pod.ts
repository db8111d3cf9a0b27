import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { secretEnv } from '../secret-ref';
import { guaranteed, restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../security';
import { MlflowArtifactStore, MlflowArtifactStoreKind } from './artifact-store';
import { MlflowBackendStore, MlflowBackendStoreKind } from './backend-store';
import { ARTIFACTS_MOUNT, POSTGRES_PORT } from './constants';

export interface ServerInput {
  readonly name: string;
  readonly namespace: string;
  readonly labels: { [key: string]: string };
  readonly podLabels: { [key: string]: string };
  readonly image: string;
  readonly port: number;
  readonly replicas: number;
  readonly workers: number;
  readonly cpu: string;
  readonly memory: string;
  readonly runAsUser: number;
  readonly allowedHosts: string[];
  readonly corsAllowedOrigins: string[];
  readonly backendStore: MlflowBackendStore;
  readonly artifactStore: MlflowArtifactStore;
  /** The Postgres Service, for MlflowBackendStore.postgres. */
  readonly postgresHost?: string;
  /** The artifact claim, for MlflowArtifactStore.persistentVolume. */
  readonly artifactClaim?: string;
}

/**
 * The Host headers the server accepts: MLflow 3.5+ rejects others (DNS-rebinding protection),
 * and matches the header with its port, so each Service name is listed with and without it.
 */
export function serverAllowedHosts(name: string, namespace: string, port: number, extra: string[]): string[] {
  const names = [name, `${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`];
  return [...names.flatMap((n) => [n, `${n}:${port}`]), 'localhost', 'localhost:*', '127.0.0.1:*', ...extra];
}

/**
 * The backend store's environment: the URI without a password plus PGPASSWORD (libpq reads it,
 * so a password needs no URL-encoding and never shows in the URI), or the user's URI from its Secret.
 * The CLI reads MLFLOW_BACKEND_STORE_URI itself, so the URI stays out of the command line.
 */
function backendEnv(input: ServerInput): k8s.EnvVar[] {
  const store = input.backendStore;
  if (store.kind === MlflowBackendStoreKind.URI) {
    return [secretEnv('MLFLOW_BACKEND_STORE_URI', store._uri!)];
  }
  const { user, database } = store._postgresSettings();
  return [
    { name: 'MLFLOW_BACKEND_STORE_URI', value: `postgresql://${user}@${input.postgresHost}:${POSTGRES_PORT}/${database}` },
    secretEnv('PGPASSWORD', store._postgres!.password),
  ];
}

function artifactEnv(input: ServerInput): k8s.EnvVar[] {
  const s3 = input.artifactStore._s3;
  if (!s3) {
    return [];
  }
  const endpoint = input.artifactStore._endpointUrl();
  return [
    secretEnv('AWS_ACCESS_KEY_ID', s3.accessKeySecret),
    secretEnv('AWS_SECRET_ACCESS_KEY', s3.secretKeySecret),
    { name: 'AWS_DEFAULT_REGION', value: s3.region ?? 'us-east-1' },
    ...(endpoint ? [{ name: 'MLFLOW_S3_ENDPOINT_URL', value: endpoint }] : []),
  ];
}

/** The tracking server: a Deployment running `mlflow server` and its ClusterIP Service. */
export function renderServer(scope: Construct, input: ServerInput): void {
  const metadata = { name: input.name, namespace: input.namespace, labels: { ...input.labels } };
  const volume = input.artifactStore.kind === MlflowArtifactStoreKind.PERSISTENT_VOLUME;
  const health = { httpGet: { path: '/health', port: k8s.IntOrString.fromString('http') } };
  new k8s.KubeDeployment(scope, 'Server', {
    metadata,
    spec: {
      replicas: input.replicas,
      selector: { matchLabels: { ...input.podLabels } },
      // A ReadWriteOnce claim cannot follow a new pod to another node while the old one holds it.
      strategy: volume && !input.artifactStore._volume?.readWriteMany ? { type: 'Recreate' } : undefined,
      template: {
        metadata: { labels: { ...input.podLabels } },
        spec: {
          automountServiceAccountToken: false,
          // Service links would put <NAME>_PORT-style variables into the environment; a Service named
          // 'mlflow' would give MLFLOW_PORT and friends, in MLflow's own variable namespace.
          enableServiceLinks: false,
          securityContext: restrictedPodSecurityContext(input.runAsUser),
          containers: [{
            name: 'mlflow',
            image: input.image,
            // The image's working directory is '/', read-only here; nothing should write there, but if it does, not into '/'.
            workingDir: '/tmp',
            command: [
              'mlflow', 'server',
              '--host', '0.0.0.0',
              '--port', String(input.port),
              '--workers', String(input.workers),
              '--serve-artifacts',
              '--artifacts-destination', input.artifactStore._destination(),
              '--allowed-hosts', input.allowedHosts.join(','),
              ...(input.corsAllowedOrigins.length > 0 ? ['--cors-allowed-origins', input.corsAllowedOrigins.join(',')] : []),
            ],
            env: [
              ...backendEnv(input),
              ...artifactEnv(input),
              // The root filesystem is read-only, and the uid has no home: caches and $HOME go to /tmp.
              { name: 'HOME', value: '/tmp' },
              { name: 'USER', value: 'mlflow' },
              { name: 'PYTHONDONTWRITEBYTECODE', value: '1' },
            ],
            ports: [{ name: 'http', containerPort: input.port, protocol: 'TCP' }],
            // /health is exempt from the Host check, so the kubelet's IP-addressed probes pass it.
            startupProbe: { ...health, periodSeconds: 5, failureThreshold: 60 },
            readinessProbe: { ...health, periodSeconds: 10, timeoutSeconds: 5 },
            livenessProbe: { ...health, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3 },
            resources: guaranteed(input.cpu, input.memory),
            securityContext: restrictedContainerSecurityContext(),
            volumeMounts: [
              { name: 'tmp', mountPath: '/tmp' },
              ...(volume ? [{ name: 'artifacts', mountPath: ARTIFACTS_MOUNT }] : []),
            ],
          }],
          volumes: [
            { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } },
            ...(volume ? [{ name: 'artifacts', persistentVolumeClaim: { claimName: input.artifactClaim! } }] : []),
          ],
        },
      },
    },
  });
  new k8s.KubeService(scope, 'Service', {
    metadata,
    spec: {
      type: 'ClusterIP',
      selector: { ...input.podLabels },
      ports: [{ name: 'http', port: input.port, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
    },
  });
}
