import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { guaranteed, restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../security';
import { REDIS_PASSWORD_ENV, REDIS_PORT } from './feast-repo';
import { OnlineStoreProps } from './props';
import { secretEnv } from './secret-ref';

/** The uid and gid of the `redis` user in the official Redis images. */
const REDIS_USER = 999;
export const DEFAULT_REDIS_IMAGE = 'redis:7.4.2';

export interface RedisInput {
  readonly name: string;
  readonly namespace?: string;
  readonly labels: { [key: string]: string };
  readonly podLabels: { [key: string]: string };
  readonly image: string;
  readonly online: OnlineStoreProps;
}

/**
 * One Redis with a password and an append-only file on a PersistentVolumeClaim, as a StatefulSet
 * whose claim is kept when the set is deleted or scaled down, behind a headless Service.
 */
export function renderRedis(scope: Construct, input: RedisInput): void {
  const metadata = { name: input.name, namespace: input.namespace, labels: { ...input.labels } };
  const redis = input.online.redis ?? {};
  const password = input.online.redisPassword;
  new k8s.KubeService(scope, 'RedisService', {
    metadata,
    spec: {
      clusterIp: 'None',
      selector: { ...input.podLabels },
      ports: [{ name: 'redis', port: REDIS_PORT, targetPort: k8s.IntOrString.fromNumber(REDIS_PORT), protocol: 'TCP' }],
    },
  });
  new k8s.KubeStatefulSet(scope, 'Redis', {
    metadata,
    spec: {
      serviceName: input.name,
      replicas: 1,
      selector: { matchLabels: { ...input.podLabels } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: {
        metadata: { labels: { ...input.podLabels } },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: restrictedPodSecurityContext(REDIS_USER),
          containers: [{
            name: 'redis',
            image: input.image,
            // Straight to redis-server: the image's entrypoint only switches users, which a non-root pod cannot.
            command: ['redis-server'],
            args: ['--requirepass', `$(${REDIS_PASSWORD_ENV})`, '--dir', '/data', '--appendonly', 'yes', '--port', String(REDIS_PORT)],
            env: [secretEnv(REDIS_PASSWORD_ENV, password), secretEnv('REDISCLI_AUTH', password)],
            ports: [{ name: 'redis', containerPort: REDIS_PORT, protocol: 'TCP' }],
            readinessProbe: { exec: { command: ['redis-cli', 'ping'] }, periodSeconds: 10, timeoutSeconds: 5 },
            livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromNumber(REDIS_PORT) }, initialDelaySeconds: 15, periodSeconds: 20 },
            resources: guaranteed(redis.cpu ?? '250m', redis.memory ?? '512Mi'),
            securityContext: restrictedContainerSecurityContext(),
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
          }],
        },
      },
      volumeClaimTemplates: [{
        metadata: { name: 'data', labels: { ...input.labels } },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: redis.storageClassName,
          resources: { requests: { storage: k8s.Quantity.fromString(redis.storage ?? '1Gi') } },
        },
      }],
    },
  });
}
