import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Duration, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { NetworkEndpoint, SecretKeyRef, SynthWarnings } from '../../../constructs/k8s';
import { FeatureStoreTable, FeatureStoreTableProps, OfflineStore } from '../../../constructs/k8s/feature-store';
import { FeatureType, Schedule } from '../../../lib/pipeline';
import { broadEgressProblems, podSecurityProblems, resourceProblems, validateManifests } from '../../support/k8s';

type Json = { [key: string]: any };

const FEATURES = {
  customer_id: FeatureType.string(),
  event_time: FeatureType.string(),
  tenure: FeatureType.integral(),
  spend: FeatureType.fractional(),
  plan: FeatureType.string(),
};
const PASSWORD: SecretKeyRef = { name: 'customers-redis', key: 'password' };
const BASE: FeatureStoreTableProps = { recordIdentifier: 'customer_id', eventTime: 'event_time', features: FEATURES };

function synth(props: Partial<FeatureStoreTableProps>, id = 'Customers'): Json[] {
  const chart = new Chart(Testing.app(), 'features', { namespace: 'ml' });
  new FeatureStoreTable(chart, id, { ...BASE, ...props });
  return Testing.synth(chart);
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

function repoOf(objects: Json[]): { yaml: Json; yamlText: string; python: string } {
  const data = find(objects, 'ConfigMap', 'customers-feast-repo').data;
  return { yaml: YAML.parse(data['feature_store.yaml']), yamlText: data['feature_store.yaml'], python: data['customers_features.py'] };
}

/**
 * Stand-ins for the Feast 0.65 classes the definitions use, with the keyword-only signatures of
 * feast-dev/feast v0.65.0 (entity.py, feature_view.py, field.py, file_source.py, data_source.py):
 * an unknown or missing argument fails as it would with Feast. Each call is recorded as JSON.
 */
const FEAST_STUB = `
import json
CALLS = []
def _record(kind, **kw):
    CALLS.append({"kind": kind, **{k: (v if isinstance(v, (str, int, float, bool, list, type(None))) else repr(v)) for k, v in kw.items()}})
class ValueType:
    STRING = "ValueType.STRING"; INT64 = "ValueType.INT64"; DOUBLE = "ValueType.DOUBLE"
class Entity:
    def __init__(self, *, name, join_keys=None, value_type=None, description="", tags=None, owner=""):
        self.name = name; _record("Entity", name=name, join_keys=join_keys, value_type=value_type)
    def __repr__(self): return "Entity(%s)" % self.name
class Field:
    def __init__(self, *, name, dtype, description="", tags=None, vector_index=False, vector_length=0, vector_search_metric=None):
        self.name = name; self.dtype = dtype
    def __repr__(self): return "%s:%s" % (self.name, self.dtype)
class FileSource:
    def __init__(self, *, path, name="", event_timestamp_column="", file_format=None, created_timestamp_column="", field_mapping=None, s3_endpoint_override=None, description="", tags=None, owner="", timestamp_field=""):
        self.name = name; _record("FileSource", name=name, path=path, timestamp_field=timestamp_field, s3_endpoint_override=s3_endpoint_override)
    def __repr__(self): return "FileSource(%s)" % self.name
class PushSource:
    def __init__(self, *, name, batch_source=None, description="", tags=None, owner=""):
        self.name = name; _record("PushSource", name=name, batch_source=batch_source)
    def __repr__(self): return "PushSource(%s)" % self.name
class FeatureView:
    def __init__(self, *, name, source=None, sink_source=None, schema=None, entities=None, ttl=None, online=True, offline=False, description="", tags=None, owner="", org="", mode=None, enable_validation=False, version="latest", enabled=True):
        _record("FeatureView", name=name, source=source, schema=[repr(f) for f in schema], entities=[repr(e) for e in entities], ttl_seconds=ttl.total_seconds(), online=online)
`;
const TYPES_STUB = 'Int64 = "Int64"\nFloat64 = "Float64"\nString = "String"\n';

/** Runs the definitions file against the stand-ins and returns the calls it made. */
function runDefinitions(python: string): Json[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'feast-stub-'));
  try {
    fs.mkdirSync(path.join(dir, 'feast'));
    fs.writeFileSync(path.join(dir, 'feast', '__init__.py'), FEAST_STUB);
    fs.writeFileSync(path.join(dir, 'feast', 'types.py'), TYPES_STUB);
    fs.writeFileSync(path.join(dir, 'definitions.py'), python);
    const out = execFileSync('python3', ['-c', 'import runpy, json, feast; runpy.run_path("definitions.py"); print(json.dumps(feast.CALLS))'], { cwd: dir, encoding: 'utf8' });
    return JSON.parse(out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function pythonParses(source: string): void {
  execFileSync('python3', ['-c', 'import ast,sys; ast.parse(sys.stdin.read())'], { input: source, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

describe('online (Redis) and offline (PersistentVolumeClaim) stores', () => {
  const objects = synth({
    online: { ttl: Duration.days(7), redisPassword: PASSWORD },
    offline: OfflineStore.persistentVolume({ size: '20Gi' }),
    materializeSchedule: Schedule.cron('*/30 * * * *'),
  });

  test('snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  test("every manifest validates strictly against Kubernetes 1.30; every pod passes Pod Security 'restricted' with requests and limits; no broad egress", () => {
    expect(validateManifests(objects)).toEqual([]);
    expect(objects.flatMap((o) => [...podSecurityProblems(o), ...resourceProblems(o), ...broadEgressProblems(o)])).toEqual([]);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ConfigMap/customers-feast-repo',
      'PersistentVolumeClaim/customers-offline',
      'Service/customers-redis',
      'StatefulSet/customers-redis',
      'Deployment/customers-feature-server',
      'Service/customers-feature-server',
      'CronJob/customers-materialize',
      'NetworkPolicy/customers-redis-deny-all',
      'NetworkPolicy/customers-redis-allow',
      'NetworkPolicy/customers-feature-server-deny-all',
      'NetworkPolicy/customers-feature-server-allow',
      'NetworkPolicy/customers-materialize-deny-all',
      'NetworkPolicy/customers-materialize-allow',
    ]);
  });

  test('feature_store.yaml parses: project, file registry on the registry volume, Redis with the password expanded from the environment, file offline store, key serialization 3', () => {
    const { yaml, yamlText } = repoOf(objects);
    expect(yaml).toEqual({
      project: 'customers',
      provider: 'local',
      registry: { registry_type: 'file', path: '/feast/registry/registry.db', cache_ttl_seconds: 60 },
      online_store: { type: 'redis', connection_string: 'customers-redis:6379,password=${REDIS_PASSWORD}', key_ttl_seconds: 604800 },
      offline_store: { type: 'file' },
      entity_key_serialization_version: 3,
    });
    // Feast runs os.path.expandvars on the text before parsing it: the value is quoted, so a password with '#' or ': ' stays one string.
    expect(yamlText).toContain("connection_string: 'customers-redis:6379,password=${REDIS_PASSWORD}'");
  });

  test('the definitions compile, and against Feast 0.65 signatures make one Entity, a FileSource behind a PushSource and a FeatureView without the event time in its schema', () => {
    const { python } = repoOf(objects);
    expect(() => pythonParses(python)).not.toThrow();
    expect(() => pythonParses(`${python}\n  broken(`)).toThrow();
    expect(runDefinitions(python)).toEqual([
      { kind: 'Entity', name: 'customer_id', join_keys: ['customer_id'], value_type: 'ValueType.STRING' },
      { kind: 'FileSource', name: 'customers_offline', path: '/feast/offline/customers', timestamp_field: 'event_time', s3_endpoint_override: null },
      { kind: 'PushSource', name: 'customers_push', batch_source: 'FileSource(customers_offline)' },
      {
        kind: 'FeatureView',
        name: 'customers',
        source: 'PushSource(customers_push)',
        schema: ['customer_id:String', 'plan:String', 'spend:Float64', 'tenure:Int64'],
        entities: ['Entity(customer_id)'],
        ttl_seconds: 604800,
        online: true,
      },
    ]);
  });

  test('Redis: redis-server with --requirepass from the Secret, uid 999, its data on a retained claim, behind a headless Service', () => {
    const set = find(objects, 'StatefulSet', 'customers-redis');
    const pod = set.spec.template.spec;
    const redis = pod.containers[0];
    expect(redis.image).toBe('redis:7.4.2');
    expect(redis.command).toEqual(['redis-server']);
    expect(redis.args).toEqual(['--requirepass', '$(REDIS_PASSWORD)', '--dir', '/data', '--appendonly', 'yes', '--port', '6379']);
    expect(redis.env).toEqual([
      { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'customers-redis', key: 'password' } } },
      { name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: 'customers-redis', key: 'password' } } },
    ]);
    expect(redis.readinessProbe.exec.command).toEqual(['redis-cli', 'ping']);
    expect(pod.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999 });
    expect(redis.volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }]);
    expect(set.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(set.spec.volumeClaimTemplates[0].spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });
    const service = find(objects, 'Service', 'customers-redis');
    expect(service.spec.clusterIP).toBe('None');
    expect(service.spec.selector).toEqual(set.spec.selector.matchLabels);
  });

  test('feature server: feast apply in an init container, then feast serve on 0.0.0.0:6566 as uid 1001 with the repo files mounted one by one', () => {
    const deployment = find(objects, 'Deployment', 'customers-feature-server');
    const pod = deployment.spec.template.spec;
    expect(pod.initContainers.map((c: Json) => c.command)).toEqual([['feast', '--chdir', '/repo', 'apply']]);
    const server = pod.containers[0];
    expect(server.image).toBe('quay.io/feastdev/feature-server:0.65.0');
    expect(server.command).toEqual(['feast', '--chdir', '/repo', 'serve', '--host', '0.0.0.0', '--port', '6566']);
    expect(server.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(server.volumeMounts).toEqual([
      { name: 'repo', mountPath: '/repo/feature_store.yaml', subPath: 'feature_store.yaml', readOnly: true },
      { name: 'repo', mountPath: '/repo/customers_features.py', subPath: 'customers_features.py', readOnly: true },
      { name: 'registry', mountPath: '/feast/registry' },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
    expect(pod.securityContext).toMatchObject({ runAsUser: 1001 });
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.volumes.find((v: Json) => v.name === 'registry')).toEqual({ name: 'registry', emptyDir: { sizeLimit: '256Mi' } });
    expect(deployment.spec.template.metadata.annotations['mlops.cdk.io/feast-repo']).toMatch(/^[0-9a-f]{10}$/);
    expect(find(objects, 'Service', 'customers-feature-server').spec).toMatchObject({ type: 'ClusterIP', ports: [{ port: 6566, targetPort: 'http' }] });
  });

  test('materialization: a CronJob applying the repo, then materialize-incremental up to now (UTC), reading the offline claim read-only', () => {
    const cron = find(objects, 'CronJob', 'customers-materialize');
    expect(cron.spec).toMatchObject({ schedule: '*/30 * * * *', timeZone: 'UTC', concurrencyPolicy: 'Forbid' });
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect(pod.containers[0].command).toEqual(['/bin/sh', '-c', 'feast --chdir /repo apply && exec feast --chdir /repo materialize-incremental "$(date -u +%Y-%m-%dT%H:%M:%S)"']);
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'offline', mountPath: '/feast/offline', readOnly: true });
    expect(pod.volumes).toContainEqual({ name: 'offline', persistentVolumeClaim: { claimName: 'customers-offline', readOnly: true } });
    expect(find(objects, 'PersistentVolumeClaim', 'customers-offline').spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } } });
  });

  test('network: Redis takes 6379 from the feature server and the materialization pods only, and reaches nothing', () => {
    const redis = policiesOf(objects, find(objects, 'StatefulSet', 'customers-redis').spec.template.metadata.labels);
    expect(redis.types).toEqual(['Egress', 'Ingress']);
    expect(redis.egress).toEqual([]);
    expect(redis.ingress).toEqual(['feature-server', 'materialize'].map((component) => ({
      from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/managed-by': 'cdk-mlops', 'mlops.cdk.io/feature-store': 'customers', 'app.kubernetes.io/component': component } } }],
      ports: [{ protocol: 'TCP', port: 6379 }],
    })));
  });

  test('network: the feature server takes 6566 from pods labelled as its clients only, and reaches DNS and Redis', () => {
    const server = policiesOf(objects, find(objects, 'Deployment', 'customers-feature-server').spec.template.metadata.labels);
    expect(server.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { 'mlops.cdk.io/feature-store-client': 'customers' } } }], ports: [{ protocol: 'TCP', port: 6566 }] }]);
    expect(server.egress).toEqual([
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
      { to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/managed-by': 'cdk-mlops', 'mlops.cdk.io/feature-store': 'customers', 'app.kubernetes.io/component': 'redis' } } }], ports: [{ protocol: 'TCP', port: 6379 }] },
    ]);
    const cron = policiesOf(objects, find(objects, 'CronJob', 'customers-materialize').spec.jobTemplate.spec.template.metadata.labels);
    expect(cron.ingress).toEqual([]);
    expect(cron.egress.map((e) => e.ports)).toEqual([[{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }], [{ protocol: 'TCP', port: 6379 }]]);
  });
});

describe('online store only', () => {
  const chart = new Chart(Testing.app(), 'features', { namespace: 'ml' });
  const table = new FeatureStoreTable(chart, 'Customers', {
    ...BASE,
    online: { ttl: Duration.hours(12), redisPassword: PASSWORD, featureServerReplicas: 2, redis: { storage: '5Gi', memory: '1Gi' } },
    allowClientsFrom: [NetworkEndpoint.pods({ namespace: 'serving', podLabels: { app: 'ranker' }, ports: [6566] })],
  });
  const objects: Json[] = Testing.synth(chart);

  test('snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  test('validates; Redis and a feature server, no CronJob, no offline claim; records arrive by pushes', () => {
    expect(validateManifests(objects)).toEqual([]);
    expect(objects.flatMap((o) => [...podSecurityProblems(o), ...resourceProblems(o), ...broadEgressProblems(o)])).toEqual([]);
    expect(objects.filter((o) => o.kind === 'CronJob' || o.kind === 'PersistentVolumeClaim')).toEqual([]);
    expect(find(objects, 'Deployment', 'customers-feature-server').spec.replicas).toBe(2);
    const { yaml, python } = repoOf(objects);
    expect(yaml.online_store.key_ttl_seconds).toBe(43200);
    const calls = runDefinitions(python);
    expect(calls.find((c) => c.kind === 'FileSource')?.path).toBe('/feast/no-offline-store/customers');
    expect(calls.find((c) => c.kind === 'FeatureView')).toMatchObject({ ttl_seconds: 43200, online: true, source: 'PushSource(customers_push)' });
  });

  test('the construct tells users where the server is and which label lets a pod call it; allowClientsFrom adds peers', () => {
    expect(table.featureServerUrl).toBe('http://customers-feature-server.ml.svc:6566');
    expect(table.clientLabels).toEqual({ [FeatureStoreTable.CLIENT_LABEL]: 'customers' });
    expect(table.offlineClaimName).toBeUndefined();
    const server = policiesOf(objects, find(objects, 'Deployment', 'customers-feature-server').spec.template.metadata.labels);
    expect(server.ingress.map((rule) => rule.from)).toEqual([
      [{ podSelector: { matchLabels: { 'mlops.cdk.io/feature-store-client': 'customers' } } }],
      [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'serving' } }, podSelector: { matchLabels: { app: 'ranker' } } }],
    ]);
    const set = find(objects, 'StatefulSet', 'customers-redis');
    expect(set.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('5Gi');
    expect(set.spec.template.spec.containers[0].resources.limits.memory).toBe('1Gi');
  });
});

describe('offline store only', () => {
  const objects = synth({ offline: OfflineStore.persistentVolume({ readWriteMany: true, storageClassName: 'nfs' }) });

  test('snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  test('the repo and the claim, no pods; the view is offline-only with no ttl, and apply keeps its SQLite on the registry volume', () => {
    expect(validateManifests(objects)).toEqual([]);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['ConfigMap/customers-feast-repo', 'PersistentVolumeClaim/customers-offline']);
    expect(find(objects, 'PersistentVolumeClaim', 'customers-offline').spec).toEqual({ accessModes: ['ReadWriteMany'], storageClassName: 'nfs', resources: { requests: { storage: '10Gi' } } });
    const { yaml, python } = repoOf(objects);
    expect(yaml.online_store).toEqual({ type: 'sqlite', path: '/feast/registry/online.db' });
    expect(runDefinitions(python).find((c) => c.kind === 'FeatureView')).toMatchObject({ ttl_seconds: 0, online: false });
  });
});

describe('offline store in S3 (MinIO)', () => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  const minio = NetworkEndpoint.pods({ namespace: 'storage', podLabels: { app: 'minio' }, ports: [9000] });
  const objects = synth({
    tableName: 'customer_profile',
    features: { ...FEATURES, customer_id: FeatureType.integral() },
    online: { ttl: Duration.days(1), redisPassword: PASSWORD },
    offline: OfflineStore.s3({
      bucket: 'features',
      prefix: 'tables/',
      accessKeySecret: { name: 'minio-creds', key: 'AWS_ACCESS_KEY_ID' },
      secretKeySecret: { name: 'minio-creds', key: 'AWS_SECRET_ACCESS_KEY' },
      endpoint: 'minio.storage:9000',
      insecure: true,
      network: minio,
    }),
    feastImage: 'registry.example.com/feast-s3fs:0.65.0',
  });

  test('snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  test('validates; the table name gives the Feast names, and its DNS form the objects', () => {
    expect(validateManifests(objects)).toEqual([]);
    expect(objects.flatMap((o) => [...podSecurityProblems(o), ...resourceProblems(o), ...broadEgressProblems(o)])).toEqual([]);
    expect(objects.filter((o) => o.kind !== 'NetworkPolicy').map((o) => o.metadata.name)).toEqual([
      'customer-profile-feast-repo', 'customer-profile-redis', 'customer-profile-redis', 'customer-profile-feature-server', 'customer-profile-feature-server', 'customer-profile-materialize',
    ]);
    const data = find(objects, 'ConfigMap', 'customer-profile-feast-repo').data;
    expect(YAML.parse(data['feature_store.yaml']).project).toBe('customer_profile');
    const calls = runDefinitions(data['customer_profile_features.py']);
    expect(calls[0]).toEqual({ kind: 'Entity', name: 'customer_id', join_keys: ['customer_id'], value_type: 'ValueType.INT64' });
    expect(calls[1]).toEqual({ kind: 'FileSource', name: 'customer_profile_offline', path: 's3://features/tables/customer_profile', timestamp_field: 'event_time', s3_endpoint_override: 'http://minio.storage:9000' });
    expect(calls[3].schema[0]).toBe('customer_id:Int64');
  });

  test('the materialization pods get the S3 credentials from the Secrets and may reach the object store; the feature server may not', () => {
    const cron = find(objects, 'CronJob', 'customer-profile-materialize');
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect(cron.spec.schedule).toBe('0 * * * *');
    expect(pod.volumes.map((v: Json) => v.name)).toEqual(['repo', 'registry', 'tmp']);
    expect(pod.containers[0].env.slice(3)).toEqual([
      { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'minio-creds', key: 'AWS_ACCESS_KEY_ID' } } },
      { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'minio-creds', key: 'AWS_SECRET_ACCESS_KEY' } } },
      { name: 'AWS_DEFAULT_REGION', value: 'us-east-1' },
      { name: 'AWS_ENDPOINT_URL_S3', value: 'http://minio.storage:9000' },
    ]);
    const storage = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'storage' } }, podSelector: { matchLabels: { app: 'minio' } } }];
    expect(policiesOf(objects, cron.spec.jobTemplate.spec.template.metadata.labels).egress).toContainEqual({ to: storage, ports: [{ protocol: 'TCP', port: 9000 }] });
    const server = find(objects, 'Deployment', 'customer-profile-feature-server');
    expect(policiesOf(objects, server.spec.template.metadata.labels).egress.map((e) => e.to)).not.toContainEqual(storage);
    expect(server.spec.template.spec.containers[0].env.map((e: Json) => e.name)).toEqual(['REDIS_PASSWORD', 'HOME', 'PYTHONDONTWRITEBYTECODE']);
  });

  test('with the stock image, a warning that it lacks s3fs; with an image of your own, none', () => {
    const warnings = (feastImage?: string) => {
      const chart = new Chart(Testing.app(), 'features');
      new FeatureStoreTable(chart, 'Customers', {
        ...BASE,
        online: { ttl: Duration.days(1), redisPassword: PASSWORD },
        offline: OfflineStore.s3({ bucket: 'features', accessKeySecret: PASSWORD, secretKeySecret: PASSWORD, network: minio }),
        feastImage,
      });
      return SynthWarnings.of(chart);
    };
    expect(warnings()).toEqual([
      "[features/Customers] the offline store is in S3, but quay.io/feastdev/feature-server:0.65.0 installs feast[minimal], which does not include s3fs, so materialization may fail with 'Install s3fs to access S3'; " +
      "set feastImage to an image built FROM quay.io/feastdev/feature-server:0.65.0 with 'pip install s3fs'",
    ]);
    expect(warnings('registry.example.com/feast-s3fs:0.65.0')).toEqual([]);
  });

  test("asking for S3 egress anywhere is annotated and warned about, as the network helpers do", () => {
    const open = synth({
      online: { ttl: Duration.days(1), redisPassword: PASSWORD },
      offline: OfflineStore.s3({ bucket: 'features', accessKeySecret: PASSWORD, secretKeySecret: PASSWORD, network: NetworkEndpoint.anywhere([443]) }),
    });
    const policy = find(open, 'NetworkPolicy', 'customers-materialize-allow');
    expect(policy.metadata.annotations['mlops.cdk.io/egress']).toBe("anywhere on TCP 443 (asked for by FeatureStoreTable 'features/Customers' prop offline (network))");
    expect(open.flatMap(broadEgressProblems)).toEqual([]);
  });
});
