import { createHash } from 'crypto';
import { Stack } from 'aws-cdk-lib';
import { show } from '../../../lib/pipeline/errors';

/**
 * The properties whose change makes CloudFormation replace an AWS::SageMaker::FeatureGroup: the
 * resource schema's createOnlyProperties (as cfn-lint ships it), in fingerprint order, each with
 * the construct prop a user changes. FeatureDefinitions and ThroughputConfig and
 * OnlineStoreConfig.TtlDuration are updated in place.
 */
export const REPLACING_PROPERTIES: ReadonlyArray<{ readonly property: string; readonly prop: string }> = [
  { property: 'FeatureGroupName', prop: 'featureGroupName' },
  { property: 'RecordIdentifierFeatureName', prop: 'recordIdentifier' },
  { property: 'EventTimeFeatureName', prop: 'eventTime' },
  { property: 'OnlineStoreConfig.EnableOnlineStore', prop: 'online (given or not)' },
  { property: 'OnlineStoreConfig.SecurityConfig', prop: 'encryptionKey of the online store' },
  { property: 'OnlineStoreConfig.StorageType', prop: 'online.storageType' },
  { property: 'OfflineStoreConfig', prop: 'offline (bucket, prefix, tableFormat, Glue names, key)' },
  { property: 'RoleArn', prop: 'the offline store role' },
  { property: 'Description', prop: 'description' },
  { property: 'Tags', prop: 'tags (Tags.of(...).add)' },
];

const VERSION = 'fsg1';
const DIGEST_LENGTH = 6;
const FORMAT = new RegExp(`^${VERSION}-[0-9a-f]{${DIGEST_LENGTH * REPLACING_PROPERTIES.length}}$`);

/** JSON with object keys sorted, so the same value always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonical).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as object).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * The fingerprint of the replacing properties' values, one short digest per property (so a
 * mismatch can name the property): 'fsg1-' and 6 hex digits per property. Deploy-time values are
 * hashed as their CloudFormation expressions (a Ref to the same logical ID is the same value).
 */
export function replacementFingerprint(stack: Stack, values: unknown[]): string {
  const digests = values.map((v) => createHash('sha256').update(canonical(stack.resolve(v))).digest('hex').slice(0, DIGEST_LENGTH));
  return `${VERSION}-${digests.join('')}`;
}

function digestsOf(fingerprint: string): string[] {
  const body = fingerprint.slice(VERSION.length + 1);
  return REPLACING_PROPERTIES.map((_, i) => body.slice(i * DIGEST_LENGTH, (i + 1) * DIGEST_LENGTH));
}

/** The replacing properties whose values differ between two fingerprints. */
export function changedProperties(pinned: string, current: string): string[] {
  const before = digestsOf(pinned);
  const after = digestsOf(current);
  return REPLACING_PROPERTIES.filter((_, i) => before[i] !== after[i]).map((p) => p.property);
}

/** Why the current props may not be deployed over the pinned group; empty when they may. */
export function guardProblems(pinned: string, current: string, allowReplacement: boolean): string[] {
  if (!FORMAT.test(pinned)) {
    return [`replacementGuard ${show(pinned)} is not a fingerprint this construct made (expected '${VERSION}-' and ` +
      `${DIGEST_LENGTH * REPLACING_PROPERTIES.length} hex digits); pin the one it reports for the deployed group, e.g. '${current}'`];
  }
  const changed = changedProperties(pinned, current);
  if (changed.length === 0) {
    return [];
  }
  if (!allowReplacement) {
    const named = changed.map((property) => `${REPLACING_PROPERTIES.find((p) => p.property === property)!.prop} (${property})`);
    return [`changing ${named.join(', ')} makes CloudFormation replace the feature group with a new, empty one; ` +
      `revert the change, or set allowReplacement: true with a new featureGroupName and then pin replacementGuard: '${current}'`];
  }
  if (!changed.includes('FeatureGroupName')) {
    return [`allowReplacement is set for a change of ${changed.join(', ')}, but the feature group keeps its name and ` +
      'CloudFormation cannot replace a named resource in place; give a new featureGroupName too'];
  }
  return [];
}
