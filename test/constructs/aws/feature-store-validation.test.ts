/** aws.FeatureStoreTable: every bad input fails at synth with the exact message (what, what is allowed, the fix). */
import { Duration, Stack } from 'aws-cdk-lib';
import { FeatureStoreTable, FeatureStoreTableProps, OnlineStorageType, Throughput } from '../../../constructs/aws/feature-store';
import { PipelineValidationError } from '../../../lib/pipeline/errors';
import { FeatureType } from '../../../lib/pipeline/feature-type';
import { testApp } from '../../support/aws';

const ALLOWED = "letters, digits, '-' and '_', max 64 characters, starting and ending with a letter or digit";

function valid(): FeatureStoreTableProps {
  return {
    recordIdentifier: 'customer_id',
    eventTime: 'event_time',
    features: { customer_id: FeatureType.string(), event_time: FeatureType.string(), spend: FeatureType.fractional() },
    online: {},
    offline: {},
  };
}

/** The problems the construct reports for these props (fails the test when it reports none). */
function problemsOf(changes: Partial<FeatureStoreTableProps>): string[] {
  const stack = new Stack(testApp(), 'S');
  try {
    new FeatureStoreTable(stack, 'Customers', { ...valid(), ...changes });
  } catch (e) {
    expect(PipelineValidationError.isPipelineValidationError(e)).toBe(true);
    expect((e as Error).message.startsWith("FeatureStoreTable 'S/Customers':")).toBe(true);
    return (e as PipelineValidationError).problems;
  }
  throw new Error('expected the props to be rejected');
}

function withFeatures(extra: { [name: string]: FeatureType }): Partial<FeatureStoreTableProps> {
  return { features: { ...valid().features, ...extra } };
}

test('the valid props pass', () => {
  expect(() => new FeatureStoreTable(new Stack(testApp(), 'S'), 'Customers', valid())).not.toThrow();
});

test('a single problem is one line after the construct path', () => {
  expect(() => new FeatureStoreTable(new Stack(testApp(), 'S'), 'Customers', { ...valid(), online: undefined, offline: undefined }))
    .toThrow("FeatureStoreTable 'S/Customers': neither store is enabled; give online: {} for serving, offline: {} for training history, or both");
});

describe('feature names', () => {
  test('characters SageMaker rejects', () => {
    expect(problemsOf(withFeatures({ 'monthly spend': FeatureType.fractional() }))).toEqual([
      `feature 'monthly spend' has a name SageMaker rejects (allowed: ${ALLOWED}); rename it, e.g. 'monthly_spend'`,
    ]);
    expect(problemsOf(withFeatures({ '_score': FeatureType.fractional() }))).toEqual([
      `feature '_score' has a name SageMaker rejects (allowed: ${ALLOWED}); rename it, e.g. 'score'`,
    ]);
  });

  test('longer than 64 characters', () => {
    const long = 'f'.repeat(65);
    expect(problemsOf(withFeatures({ [long]: FeatureType.integral() }))).toEqual([
      `feature '${long}' has a name SageMaker rejects (allowed: ${ALLOWED}); rename it, e.g. '${'f'.repeat(64)}'`,
    ]);
  });

  test('names Feature Store reserves, in any case', () => {
    expect(problemsOf(withFeatures({ write_time: FeatureType.string(), Is_Deleted: FeatureType.integral() }))).toEqual([
      "feature 'write_time' uses a name Feature Store reserves for its own columns (is_deleted, write_time, api_invocation_time, in any case); rename it, e.g. 'write_time_value'",
      "feature 'Is_Deleted' uses a name Feature Store reserves for its own columns (is_deleted, write_time, api_invocation_time, in any case); rename it, e.g. 'is_deleted_value'",
    ]);
  });

  test('duplicates that differ only in case', () => {
    expect(problemsOf(withFeatures({ Spend: FeatureType.fractional() }))).toEqual([
      "features 'spend' and 'Spend' differ only in case, but the offline store's Glue columns are case-insensitive; rename one",
    ]);
  });

  test('a value that is not a FeatureType', () => {
    expect(problemsOf(withFeatures({ plan: 'String' as any }))).toEqual([
      "feature 'plan' has type 'String'; use FeatureType.integral(), FeatureType.fractional() or FeatureType.string()",
    ]);
  });

  test('more features than a feature group takes', () => {
    const features: { [name: string]: FeatureType } = { ...valid().features };
    for (let i = 0; features && Object.keys(features).length < 2501; i++) {
      features[`f${i}`] = FeatureType.integral();
    }
    expect(problemsOf({ features })).toEqual(['features has 2501 features, but a SageMaker feature group takes at most 2500; split them across tables']);
    delete features.f0;
    expect(() => new FeatureStoreTable(new Stack(testApp(), 'S'), 'Customers', { ...valid(), features })).not.toThrow();
  });
});

describe('record identifier and event time', () => {
  test('missing from the features', () => {
    expect(problemsOf({ recordIdentifier: 'id' })).toEqual([
      "recordIdentifier 'id' is not one of the features ('customer_id', 'event_time', 'spend'); add id: FeatureType.string() to features",
    ]);
    expect(problemsOf({ eventTime: 'ts' })).toEqual([
      "eventTime 'ts' is not one of the features ('customer_id', 'event_time', 'spend'); add ts: FeatureType.string() to features",
    ]);
  });

  test('an event time that is neither String nor Fractional', () => {
    expect(problemsOf(withFeatures({ event_time: FeatureType.integral() }))).toEqual([
      "eventTime 'event_time' is FeatureType.integral(), but SageMaker takes String or Fractional for the event time; " +
        'use FeatureType.string() for ISO-8601 times (2026-01-31T12:00:00Z) or FeatureType.fractional() for epoch seconds',
    ]);
  });

  test('a Fractional record identifier', () => {
    expect(problemsOf(withFeatures({ customer_id: FeatureType.fractional() }))).toEqual([
      "recordIdentifier 'customer_id' is FeatureType.fractional(), but SageMaker takes Integral or String for the record identifier; use FeatureType.string()",
    ]);
  });

  test('the same feature for both', () => {
    expect(problemsOf({ recordIdentifier: 'event_time' })).toEqual([
      "recordIdentifier and eventTime are both 'event_time'; they must be two different features",
    ]);
  });

  test('an Integral record identifier and a Fractional event time are fine', () => {
    const props = { ...valid(), features: { customer_id: FeatureType.integral(), event_time: FeatureType.fractional() } };
    expect(() => new FeatureStoreTable(new Stack(testApp(), 'S'), 'Customers', props)).not.toThrow();
  });
});

describe('stores, TTL and throughput', () => {
  test('a TTL under a second or in fractions of a second', () => {
    expect(problemsOf({ online: { ttl: Duration.millis(500) } })).toEqual([
      "online.ttl is 500 millis, but SageMaker's TtlDuration takes whole seconds, at least 1 second; e.g. Duration.days(7)",
    ]);
    expect(problemsOf({ online: { ttl: Duration.millis(1500) } })).toEqual([
      "online.ttl is 1 second 500 millis, but SageMaker's TtlDuration takes whole seconds, at least 1 second; e.g. Duration.days(7)",
    ]);
    expect(problemsOf({ online: { ttl: Duration.days(0) } })).toEqual([
      "online.ttl is 0 days, but SageMaker's TtlDuration takes whole seconds, at least 1 second; e.g. Duration.days(7)",
    ]);
  });

  test('a TTL past the 32-bit TtlDuration value', () => {
    expect(problemsOf({ online: { ttl: Duration.seconds(2_147_483_648 * 7 + 1) } })).toEqual([
      "online.ttl is 173985 days 22 hours (15032385537 seconds), longer than SageMaker's TtlDuration holds (2147483647 of its largest exact unit); use a shorter TTL or none",
    ]);
  });

  test('provisioned throughput on the InMemory tier', () => {
    expect(problemsOf({ online: { storageType: OnlineStorageType.IN_MEMORY }, throughput: Throughput.provisioned({ readCapacityUnits: 5, writeCapacityUnits: 5 }) })).toEqual([
      'throughput is provisioned, but SageMaker supports provisioned throughput only for offline-only groups or the Standard online tier; ' +
        'use Throughput.onDemand() or online.storageType OnlineStorageType.STANDARD',
    ]);
  });

  test('capacity units outside the API range, and read units without an online store', () => {
    expect(problemsOf({ throughput: Throughput.provisioned({ readCapacityUnits: -1, writeCapacityUnits: 1.5 }) })).toEqual([
      'throughput readCapacityUnits is -1, but SageMaker allows whole numbers 0–10,000,000; e.g. 100',
      'throughput writeCapacityUnits is 1.5, but SageMaker allows whole numbers 0–10,000,000; e.g. 100',
    ]);
    expect(problemsOf({ online: undefined, throughput: Throughput.provisioned({ readCapacityUnits: 10, writeCapacityUnits: 10 }) })).toEqual([
      'throughput readCapacityUnits is given, but read capacity applies to the online store only and this table has none; remove readCapacityUnits or enable the online store',
    ]);
  });

  test('a throughput that is not a Throughput', () => {
    expect(problemsOf({ throughput: 'OnDemand' as any })).toEqual([
      "throughput is 'OnDemand'; use Throughput.onDemand() or Throughput.provisioned({ writeCapacityUnits: 100 })",
    ]);
  });
});

describe('names and locations', () => {
  test('an invalid feature group name', () => {
    expect(problemsOf({ featureGroupName: 'customers v1' })).toEqual([
      `featureGroupName 'customers v1' is invalid for SageMaker (allowed: ${ALLOWED}); e.g. 'customers_v1'`,
    ]);
    expect(problemsOf({ featureGroupName: `-${'c'.repeat(64)}` })).toEqual([
      `featureGroupName '-${'c'.repeat(64)}' is invalid for SageMaker (allowed: ${ALLOWED}); e.g. '${'c'.repeat(64)}'`,
    ]);
  });

  test('a description over 128 characters', () => {
    expect(problemsOf({ description: 'd'.repeat(129) })).toEqual(['description has 129 characters, but SageMaker takes at most 128; shorten it']);
  });

  test('an offline prefix with a leading slash, and a Glue table without its database', () => {
    expect(problemsOf({ offline: { prefix: '/features', glueTable: 'customers' } })).toEqual([
      "offline.prefix '/features' is invalid (allowed: S3-safe characters without a leading or trailing '/'); e.g. 'feature-store/customers'",
      "offline.glueTable 'customers' is given without offline.glueDatabase; name the database the table goes in, or leave both out",
    ]);
  });

  test('every problem is reported at once', () => {
    expect(problemsOf({ featureGroupName: 'a b', recordIdentifier: 'id', online: { ttl: Duration.millis(1) } })).toHaveLength(3);
  });
});
