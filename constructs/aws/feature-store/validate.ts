import { Token } from 'aws-cdk-lib';
import { show } from '../../../lib/pipeline/errors';
import { FeatureKind, FeatureType } from '../../../lib/pipeline/feature-type';
import { OnlineStorageType, FeatureStoreTableProps } from './props';
import { Throughput, ThroughputMode } from './throughput';
import { ttlProblem } from './ttl';

/**
 * SageMaker's rules, from botocore's SageMaker model (FeatureName, FeatureGroupName, Description,
 * FeatureDefinitions min/max) and the CreateFeatureGroup reference (reserved names, event time types).
 */
export const FEATURE_STORE_LIMITS = {
  /** FeatureName and FeatureGroupName: the model's pattern, anchored, and at most 64 characters. */
  namePattern: /^[a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,63}$/,
  nameMaxLength: 64,
  maxFeatures: 2500,
  descriptionMaxLength: 128,
  /** Names Feature Store adds to the offline store's table itself. */
  reservedNames: ['is_deleted', 'write_time', 'api_invocation_time'],
};

const NAME_ALLOWED = "letters, digits, '-' and '_', max 64 characters, starting and ending with a letter or digit";
const EVENT_TIME_KINDS = [FeatureKind.STRING, FeatureKind.FRACTIONAL];
const IDENTIFIER_KINDS = [FeatureKind.INTEGRAL, FeatureKind.STRING];

function validName(name: string): boolean {
  return name.length <= FEATURE_STORE_LIMITS.nameMaxLength && FEATURE_STORE_LIMITS.namePattern.test(name);
}

function suggestName(name: string, fallback: string): string {
  return show(name.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^[-_]+|[-_]+$/g, '').slice(0, 64) || fallback);
}

/** Every problem of the props, each naming the value, what is allowed and the fix. */
export function featureStoreProblems(props: FeatureStoreTableProps): string[] {
  const problems: string[] = [];
  const name = props.featureGroupName;
  if (name !== undefined && !Token.isUnresolved(name) && !validName(name)) {
    problems.push(`featureGroupName ${show(name)} is invalid for SageMaker (allowed: ${NAME_ALLOWED}); e.g. ${suggestName(name, 'customers')}`);
  }
  const description = props.description;
  if (description !== undefined && !Token.isUnresolved(description) && description.length > FEATURE_STORE_LIMITS.descriptionMaxLength) {
    problems.push(`description has ${description.length} characters, but SageMaker takes at most ${FEATURE_STORE_LIMITS.descriptionMaxLength}; shorten it`);
  }
  if (!props.online && !props.offline) {
    problems.push('neither store is enabled; give online: {} for serving, offline: {} for training history, or both');
  }
  problems.push(...featureProblems(props));
  if (props.throughput !== undefined && !Throughput.isThroughput(props.throughput)) {
    problems.push(`throughput is ${show(props.throughput)}; use Throughput.onDemand() or Throughput.provisioned({ writeCapacityUnits: 100 })`);
  } else if (props.throughput) {
    problems.push(...props.throughput._problems(props.online !== undefined));
    if (props.throughput.mode === ThroughputMode.PROVISIONED && props.online?.storageType === OnlineStorageType.IN_MEMORY) {
      problems.push('throughput is provisioned, but SageMaker supports provisioned throughput only for offline-only groups or the Standard online tier; ' +
        'use Throughput.onDemand() or online.storageType OnlineStorageType.STANDARD');
    }
  }
  if (props.online?.ttl !== undefined) {
    const ttl = ttlProblem(props.online.ttl);
    if (ttl) {
      problems.push(ttl);
    }
  }
  const offline = props.offline;
  const prefix = offline?.prefix;
  if (prefix !== undefined && !Token.isUnresolved(prefix) && (prefix === '' || prefix.startsWith('/') || prefix.endsWith('/') || !/^[A-Za-z0-9!_.*'()/-]+$/.test(prefix))) {
    problems.push(`offline.prefix ${show(prefix)} is invalid (allowed: S3-safe characters without a leading or trailing '/'); e.g. 'feature-store/customers'`);
  }
  if (offline?.glueTable !== undefined && offline.glueDatabase === undefined) {
    problems.push(`offline.glueTable ${show(offline.glueTable)} is given without offline.glueDatabase; name the database the table goes in, or leave both out`);
  }
  return problems;
}

function featureProblems(props: FeatureStoreTableProps): string[] {
  const problems: string[] = [];
  const features = props.features ?? {};
  const names = Object.keys(features);
  if (names.length > FEATURE_STORE_LIMITS.maxFeatures) {
    problems.push(`features has ${names.length} features, but a SageMaker feature group takes at most ${FEATURE_STORE_LIMITS.maxFeatures}; split them across tables`);
  }
  const seen = new Map<string, string>();
  for (const name of names) {
    if (!validName(name)) {
      problems.push(`feature ${show(name)} has a name SageMaker rejects (allowed: ${NAME_ALLOWED}); rename it, e.g. ${suggestName(name, 'feature')}`);
    }
    const lower = name.toLowerCase();
    if (FEATURE_STORE_LIMITS.reservedNames.includes(lower)) {
      problems.push(`feature ${show(name)} uses a name Feature Store reserves for its own columns (${FEATURE_STORE_LIMITS.reservedNames.join(', ')}, in any case); rename it, e.g. '${lower}_value'`);
    }
    // The offline store's Glue/Athena columns are case-insensitive, so 'Spend' and 'spend' would collide there.
    const first = seen.get(lower);
    if (first !== undefined) {
      problems.push(`features ${show(first)} and ${show(name)} differ only in case, but the offline store's Glue columns are case-insensitive; rename one`);
    } else {
      seen.set(lower, name);
    }
    if (!FeatureType.isFeatureType(features[name])) {
      problems.push(`feature ${show(name)} has type ${show(features[name])}; use FeatureType.integral(), FeatureType.fractional() or FeatureType.string()`);
    }
  }
  problems.push(...keyFeatureProblems('recordIdentifier', props.recordIdentifier, features, IDENTIFIER_KINDS, 'FeatureType.string()'));
  problems.push(...keyFeatureProblems('eventTime', props.eventTime, features, EVENT_TIME_KINDS,
    'FeatureType.string() for ISO-8601 times (2026-01-31T12:00:00Z) or FeatureType.fractional() for epoch seconds'));
  if (props.recordIdentifier !== undefined && props.recordIdentifier === props.eventTime) {
    problems.push(`recordIdentifier and eventTime are both ${show(props.eventTime)}; they must be two different features`);
  }
  return problems;
}

function keyFeatureProblems(prop: string, name: string, features: { [name: string]: FeatureType }, kinds: FeatureKind[], fix: string): string[] {
  if (typeof name !== 'string' || name === '') {
    return [`${prop} is ${show(name)}; name one of the features`];
  }
  if (!Object.prototype.hasOwnProperty.call(features, name)) {
    const known = Object.keys(features).slice(0, 5).map((n) => `'${n}'`).join(', ');
    return [`${prop} ${show(name)} is not one of the features (${known || 'none given'}); add ${name}: ${fix.split(' ')[0]} to features`];
  }
  const type = features[name];
  if (FeatureType.isFeatureType(type) && !kinds.includes(type.kind)) {
    return [`${prop} ${show(name)} is ${type.toString()}, but SageMaker takes ${kinds.join(' or ')} for the ${prop === 'eventTime' ? 'event time' : 'record identifier'}; use ${fix}`];
  }
  return [];
}
