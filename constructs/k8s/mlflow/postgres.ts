import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { secretEnv } from '../feature-store/secret-ref';
import { guaranteed, restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../security';
import { MlflowBackendStore } from './backend-store';
import { POSTGRES_PORT, POSTGRES_USER_ID } from './constants';

const DATA_DIR = '/var/lib/postgresql/data';

export interface PostgresInput {
  readonly name: string;
  readonly namespace: string;
  readonly labels: { [key: string]: string };
  readonly podLabels: { [key: string]: string };
  readonly store: MlflowBackendStore;
}

/**
 * One Postgres as a StatefulSet whose claim is kept when the set is deleted or scaled down,
 * behind a headless Service. It runs as the image's `postgres` user from the start (the
 * entrypoint skips its chown step when not root), with a read-only root filesystem: it writes
 * only its data directory, the socket directory and /tmp.
 */
export function renderPostgres(scope: Construct, input: PostgresInput): void {
  const metadata = { name: input.name, namespace: input.namespace, labels: { ...input.labels } };
  const pg = input.store._postgres!;
  const { user, database, image } = input.store._postgresSettings();
  new k8s.KubeService(scope, 'PostgresService', {
    metadata,
    spec: {
      clusterIp: 'None',
      selector: { ...input.podLabels },
      ports: [{ name: 'postgres', port: POSTGRES_PORT, targetPort: k8s.IntOrString.fromNumber(POSTGRES_PORT), protocol: 'TCP' }],
    },
  });
  const ready = { exec: { command: ['pg_isready', '-U', user, '-d', database] } };
  new k8s.KubeStatefulSet(scope, 'Postgres', {
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
          securityContext: restrictedPodSecurityContext(POSTGRES_USER_ID),
          containers: [{
            name: 'postgres',
            image,
            env: [
              { name: 'POSTGRES_USER', value: user },
              { name: 'POSTGRES_DB', value: database },
              secretEnv('POSTGRES_PASSWORD', pg.password),
              // A directory below the mount point: a fresh volume's root may hold lost+found, which initdb refuses.
              { name: 'PGDATA', value: `${DATA_DIR}/pgdata` },
            ],
            ports: [{ name: 'postgres', containerPort: POSTGRES_PORT, protocol: 'TCP' }],
            readinessProbe: { ...ready, periodSeconds: 10, timeoutSeconds: 5 },
            livenessProbe: { ...ready, initialDelaySeconds: 30, periodSeconds: 20, timeoutSeconds: 5 },
            resources: guaranteed(pg.cpu ?? '250m', pg.memory ?? '512Mi'),
            securityContext: restrictedContainerSecurityContext(),
            volumeMounts: [
              { name: 'data', mountPath: DATA_DIR },
              { name: 'run', mountPath: '/var/run/postgresql' },
              { name: 'tmp', mountPath: '/tmp' },
            ],
          }],
          volumes: [
            { name: 'run', emptyDir: { sizeLimit: k8s.Quantity.fromString('16Mi') } },
            { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } },
          ],
        },
      },
      volumeClaimTemplates: [{
        metadata: { name: 'data', labels: { ...input.labels } },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: pg.storageClassName,
          resources: { requests: { storage: k8s.Quantity.fromString(pg.storage ?? '10Gi') } },
        },
      }],
    },
  });
}
