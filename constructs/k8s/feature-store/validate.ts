import { Duration } from 'cdk8s';
import { show } from '../../../lib/pipeline/errors';
import { FeatureKind, FeatureType } from '../../../lib/pipeline/feature-type';
import { Schedule } from '../../../lib/pipeline/schedule';
import { cronSchedule } from '../../../lib/kubernetes';
import { namespaceProblem } from '../names';
import { QUANTITY } from '../../../lib/kubernetes';
import { OfflineStore } from './offline-store';
import { FeatureStoreTableProps } from './props';
import { secretRefProblems } from '../secret-ref';

/** Table names: Feast project and FeatureView names, Python identifiers, and (lowercased, '_' as '-') DNS labels. */
const TABLE_NAME = /^[A-Za-z]([A-Za-z0-9_]*[A-Za-z0-9])?$/;
/** '<name>-materialize' names the CronJob, which Kubernetes limits to 52 chars. */
export const TABLE_NAME_MAX = 40;
const FEATURE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const FEATURE_NAME_MAX = 64;
/** The column Feast's point-in-time joins give the entity rows' timestamps. */
const ENTITY_TIMESTAMP = 'event_timestamp';

/** What a table's props resolve to once they are valid. */
export interface TablePlan {
  /** The Feast project and FeatureView name. */
  readonly table: string;
  /** Base of the Kubernetes object names. */
  readonly base: string;
  readonly ttlSeconds?: number;
  /** The CronJob schedule, when both stores are given. */
  readonly schedule?: { readonly cron: string; readonly timeZone: string };
}

/** The table name the props give, or the construct id lowercased. */
export function tableNameOf(id: string, props: FeatureStoreTableProps): string {
  return props.tableName ?? id.toLowerCase();
}

export function tableBase(table: string): string {
  return table.toLowerCase().replace(/_/g, '-');
}

/** Every problem of the props, each naming the value, what is allowed and the fix. */
export function tableProblems(id: string, props: FeatureStoreTableProps): string[] {
  const problems: string[] = [];
  const table = tableNameOf(id, props);
  if (!TABLE_NAME.test(table) || table.length > TABLE_NAME_MAX) {
    const from = props.tableName === undefined ? ` (from the construct id '${id}')` : '';
    const fixed = table.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^[^A-Za-z]+|_+$/g, '').slice(0, TABLE_NAME_MAX) || 'customers';
    problems.push(`table name ${show(table)}${from} is invalid (allowed: a Python identifier of letters, digits and '_', starting with a letter and not ending with '_', at most ${TABLE_NAME_MAX} chars, because it names the Feast project and FeatureView and, as '${tableBase(fixed)}', the Kubernetes objects); set tableName, e.g. '${fixed}'`);
  }
  const ns = namespaceProblem(props.namespace);
  if (ns) {
    problems.push(ns);
  }
  problems.push(...featureProblems(props));
  if (props.online === undefined && props.offline === undefined) {
    problems.push('neither online nor offline is given, so the table would store nothing; give online: { ttl, redisPassword } for serving, offline: OfflineStore.persistentVolume() or OfflineStore.s3({...}) for training data, or both');
  }
  if (props.online !== undefined) {
    problems.push(...onlineProblems(props));
  }
  if (props.offline !== undefined) {
    problems.push(...(OfflineStore.isOfflineStore(props.offline) ? props.offline._problems() : [`offline is ${show(props.offline)}; use OfflineStore.persistentVolume({...}) or OfflineStore.s3({...})`]));
  }
  if (props.materializeSchedule !== undefined) {
    if (props.online === undefined || props.offline === undefined) {
      problems.push(`materializeSchedule is given, but materialization copies offline records to the online store and this table has ${props.online === undefined ? 'no online' : 'no offline'} store; give both stores or remove materializeSchedule`);
    } else if (!Schedule.isSchedule(props.materializeSchedule)) {
      problems.push(`materializeSchedule is ${show(props.materializeSchedule)}; use Schedule.cron('0 * * * *'), Schedule.rate(...) or Schedule.hourly()`);
    } else {
      const converted = cronSchedule(props.materializeSchedule, 'the Kubernetes CronJob cron parser');
      if (converted.problem) {
        problems.push(`materializeSchedule: ${converted.problem}`);
      }
    }
  }
  return problems;
}

function featureProblems(props: FeatureStoreTableProps): string[] {
  const problems: string[] = [];
  const features = props.features ?? {};
  const names = Object.keys(features);
  const byLowerCase = new Map<string, string>();
  for (const name of names) {
    const where = `feature ${show(name)}`;
    if (name.startsWith('__')) {
      problems.push(`${where}: names starting with '__' are Feast's own (e.g. '__dummy_id'); rename it, e.g. ${show(name.replace(/^_+/, '') || 'value')}`);
    } else if (!FEATURE_NAME.test(name) || name.length > FEATURE_NAME_MAX) {
      problems.push(`${where} is invalid (allowed: a Python identifier: letters, digits and '_', not starting with a digit, at most ${FEATURE_NAME_MAX} chars); rename it, e.g. ${show(name.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^(\d)/, '_$1').slice(0, FEATURE_NAME_MAX))}`);
    }
    if (name === ENTITY_TIMESTAMP && name !== props.eventTime) {
      problems.push(`${where}: Feast names the entity rows' timestamp column '${ENTITY_TIMESTAMP}' in historical retrieval, so a feature of that name would clash; rename it, or make it the eventTime`);
    }
    const twin = byLowerCase.get(name.toLowerCase());
    if (twin !== undefined) {
      problems.push(`${where} and ${show(twin)} differ only in case; SageMaker Feature Store treats them as one name, so rename one`);
    }
    byLowerCase.set(name.toLowerCase(), name);
    if (!FeatureType.isFeatureType(features[name])) {
      problems.push(`${where}: type is ${show(features[name])}; use FeatureType.integral(), FeatureType.fractional() or FeatureType.string()`);
    }
  }
  const listed = names.length > 0 ? names.map((n) => `'${n}'`).join(', ') : 'none';
  const id = props.recordIdentifier;
  if (!(typeof id === 'string' && id in features)) {
    problems.push(`recordIdentifier ${show(id)} is not among the features (${listed}); add it to features or name one of them`);
  } else if (FeatureType.isFeatureType(features[id]) && features[id].kind === FeatureKind.FRACTIONAL) {
    problems.push(`recordIdentifier ${show(id)} is FeatureType.fractional(), but a Feast entity key (and a SageMaker record identifier) must be whole numbers or text; make it FeatureType.integral() or FeatureType.string()`);
  }
  const time = props.eventTime;
  if (!(typeof time === 'string' && time in features)) {
    problems.push(`eventTime ${show(time)} is not among the features (${listed}); add it to features or name one of them`);
  } else if (FeatureType.isFeatureType(features[time]) && features[time].kind !== FeatureKind.STRING) {
    problems.push(`eventTime ${show(time)} is ${features[time]}, but the event time must be FeatureType.string() (an ISO-8601 time on SageMaker; a timestamp column in Feast's Parquet files, which Feast cannot read from numbers); declare it FeatureType.string()`);
  }
  if (id !== undefined && id === time) {
    problems.push(`recordIdentifier and eventTime are both ${show(id)}; a record's identifier and its event time are two features`);
  }
  if (names.length > 0 && names.filter((n) => n !== id && n !== time).length === 0) {
    problems.push(`features hold only the recordIdentifier and eventTime; add at least one feature to serve (Feast would otherwise infer the schema by reading the data at apply time)`);
  }
  return problems;
}

function onlineProblems(props: FeatureStoreTableProps): string[] {
  const problems: string[] = [];
  const online = props.online!;
  const ttl = ttlSecondsOf(online.ttl);
  if (typeof ttl === 'string') {
    problems.push(ttl);
  }
  // Redis is always password-protected.
  problems.push(...secretRefProblems(online.redisPassword, 'online.redisPassword', "{ name: 'customers-redis', key: 'password' }"));
  const replicas = online.featureServerReplicas;
  if (replicas !== undefined && !(Number.isInteger(replicas) && replicas >= 1)) {
    problems.push(`online.featureServerReplicas is ${show(replicas)}, but it must be a whole number ≥ 1; e.g. 2`);
  }
  for (const [name, value] of Object.entries(online.redis ?? {})) {
    if (name !== 'storageClassName' && value !== undefined && !(typeof value === 'string' && QUANTITY.test(value))) {
      problems.push(`online.redis.${name} ${show(value)} is not a Kubernetes quantity; e.g. ${name === 'cpu' ? "'250m'" : name === 'memory' ? "'512Mi'" : "'1Gi'"}`);
    }
  }
  return problems;
}

/** The ttl in whole seconds, or the problem with it. */
export function ttlSecondsOf(ttl: Duration | undefined): number | string {
  if (!(ttl instanceof Object) || typeof (ttl as Duration).toSeconds !== 'function') {
    return `online.ttl is ${show(ttl)}; give a cdk8s Duration, e.g. Duration.days(7)`;
  }
  let seconds: number;
  try {
    seconds = ttl.toSeconds();
  } catch {
    return `online.ttl is ${ttl.toHumanString()}, which is not a whole number of seconds; give whole seconds or more, e.g. Duration.days(7)`;
  }
  if (!(seconds > 0)) {
    return `online.ttl is ${ttl.toHumanString()}, but it must be > 0 (it is how long a record stays online, and Feast reads a ttl of 0 as 'forever'); e.g. Duration.days(7)`;
  }
  return seconds;
}
