import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { secretEnv } from '../secret-ref';
import { guaranteed, restrictedContainerSecurityContext } from '../security';
import { renderSingleStatefulSet } from '../single-stateful-set';
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
  const pg = input.store._postgres!;
  const { user, database, image } = input.store._postgresSettings();
  const ready = { exec: { command: ['pg_isready', '-U', user, '-d', database] } };
  renderSingleStatefulSet(scope, 'Postgres', {
    name: input.name,
    namespace: input.namespace,
    labels: input.labels,
    podLabels: input.podLabels,
    portName: 'postgres',
    port: POSTGRES_PORT,
    runAsUser: POSTGRES_USER_ID,
    storage: pg.storage ?? '10Gi',
    storageClassName: pg.storageClassName,
    container: {
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
    },
    volumes: [
      { name: 'run', emptyDir: { sizeLimit: k8s.Quantity.fromString('16Mi') } },
      { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } },
    ],
  });
}
