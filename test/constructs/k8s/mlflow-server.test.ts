import { Chart, Testing } from 'cdk8s';
import { NetworkEndpoint, SecretKeyRef, SynthWarnings } from '../../../constructs/k8s';
import { MlflowArtifactStore, MlflowBackendStore, MlflowServer, MlflowServerProps } from '../../../constructs/k8s/mlflow';
import { broadEgressProblems, podSecurityProblems, resourceProblems, validateManifests } from '../../support/k8s';

type Json = { [key: string]: any };

const PASSWORD: SecretKeyRef = { name: 'mlflow-db', key: 'password' };
const MINIO = NetworkEndpoint.pods({ namespace: 'storage', podLabels: { app: 'minio' }, ports: [9000] });
const S3 = MlflowArtifactStore.s3({
  bucket: 'ml-artifacts',
  prefix: 'mlflow/',
  accessKeySecret: { name: 'mlflow-s3', key: 'AWS_ACCESS_KEY_ID' },
  secretKeySecret: { name: 'mlflow-s3', key: 'AWS_SECRET_ACCESS_KEY' },
  endpoint: 'minio.storage:9000',
  insecure: true,
  network: MINIO,
});

function synth(props: Partial<MlflowServerProps>, id = 'Mlflow'): { objects: Json[]; server: MlflowServer } {
  const chart = new Chart(Testing.app(), 'tracking', { namespace: 'ml' });
  const server = new MlflowServer(chart, id, {
    backendStore: MlflowBackendStore.postgres({ password: PASSWORD }),
    artifactStore: MlflowArtifactStore.persistentVolume(),
    ...props,
  });
  return { objects: Testing.synth(chart), server };
}

function find(objects: Json[], kind: string, name: string): Json {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) {
    throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  }
  return found;
}

/** What pods with these labels get: the union of every NetworkPolicy selecting them. */
function policiesOf(objects: Json[], podLabels: { [k: string]: string }): { ingress: Json[]; egress: Json[]; types: string[] } {
  const selecting = objects
    .filter((o) => o.kind === 'NetworkPolicy')
    .filter((o) => Object.entries(o.spec.podSelector.matchLabels ?? {}).every(([k, v]) => podLabels[k] === v));
  return {
    ingress: selecting.flatMap((o) => o.spec.ingress ?? []),
    egress: selecting.flatMap((o) => o.spec.egress ?? []),
    types: [...new Set(selecting.flatMap((o) => o.spec.policyTypes))].sort(),
  };
}

function mlflowContainer(objects: Json[], name = 'mlflow'): Json {
  return find(objects, 'Deployment', name).spec.template.spec.containers[0];
}

/** The value following `flag` in the command. */
function flag(command: string[], name: string): string {
  const at = command.indexOf(name);
  expect(at).toBeGreaterThan(-1);
  return command[at + 1];
}

describe('Postgres backend store, artifacts on a PersistentVolumeClaim', () => {
  const { objects, server } = synth({});

  test('snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  test("every manifest validates strictly against Kubernetes 1.30; every pod passes Pod Security 'restricted' with requests and limits; no broad egress", () => {
    expect(validateManifests(objects)).toEqual([]);
    expect(objects.flatMap((o) => [...podSecurityProblems(o), ...resourceProblems(o), ...broadEgressProblems(o)])).toEqual([]);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Service/mlflow-postgres',
      'StatefulSet/mlflow-postgres',
      'PersistentVolumeClaim/mlflow-artifacts',
      'Deployment/mlflow',
      'Service/mlflow',
      'NetworkPolicy/mlflow-deny-all',
      'NetworkPolicy/mlflow-allow',
      'NetworkPolicy/mlflow-postgres-deny-all',
      'NetworkPolicy/mlflow-postgres-allow',
    ]);
  });

  test('exposes the tracking URI and the client label', () => {
    expect(server.trackingUri).toBe('http://mlflow.ml.svc:5000');
    expect(server.clientLabels).toEqual({ 'mlops.cdk.io/mlflow-client': 'mlflow' });
    expect(server.postgresServiceName).toBe('mlflow-postgres');
    expect(server.artifactClaimName).toBe('mlflow-artifacts');
  });
});

describe('the server pod, with Postgres', () => {
  const { objects } = synth({});
  const container = mlflowContainer(objects);

  test('runs mlflow server on 0.0.0.0:5000, proxying artifacts to the claim, accepting only its own Service names and localhost as Host', () => {
    expect(container.image).toBe('ghcr.io/mlflow/mlflow:v3.17.0-full');
    expect(container.command.slice(0, 2)).toEqual(['mlflow', 'server']);
    expect(flag(container.command, '--host')).toBe('0.0.0.0');
    expect(flag(container.command, '--port')).toBe('5000');
    expect(flag(container.command, '--workers')).toBe('2');
    expect(container.command).toContain('--serve-artifacts');
    expect(flag(container.command, '--artifacts-destination')).toBe('/mlflow/artifacts');
    expect(flag(container.command, '--allowed-hosts').split(',')).toEqual([
      'mlflow', 'mlflow:5000', 'mlflow.ml', 'mlflow.ml:5000', 'mlflow.ml.svc', 'mlflow.ml.svc:5000',
      'mlflow.ml.svc.cluster.local', 'mlflow.ml.svc.cluster.local:5000', 'localhost', 'localhost:*', '127.0.0.1:*',
    ]);
    // The backend store URI comes from the environment, never the command line.
    expect(container.command).not.toContain('--backend-store-uri');
    expect(container.command).not.toContain('--cors-allowed-origins');
    expect(container.command.join(' ')).not.toContain('postgresql');
  });

  test('connects to Postgres with a password-less URI and PGPASSWORD from the Secret', () => {
    expect(container.env.slice(0, 2)).toEqual([
      { name: 'MLFLOW_BACKEND_STORE_URI', value: 'postgresql://mlflow@mlflow-postgres:5432/mlflow' },
      { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'mlflow-db', key: 'password' } } },
    ]);
    expect(container.env.map((e: Json) => e.name)).not.toContain('AWS_ACCESS_KEY_ID');
  });

  test('writes only /tmp and the artifact claim; probes /health, which MLflow exempts from the Host check; Recreate for the ReadWriteOnce claim', () => {
    const deployment = find(objects, 'Deployment', 'mlflow');
    const pod = deployment.spec.template.spec;
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }, { name: 'artifacts', mountPath: '/mlflow/artifacts' }]);
    expect(pod.volumes).toEqual([
      { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
      { name: 'artifacts', persistentVolumeClaim: { claimName: 'mlflow-artifacts' } },
    ]);
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsUser: 1000, runAsNonRoot: true });
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      expect(container[probe].httpGet).toEqual({ path: '/health', port: 'http' });
    }
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(find(objects, 'PersistentVolumeClaim', 'mlflow-artifacts').spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } } });
    expect(find(objects, 'Service', 'mlflow').spec).toMatchObject({ type: 'ClusterIP', ports: [{ name: 'http', port: 5000, targetPort: 'http', protocol: 'TCP' }] });
  });

  test('Postgres: uid 999, the password from the Secret, PGDATA below the retained claim, emptyDirs for the socket and /tmp, behind a headless Service', () => {
    const set = find(objects, 'StatefulSet', 'mlflow-postgres');
    const pod = set.spec.template.spec;
    const pg = pod.containers[0];
    expect(pg.image).toBe('postgres:17.10');
    expect(pg.env).toEqual([
      { name: 'POSTGRES_USER', value: 'mlflow' },
      { name: 'POSTGRES_DB', value: 'mlflow' },
      { name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'mlflow-db', key: 'password' } } },
      { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
    ]);
    expect(pod.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999 });
    expect(pg.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(pg.volumeMounts).toEqual([
      { name: 'data', mountPath: '/var/lib/postgresql/data' },
      { name: 'run', mountPath: '/var/run/postgresql' },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
    expect(pg.readinessProbe.exec.command).toEqual(['pg_isready', '-U', 'mlflow', '-d', 'mlflow']);
    expect(set.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(set.spec.volumeClaimTemplates[0].spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } });
    const service = find(objects, 'Service', 'mlflow-postgres');
    expect(service.spec.clusterIP).toBe('None');
    expect(service.spec.selector).toEqual(set.spec.selector.matchLabels);
  });

  test('NetworkPolicies: the server takes 5000 from client-labelled pods only and reaches only the DNS and Postgres; Postgres takes 5432 from the server only and reaches nothing', () => {
    const serverPods = find(objects, 'Deployment', 'mlflow').spec.template.metadata.labels;
    const postgresPods = find(objects, 'StatefulSet', 'mlflow-postgres').spec.template.metadata.labels;
    const server = policiesOf(objects, serverPods);
    expect(server.types).toEqual(['Egress', 'Ingress']);
    expect(server.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { 'mlops.cdk.io/mlflow-client': 'mlflow' } } }], ports: [{ protocol: 'TCP', port: 5000 }] }]);
    expect(server.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      },
      { to: [{ podSelector: { matchLabels: postgresPods } }], ports: [{ protocol: 'TCP', port: 5432 }] },
    ]);
    const postgres = policiesOf(objects, postgresPods);
    expect(postgres.types).toEqual(['Egress', 'Ingress']);
    expect(postgres.ingress).toEqual([{ from: [{ podSelector: { matchLabels: serverPods } }], ports: [{ protocol: 'TCP', port: 5432 }] }]);
    expect(postgres.egress).toEqual([]);
    // A client-labelled pod is no server pod: the deny-all of the server does not select it.
    expect(policiesOf(objects, { 'mlops.cdk.io/mlflow-client': 'mlflow' }).types).toEqual([]);
  });
});

describe('a database of your own by URI, artifacts in S3 (MinIO)', () => {
  const DB = NetworkEndpoint.ipBlock('10.0.12.0/24', [5432]);
  const { objects, server } = synth({
    name: 'tracking',
    backendStore: MlflowBackendStore.fromUri({ name: 'mlflow-db', key: 'uri' }, DB),
    artifactStore: S3,
    replicas: 2,
    workers: 4,
    port: 8080,
    allowedHosts: ['mlflow.example.com'],
    corsAllowedOrigins: ['https://mlflow.example.com'],
    allowClientsFrom: [NetworkEndpoint.pods({ namespace: 'notebooks', ports: [8080] })],
  });
  const container = mlflowContainer(objects, 'tracking');

  test('snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  test('validates, passes the pod checks, and has no Postgres or claim', () => {
    expect(validateManifests(objects)).toEqual([]);
    expect(objects.flatMap((o) => [...podSecurityProblems(o), ...resourceProblems(o), ...broadEgressProblems(o)])).toEqual([]);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Deployment/tracking', 'Service/tracking', 'NetworkPolicy/tracking-deny-all', 'NetworkPolicy/tracking-allow',
    ]);
    expect(server.trackingUri).toBe('http://tracking.ml.svc:8080');
    expect(server.postgresServiceName).toBeUndefined();
    expect(server.artifactClaimName).toBeUndefined();
  });

  test('the URI and the S3 keys come from Secrets; the endpoint is MLFLOW_S3_ENDPOINT_URL; artifacts go to s3://bucket/prefix', () => {
    expect(container.env).toEqual([
      { name: 'MLFLOW_BACKEND_STORE_URI', valueFrom: { secretKeyRef: { name: 'mlflow-db', key: 'uri' } } },
      { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'mlflow-s3', key: 'AWS_ACCESS_KEY_ID' } } },
      { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'mlflow-s3', key: 'AWS_SECRET_ACCESS_KEY' } } },
      { name: 'AWS_DEFAULT_REGION', value: 'us-east-1' },
      { name: 'MLFLOW_S3_ENDPOINT_URL', value: 'http://minio.storage:9000' },
      { name: 'HOME', value: '/tmp' },
      { name: 'USER', value: 'mlflow' },
      { name: 'PYTHONDONTWRITEBYTECODE', value: '1' },
    ]);
    expect(flag(container.command, '--artifacts-destination')).toBe('s3://ml-artifacts/mlflow');
    expect(flag(container.command, '--port')).toBe('8080');
    expect(flag(container.command, '--workers')).toBe('4');
    expect(flag(container.command, '--allowed-hosts').split(',')).toEqual(expect.arrayContaining(['tracking.ml.svc:8080', 'mlflow.example.com']));
    expect(flag(container.command, '--cors-allowed-origins')).toBe('https://mlflow.example.com');
    const deployment = find(objects, 'Deployment', 'tracking');
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy).toBeUndefined();
    expect(deployment.spec.template.spec.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } }]);
  });

  test('egress: the DNS, the database block and MinIO only; ingress on 8080 from client pods and the notebooks namespace', () => {
    const policy = policiesOf(objects, find(objects, 'Deployment', 'tracking').spec.template.metadata.labels);
    expect(policy.egress.slice(1)).toEqual([
      { to: [{ ipBlock: { cidr: '10.0.12.0/24' } }], ports: [{ protocol: 'TCP', port: 5432 }] },
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'storage' } }, podSelector: { matchLabels: { app: 'minio' } } }], ports: [{ protocol: 'TCP', port: 9000 }] },
    ]);
    expect(policy.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { 'mlops.cdk.io/mlflow-client': 'tracking' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'notebooks' } }, podSelector: {} }], ports: [{ protocol: 'TCP', port: 8080 }] },
    ]);
  });

  test('no synth warnings', () => {
    const chart = new Chart(Testing.app(), 'quiet', { namespace: 'ml' });
    new MlflowServer(chart, 'Mlflow', { backendStore: MlflowBackendStore.fromUri({ name: 'db', key: 'uri' }, DB), artifactStore: S3 });
    Testing.synth(chart);
    expect(SynthWarnings.of(chart)).toEqual([]);
  });
});

test('two servers with the same name in one namespace are a synth error naming both', () => {
  const chart = new Chart(Testing.app(), 'tracking', { namespace: 'ml' });
  const props = { backendStore: MlflowBackendStore.postgres({ password: PASSWORD }), artifactStore: MlflowArtifactStore.persistentVolume() };
  new MlflowServer(chart, 'Mlflow', props);
  new MlflowServer(chart, 'Second', { ...props, name: 'mlflow' });
  expect(() => Testing.synth(chart)).toThrow(/MlflowServer 'Second' \('tracking\/Second'\) and MlflowServer 'Mlflow' \('tracking\/Mlflow'\) both emit 9 objects with the same API group, kind, namespace and name: Service 'mlflow-postgres' in namespace 'ml'/);
});
