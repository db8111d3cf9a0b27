import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { guaranteed, restrictedContainerSecurityContext } from '../security';
import { renderSingleStatefulSet } from '../single-stateful-set';
import { REDIS_PASSWORD_ENV, REDIS_PORT } from './feast-repo';
import { OnlineStoreProps } from './props';
import { secretEnv } from '../secret-ref';

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
  const redis = input.online.redis ?? {};
  const password = input.online.redisPassword;
  renderSingleStatefulSet(scope, 'Redis', {
    name: input.name,
    namespace: input.namespace,
    labels: input.labels,
    podLabels: input.podLabels,
    portName: 'redis',
    port: REDIS_PORT,
    runAsUser: REDIS_USER,
    storage: redis.storage ?? '1Gi',
    storageClassName: redis.storageClassName,
    container: {
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
    },
  });
}
