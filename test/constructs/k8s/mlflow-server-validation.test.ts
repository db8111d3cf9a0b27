import { Chart, Testing } from 'cdk8s';
import { NetworkEndpoint, SecretKeyRef } from '../../../constructs/k8s';
import { MlflowArtifactStore, MlflowBackendStore, MlflowServer, MlflowServerProps } from '../../../constructs/k8s/mlflow';
import { PipelineValidationError } from '../../../lib/pipeline';

const PASSWORD: SecretKeyRef = { name: 'mlflow-db', key: 'password' };
const MINIO = NetworkEndpoint.pods({ namespace: 'storage', podLabels: { app: 'minio' }, ports: [9000] });
const KEYS = { accessKeySecret: { name: 'mlflow-s3', key: 'AWS_ACCESS_KEY_ID' }, secretKeySecret: { name: 'mlflow-s3', key: 'AWS_SECRET_ACCESS_KEY' } };
const VALID: MlflowServerProps = {
  backendStore: MlflowBackendStore.postgres({ password: PASSWORD }),
  artifactStore: MlflowArtifactStore.persistentVolume(),
};

/** `chartNamespace` null: a chart without a namespace. */
function build(props: Partial<MlflowServerProps>, id = 'Mlflow', chartNamespace: string | null = 'ml'): MlflowServer {
  const chart = new Chart(Testing.app(), 'tracking', { namespace: chartNamespace ?? undefined });
  return new MlflowServer(chart, id, { ...VALID, ...props });
}

/** The problems of the error `build` throws, which must be a PipelineValidationError naming the construct. */
function problemsOf(props: Partial<MlflowServerProps>, id = 'Mlflow', chartNamespace: string | null = 'ml'): string[] {
  try {
    build(props, id, chartNamespace);
  } catch (e) {
    expect(PipelineValidationError.isPipelineValidationError(e)).toBe(true);
    expect((e as Error).message).toMatch(new RegExp(`^MlflowServer 'tracking/${id}':`));
    return (e as PipelineValidationError).problems;
  }
  throw new Error('expected an error');
}

test('valid props build', () => {
  expect(build({}).name).toBe('mlflow');
});

describe('names', () => {
  test('a construct id or name that is no DNS-1035 label', () => {
    expect(problemsOf({}, 'Team_Tracking')).toEqual([
      "name 'team_tracking' (from the construct id 'Team_Tracking') is invalid (allowed: a DNS-1035 label: lowercase letters, digits and '-', starting with a letter and ending alphanumeric, at most 40 chars, because it names the Service and, with '-postgres', the StatefulSet); set name, e.g. 'team-tracking'",
    ]);
    expect(problemsOf({ name: '1mlflow' })).toEqual([
      "name '1mlflow' is invalid (allowed: a DNS-1035 label: lowercase letters, digits and '-', starting with a letter and ending alphanumeric, at most 40 chars, because it names the Service and, with '-postgres', the StatefulSet); set name, e.g. 'mlflow'",
    ]);
    expect(problemsOf({ name: 'm'.repeat(41) })).toHaveLength(1);
    expect(build({ name: 'm'.repeat(40) }).name).toHaveLength(40);
  });

  test('namespace invalid, or none at all', () => {
    expect(problemsOf({ namespace: 'ML_Team' })).toEqual([
      "namespace 'ML_Team' is invalid (allowed: a DNS-1123 label: lowercase letters, digits and '-', at most 63 chars)",
    ]);
    expect(problemsOf({}, 'Mlflow', null)).toEqual([
      "no namespace: the tracking URI 'http://<name>.<namespace>.svc:<port>' names it; set namespace, or give the chart one",
    ]);
    expect(build({ namespace: 'team-a' }, 'Mlflow', null).trackingUri).toBe('http://mlflow.team-a.svc:5000');
  });
});

describe('backend store', () => {
  test('a missing or malformed password reference', () => {
    expect(problemsOf({ backendStore: MlflowBackendStore.postgres({ password: undefined as unknown as SecretKeyRef }) })).toEqual([
      "backendStore.password is missing; create a Secret and give its key, e.g. password: { name: 'mlflow-db', key: 'password' }",
    ]);
    expect(problemsOf({ backendStore: MlflowBackendStore.postgres({ password: { name: 'MLflow DB', key: 'pass word' } }) })).toEqual([
      "backendStore.password: Secret name 'MLflow DB' is invalid (allowed: a DNS-1123 subdomain: lowercase letters, digits, '-' and '.'); e.g. { name: 'mlflow-db', key: 'password' }",
      "backendStore.password: Secret key 'pass word' is invalid (allowed: letters, digits, '-', '_' and '.'); e.g. { name: 'mlflow-db', key: 'password' }",
    ]);
  });

  test('storage, cpu and memory that are no positive quantities; user and database that are no identifiers', () => {
    expect(problemsOf({ backendStore: MlflowBackendStore.postgres({ password: PASSWORD, storage: '10GB', cpu: '0', memory: 'lots', user: 'ML-User', database: 'Mlflow' }) })).toEqual([
      "backendStore.storage '10GB' is not a positive Kubernetes quantity; e.g. '10Gi'",
      "backendStore.cpu '0' is not a positive Kubernetes quantity; e.g. '250m'",
      "backendStore.memory 'lots' is not a positive Kubernetes quantity; e.g. '512Mi'",
      "backendStore.user 'ML-User' is invalid (allowed: a Postgres identifier of lowercase letters, digits and '_', starting with a letter or '_', at most 63 chars); e.g. 'mlflow'",
      "backendStore.database 'Mlflow' is invalid (allowed: a Postgres identifier of lowercase letters, digits and '_', starting with a letter or '_', at most 63 chars); e.g. 'mlflow'",
    ]);
  });

  test('fromUri without a key or a network', () => {
    expect(problemsOf({ backendStore: MlflowBackendStore.fromUri({ name: 'mlflow-db', key: '' }, undefined as unknown as NetworkEndpoint) })).toEqual([
      "backendStore.uri: Secret key '' is invalid (allowed: letters, digits, '-', '_' and '.'); e.g. { name: 'mlflow-db', key: 'uri' }",
      "backendStore: network is undefined; say where the database is, e.g. MlflowBackendStore.fromUri(uri, NetworkEndpoint.ipBlock('10.0.12.0/24', [5432]))",
    ]);
  });

  test('no store, or something else', () => {
    expect(problemsOf({ backendStore: 'postgresql://db' as unknown as MlflowBackendStore })).toEqual([
      "backendStore is 'postgresql://db'; use MlflowBackendStore.postgres({ password }) or MlflowBackendStore.fromUri(uri, network)",
    ]);
  });
});

describe('artifact store', () => {
  test('a volume size that is no positive quantity', () => {
    expect(problemsOf({ artifactStore: MlflowArtifactStore.persistentVolume({ size: '20 GB' }) })).toEqual([
      "artifactStore: size '20 GB' is not a positive Kubernetes quantity; e.g. '20Gi'",
    ]);
    expect(problemsOf({ artifactStore: MlflowArtifactStore.persistentVolume({ size: '0Gi' }) })).toHaveLength(1);
  });

  test('S3: bucket URL, absolute prefix, a missing key, an endpoint with a scheme, no network', () => {
    expect(problemsOf({
      artifactStore: MlflowArtifactStore.s3({
        bucket: 's3://ml-artifacts',
        prefix: '/mlflow',
        accessKeySecret: KEYS.accessKeySecret,
        secretKeySecret: undefined as unknown as SecretKeyRef,
        endpoint: 'http://minio.storage:9000',
        network: undefined as unknown as NetworkEndpoint,
      }),
    })).toEqual([
      "artifactStore: bucket 's3://ml-artifacts' is not an S3 bucket name (allowed: 3-63 lowercase letters, digits, '.' and '-'); give the bucket's name, not its URL",
      "artifactStore: prefix '/mlflow' is invalid (it must not start with '/' or hold '//'); e.g. 'mlflow/'",
      "artifactStore.secretKeySecret is missing; create a Secret and give its key, e.g. secretKeySecret: { name: 'mlflow-s3', key: 'AWS_SECRET_ACCESS_KEY' }",
      "artifactStore: endpoint 'http://minio.storage:9000' is invalid (allowed: host[:port], no scheme or path, as for ArtifactRepository.s3); e.g. 'minio.storage:9000' with insecure: true for plain HTTP",
      "artifactStore: network is undefined; say where the object store is, e.g. NetworkEndpoint.pods({ namespace: 'storage', podLabels: { app: 'minio' }, ports: [9000] })",
    ]);
    expect(build({ artifactStore: MlflowArtifactStore.s3({ bucket: 'ml-artifacts', ...KEYS, network: MINIO }) }).name).toBe('mlflow');
  });

  test('more than one replica on a ReadWriteOnce volume', () => {
    expect(problemsOf({ replicas: 2 })).toEqual([
      'replicas is 2, but the artifact volume is ReadWriteOnce, which pods on other nodes cannot mount; set MlflowArtifactStore.persistentVolume({ readWriteMany: true }) on a StorageClass that supports it, use MlflowArtifactStore.s3({...}), or replicas: 1',
    ]);
    expect(build({ replicas: 2, artifactStore: MlflowArtifactStore.persistentVolume({ readWriteMany: true }) }).name).toBe('mlflow');
  });
});

describe('server settings', () => {
  test('ports below 1024, out of range or fractional', () => {
    const message = (p: string) => `port ${p} is invalid (allowed: a whole number 1024-65535; the server runs as non-root, which cannot bind ports below 1024); e.g. 5000`;
    expect(problemsOf({ port: 80 })).toEqual([message('80')]);
    expect(problemsOf({ port: 70000 })).toEqual([message('70000')]);
    expect(problemsOf({ port: 5000.5 })).toEqual([message('5000.5')]);
    expect(build({ port: 1024 }).trackingUri).toBe('http://mlflow.ml.svc:1024');
  });

  test('replicas and workers below 1; cpu and memory that are no quantities; runAsUser root', () => {
    expect(problemsOf({ replicas: 0, workers: 1.5, cpu: 'half', memory: '1GB', runAsUser: 0 })).toEqual([
      'replicas is 0, but it must be a whole number ≥ 1; e.g. 2',
      'workers is 1.5, but it must be a whole number ≥ 1; e.g. 2',
      "cpu 'half' is not a positive Kubernetes quantity; e.g. '500m'",
      "memory '1GB' is not a positive Kubernetes quantity; e.g. '1Gi'",
      'runAsUser 0 is invalid (allowed: a whole number ≥ 1, since the pod runs as non-root); e.g. 1000',
    ]);
  });

  test("allowed hosts with a scheme or a ',', and '*'", () => {
    expect(problemsOf({ allowedHosts: ['https://mlflow.example.com', 'a.example.com,b.example.com', '*'] })).toEqual([
      "allowedHosts: 'https://mlflow.example.com' is not a host (allowed: a host name or address with an optional ':port', '*' as a wildcard, no ',' or scheme); e.g. 'mlflow.example.com'",
      "allowedHosts: 'a.example.com,b.example.com' is not a host (allowed: a host name or address with an optional ':port', '*' as a wildcard, no ',' or scheme); e.g. 'mlflow.example.com'",
      "allowedHosts: '*' accepts any Host header, which turns off MLflow's DNS-rebinding protection; list the hosts clients use, e.g. 'mlflow.example.com'",
    ]);
    expect(build({ allowedHosts: ['*.example.com', 'mlflow.example.com:443'] }).name).toBe('mlflow');
  });

  test("CORS origins without a scheme, with a path, and '*'", () => {
    expect(problemsOf({ corsAllowedOrigins: ['mlflow.example.com', 'https://mlflow.example.com/ui', '*'] })).toEqual([
      "corsAllowedOrigins: 'mlflow.example.com' is not an origin (allowed: http:// or https:// and a host with an optional ':port', '*' as a wildcard, no path or ','); e.g. 'https://mlflow.example.com'",
      "corsAllowedOrigins: 'https://mlflow.example.com/ui' is not an origin (allowed: http:// or https:// and a host with an optional ':port', '*' as a wildcard, no path or ','); e.g. 'https://mlflow.example.com'",
      "corsAllowedOrigins: '*' lets any web page change MLflow data through a visitor's browser; list the origins the UI is served from, e.g. 'https://mlflow.example.com'",
    ]);
    expect(build({ corsAllowedOrigins: ['https://*.example.com', 'http://localhost:3000'] }).name).toBe('mlflow');
  });

  test('every problem at once, in one error', () => {
    expect(problemsOf({ name: 'Bad', port: 22, backendStore: MlflowBackendStore.postgres({ password: PASSWORD, storage: 'x' }) })).toHaveLength(3);
  });
});
