import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { guaranteed, restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../security';
import { FEATURE_SERVER_PORT, REDIS_PASSWORD_ENV, REGISTRY_DIR, REPO_DIR } from './feast-repo';
import { OFFLINE_MOUNT, OfflineStore } from './offline-store';
import { SecretKeyRef } from '../artifact-repository';
import { secretEnv } from '../secret-ref';

/** The feature-server image runs as uid 1001 (its Dockerfile's `USER 1001`). */
const FEAST_USER = 1001;
export const DEFAULT_FEAST_IMAGE = 'quay.io/feastdev/feature-server:0.65.0';
/** `feast` at the repository: --chdir, as `-c` means --cert to `feast serve`. */
const FEAST = ['feast', '--chdir', REPO_DIR];

export interface FeastPodInput {
  readonly namespace?: string;
  readonly labels: { [key: string]: string };
  readonly image: string;
  /** The ConfigMap holding feature_store.yaml and the definitions file. */
  readonly repoConfigMap: string;
  /** The repo's file names, each mounted on its own (see `repoMounts`). */
  readonly repoFiles: string[];
  /** Changes whenever the repo does, so pods restart with it (subPath mounts are not updated). */
  readonly repoHash: string;
  readonly redisPassword: SecretKeyRef;
}

/**
 * The files mounted one by one with subPath: Feast resolves the symlinks a whole ConfigMap mount
 * consists of to '/repo/..<timestamp>/x.py' and then fails to import it as the module '..<timestamp>.x'.
 */
function repoMounts(input: FeastPodInput): k8s.VolumeMount[] {
  return input.repoFiles.map((file) => ({ name: 'repo', mountPath: `${REPO_DIR}/${file}`, subPath: file, readOnly: true }));
}

function feastEnv(input: FeastPodInput, extra: k8s.EnvVar[]): k8s.EnvVar[] {
  return [
    secretEnv(REDIS_PASSWORD_ENV, input.redisPassword),
    // The root filesystem is read-only: Python's caches and anything under $HOME go to /tmp.
    { name: 'HOME', value: '/tmp' },
    { name: 'PYTHONDONTWRITEBYTECODE', value: '1' },
    ...extra,
  ];
}

function feastPod(input: FeastPodInput, volumes: k8s.Volume[]): Pick<k8s.PodSpec, 'automountServiceAccountToken' | 'enableServiceLinks' | 'securityContext' | 'volumes'> {
  return {
    automountServiceAccountToken: false,
    // Service links would put <SERVICE>_PORT variables in the environment, which Feast and its libraries may read.
    enableServiceLinks: false,
    securityContext: restrictedPodSecurityContext(FEAST_USER),
    volumes: [
      { name: 'repo', configMap: { name: input.repoConfigMap } },
      // Each pod applies the repo to its own registry at start; see docs/feature-store-k8s.md.
      { name: 'registry', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } },
      { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } },
      ...volumes,
    ],
  };
}

function feastContainer(input: FeastPodInput, name: string, command: string[], cpu: string, memory: string, extraMounts: k8s.VolumeMount[] = [], env: k8s.EnvVar[] = []): k8s.Container {
  return {
    name,
    image: input.image,
    command,
    workingDir: REPO_DIR,
    env: feastEnv(input, env),
    resources: guaranteed(cpu, memory),
    securityContext: restrictedContainerSecurityContext(),
    volumeMounts: [...repoMounts(input), { name: 'registry', mountPath: REGISTRY_DIR }, { name: 'tmp', mountPath: '/tmp' }, ...extraMounts],
  };
}

export interface FeatureServerInput extends FeastPodInput {
  readonly name: string;
  readonly podLabels: { [key: string]: string };
  readonly replicas: number;
}

/** `feast serve` on 0.0.0.0:6566 (its default host is 127.0.0.1), after `feast apply` in an init container, behind a ClusterIP Service. */
export function renderFeatureServer(scope: Construct, input: FeatureServerInput): void {
  const metadata = { name: input.name, namespace: input.namespace, labels: { ...input.labels } };
  const server = feastContainer(input, 'feature-server', [...FEAST, 'serve', '--host', '0.0.0.0', '--port', String(FEATURE_SERVER_PORT)], '500m', '1Gi');
  const health = { httpGet: { path: '/health', port: k8s.IntOrString.fromString('http') } };
  new k8s.KubeDeployment(scope, 'FeatureServer', {
    metadata,
    spec: {
      replicas: input.replicas,
      selector: { matchLabels: { ...input.podLabels } },
      template: {
        metadata: { labels: { ...input.podLabels }, annotations: { 'mlops.cdk.io/feast-repo': input.repoHash } },
        spec: {
          ...feastPod(input, []),
          initContainers: [feastContainer(input, 'apply', [...FEAST, 'apply'], '500m', '1Gi')],
          containers: [{
            ...server,
            ports: [{ name: 'http', containerPort: FEATURE_SERVER_PORT, protocol: 'TCP' }],
            readinessProbe: { ...health, periodSeconds: 10, timeoutSeconds: 5 },
            livenessProbe: { ...health, initialDelaySeconds: 30, periodSeconds: 20, timeoutSeconds: 5 },
          }],
        },
      },
    },
  });
  new k8s.KubeService(scope, 'FeatureServerService', {
    metadata,
    spec: {
      type: 'ClusterIP',
      selector: { ...input.podLabels },
      ports: [{ name: 'http', port: FEATURE_SERVER_PORT, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
    },
  });
}

export interface MaterializationInput extends FeastPodInput {
  readonly name: string;
  readonly podLabels: { [key: string]: string };
  readonly schedule: { readonly cron: string; readonly timeZone: string };
  readonly offline: OfflineStore;
  /** The offline PersistentVolumeClaim, for OfflineStore.persistentVolume. */
  readonly offlineClaim?: string;
}

/** A CronJob applying the repo and running `feast materialize-incremental <now, UTC>`. */
export function renderMaterialization(scope: Construct, input: MaterializationInput): void {
  const s3 = input.offline._s3;
  const env: k8s.EnvVar[] = s3 ? [
    secretEnv('AWS_ACCESS_KEY_ID', s3.accessKeySecret),
    secretEnv('AWS_SECRET_ACCESS_KEY', s3.secretKeySecret),
    { name: 'AWS_DEFAULT_REGION', value: s3.region ?? 'us-east-1' },
    ...(input.offline._endpointUrl() !== undefined ? [{ name: 'AWS_ENDPOINT_URL_S3', value: input.offline._endpointUrl()! }] : []),
  ] : [];
  const mounts: k8s.VolumeMount[] = input.offlineClaim ? [{ name: 'offline', mountPath: OFFLINE_MOUNT, readOnly: true }] : [];
  const volumes: k8s.Volume[] = input.offlineClaim ? [{ name: 'offline', persistentVolumeClaim: { claimName: input.offlineClaim, readOnly: true } }] : [];
  const script = `${FEAST.join(' ')} apply && exec ${FEAST.join(' ')} materialize-incremental "$(date -u +%Y-%m-%dT%H:%M:%S)"`;
  new k8s.KubeCronJob(scope, 'Materialize', {
    metadata: { name: input.name, namespace: input.namespace, labels: { ...input.labels } },
    spec: {
      schedule: input.schedule.cron,
      timeZone: input.schedule.timeZone,
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels: { ...input.labels } },
        spec: {
          backoffLimit: 2,
          ttlSecondsAfterFinished: 86400,
          template: {
            metadata: { labels: { ...input.podLabels }, annotations: { 'mlops.cdk.io/feast-repo': input.repoHash } },
            spec: {
              ...feastPod(input, volumes),
              restartPolicy: 'Never',
              containers: [feastContainer(input, 'materialize', ['/bin/sh', '-c', script], '1', '2Gi', mounts, env)],
            },
          },
        },
      },
    },
  });
}
