import { Chart, Duration, Testing } from 'cdk8s';
import { FeatureStoreTable, FeatureStoreTableProps, OfflineStore } from '../../../constructs/k8s/feature-store';
import { FeatureType, PipelineValidationError, Schedule } from '../../../lib/pipeline';
import { SecretKeyRef } from '../../../constructs/k8s';
import { errorOf } from '../../support/errors';

const FEATURES = {
  customer_id: FeatureType.string(),
  event_time: FeatureType.string(),
  tenure: FeatureType.integral(),
};
const PASSWORD: SecretKeyRef = { name: 'customers-redis', key: 'password' };
const VALID: FeatureStoreTableProps = {
  recordIdentifier: 'customer_id',
  eventTime: 'event_time',
  features: FEATURES,
  online: { ttl: Duration.days(7), redisPassword: PASSWORD },
};

function build(props: Partial<FeatureStoreTableProps>, id = 'Customers'): FeatureStoreTable {
  const chart = new Chart(Testing.app(), 'features', { namespace: 'ml' });
  return new FeatureStoreTable(chart, id, { ...VALID, ...props });
}

/** The problems of the error `build` throws, which must be a PipelineValidationError naming the construct. */
function problemsOf(props: Partial<FeatureStoreTableProps>, id = 'Customers'): string[] {
  try {
    build(props, id);
  } catch (e) {
    expect(PipelineValidationError.isPipelineValidationError(e)).toBe(true);
    expect((e as Error).message).toMatch(new RegExp(`^FeatureStoreTable 'features/${id}':`));
    return (e as PipelineValidationError).problems;
  }
  throw new Error('expected an error');
}

test('valid props build', () => {
  expect(build({}).tableName).toBe('customers');
});

describe('names', () => {
  test('a construct id that is no Python identifier, and a table name given', () => {
    expect(problemsOf({}, 'customer-profiles')).toEqual([
      "table name 'customer-profiles' (from the construct id 'customer-profiles') is invalid (allowed: a Python identifier of letters, digits and '_', starting with a letter and not ending with '_', at most 40 chars, because it names the Feast project and FeatureView and, as 'customer-profiles', the Kubernetes objects); set tableName, e.g. 'customer_profiles'",
    ]);
    expect(problemsOf({ tableName: '_customers' })).toEqual([
      "table name '_customers' is invalid (allowed: a Python identifier of letters, digits and '_', starting with a letter and not ending with '_', at most 40 chars, because it names the Feast project and FeatureView and, as 'customers', the Kubernetes objects); set tableName, e.g. 'customers'",
    ]);
    expect(problemsOf({ tableName: 'c'.repeat(41) })).toHaveLength(1);
    expect(build({ tableName: 'c'.repeat(40) }).tableName).toHaveLength(40);
  });

  test('feature names: not an identifier, Feast-internal, the entity timestamp column, case twins', () => {
    const features = { ...FEATURES, 'monthly-spend': FeatureType.fractional(), __id: FeatureType.string(), event_timestamp: FeatureType.string(), Tenure: FeatureType.integral() };
    expect(problemsOf({ features })).toEqual([
      "feature 'monthly-spend' is invalid (allowed: a Python identifier: letters, digits and '_', not starting with a digit, at most 64 chars); rename it, e.g. 'monthly_spend'",
      "feature '__id': names starting with '__' are Feast's own (e.g. '__dummy_id'); rename it, e.g. 'id'",
      "feature 'event_timestamp': Feast names the entity rows' timestamp column 'event_timestamp' in historical retrieval, so a feature of that name would clash; rename it, or make it the eventTime",
      "feature 'Tenure' and 'tenure' differ only in case; SageMaker Feature Store treats them as one name, so rename one",
    ]);
  });

  test('event_timestamp is fine as the event time itself', () => {
    expect(() => build({ eventTime: 'event_timestamp', features: { customer_id: FeatureType.string(), event_timestamp: FeatureType.string(), tenure: FeatureType.integral() } })).not.toThrow();
  });

  test('a feature whose type is not a FeatureType', () => {
    expect(problemsOf({ features: { ...FEATURES, plan: 'String' as unknown as FeatureType } })).toEqual([
      "feature 'plan': type is 'String'; use FeatureType.integral(), FeatureType.fractional() or FeatureType.string()",
    ]);
  });
});

describe('record identifier and event time', () => {
  test('missing from the features', () => {
    expect(problemsOf({ recordIdentifier: 'id', eventTime: 'ts' })).toEqual([
      "recordIdentifier 'id' is not among the features ('customer_id', 'event_time', 'tenure'); add it to features or name one of them",
      "eventTime 'ts' is not among the features ('customer_id', 'event_time', 'tenure'); add it to features or name one of them",
    ]);
  });

  test('an event time that is not a string', () => {
    expect(problemsOf({ features: { ...FEATURES, event_time: FeatureType.fractional() } })).toEqual([
      "eventTime 'event_time' is FeatureType.fractional(), but the event time must be FeatureType.string() (an ISO-8601 time on SageMaker; a timestamp column in Feast's Parquet files, which Feast cannot read from numbers); declare it FeatureType.string()",
    ]);
  });

  test('a fractional record identifier', () => {
    expect(problemsOf({ features: { ...FEATURES, customer_id: FeatureType.fractional() } })).toEqual([
      "recordIdentifier 'customer_id' is FeatureType.fractional(), but a Feast entity key (and a SageMaker record identifier) must be whole numbers or text; make it FeatureType.integral() or FeatureType.string()",
    ]);
  });

  test('the same feature for both, and no feature besides them', () => {
    expect(problemsOf({ eventTime: 'customer_id', features: { customer_id: FeatureType.string() } })).toEqual([
      "recordIdentifier and eventTime are both 'customer_id'; a record's identifier and its event time are two features",
      'features hold only the recordIdentifier and eventTime; add at least one feature to serve (Feast would otherwise infer the schema by reading the data at apply time)',
    ]);
  });
});

describe('stores', () => {
  test('neither online nor offline', () => {
    expect(problemsOf({ online: undefined })).toEqual([
      'neither online nor offline is given, so the table would store nothing; give online: { ttl, redisPassword } for serving, offline: OfflineStore.persistentVolume() or OfflineStore.s3({...}) for training data, or both',
    ]);
  });

  test('a ttl of zero, or not whole seconds', () => {
    expect(problemsOf({ online: { ttl: Duration.days(0), redisPassword: PASSWORD } })).toEqual([
      "online.ttl is 0 days, but it must be > 0 (it is how long a record stays online, and Feast reads a ttl of 0 as 'forever'); e.g. Duration.days(7)",
    ]);
    expect(problemsOf({ online: { ttl: Duration.millis(1500), redisPassword: PASSWORD } })).toEqual([
      'online.ttl is 1 second 500 millis, which is not a whole number of seconds; give whole seconds or more, e.g. Duration.days(7)',
    ]);
  });

  test('a missing or malformed Redis password reference', () => {
    expect(problemsOf({ online: { ttl: Duration.days(7) } as any })).toEqual([
      "online.redisPassword is missing; create a Secret and give its key, e.g. redisPassword: { name: 'customers-redis', key: 'password' }",
    ]);
    expect(problemsOf({ online: { ttl: Duration.days(7), redisPassword: 'password' as any } })).toEqual([
      "online.redisPassword is 'password'; give the Secret key holding it, e.g. { name: 'customers-redis', key: 'password' }",
    ]);
    expect(problemsOf({ online: { ttl: Duration.days(7), redisPassword: { name: 'Redis_Secret', key: 'pass word' } } })).toEqual([
      "online.redisPassword: Secret name 'Redis_Secret' is invalid (allowed: a DNS-1123 subdomain: lowercase letters, digits, '-' and '.'); e.g. { name: 'customers-redis', key: 'password' }",
      "online.redisPassword: Secret key 'pass word' is invalid (allowed: letters, digits, '-', '_' and '.'); e.g. { name: 'customers-redis', key: 'password' }",
    ]);
  });

  test('S3 credentials missing, a bucket URL, an endpoint with a scheme, no network', () => {
    const offline = OfflineStore.s3({ bucket: 's3://features', accessKeySecret: PASSWORD, endpoint: 'http://minio:9000' } as any);
    expect(problemsOf({ offline })).toEqual([
      "offline: bucket 's3://features' is not an S3 bucket name (allowed: 3-63 lowercase letters, digits, '.' and '-'); give the bucket's name, not its URL",
      "offline.secretKeySecret is missing; create a Secret and give its key, e.g. secretKeySecret: { name: 'feast-s3', key: 'AWS_SECRET_ACCESS_KEY' }",
      "offline: endpoint 'http://minio:9000' is invalid (allowed: host[:port], no scheme or path, as for ArtifactRepository.s3); e.g. 'minio.storage:9000' with insecure: true for plain HTTP",
      "offline: network is undefined; say where the object store is, e.g. NetworkEndpoint.pods({ namespace: 'storage', podLabels: { app: 'minio' }, ports: [9000] })",
    ]);
  });

  test('sizes that are no quantities, replicas below one', () => {
    expect(problemsOf({
      online: { ttl: Duration.days(7), redisPassword: PASSWORD, featureServerReplicas: 0, redis: { storage: '1 GB' } },
      offline: OfflineStore.persistentVolume({ size: '10GiB' }),
    })).toEqual([
      'online.featureServerReplicas is 0, but it must be a whole number ≥ 1; e.g. 2',
      "online.redis.storage '1 GB' is not a Kubernetes quantity; e.g. '1Gi'",
      "offline: size '10GiB' is not a Kubernetes quantity; e.g. '10Gi'",
    ]);
  });

  test('a materialization schedule without both stores, or one CronJobs cannot parse', () => {
    expect(problemsOf({ materializeSchedule: Schedule.hourly() })).toEqual([
      'materializeSchedule is given, but materialization copies offline records to the online store and this table has no offline store; give both stores or remove materializeSchedule',
    ]);
    expect(problemsOf({ offline: OfflineStore.persistentVolume(), materializeSchedule: Schedule.cron('0 3 L * *') })).toEqual([
      "materializeSchedule: schedule cron(0 3 L * *) uses 'L' (last day), which the Kubernetes CronJob cron parser (robfig/cron) does not support; write it with plain fields, lists and ranges, e.g. '0 3 28-31 * *' plus a check in the first step",
    ]);
  });

  test('every problem at once, in one error', () => {
    const message = errorOf(() => build({ online: undefined, recordIdentifier: 'id' }, 'bad-id'));
    expect(message.split('\n')).toEqual([
      "FeatureStoreTable 'features/bad-id':",
      expect.stringMatching(/^ {2}- table name 'bad-id'/),
      expect.stringMatching(/^ {2}- recordIdentifier 'id' is not among/),
      expect.stringMatching(/^ {2}- neither online nor offline/),
    ]);
  });
});
