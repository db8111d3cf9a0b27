import { Duration, Token } from 'aws-cdk-lib';
import { show } from '../../../lib/pipeline/errors';

/** TtlDuration.Value is a 32-bit integer of at least 1 (botocore TtlDurationValue: min 1). */
const MAX_VALUE = 2_147_483_647;

const UNITS: [string, number][] = [['Weeks', 604_800], ['Days', 86_400], ['Hours', 3_600], ['Minutes', 60], ['Seconds', 1]];

/** A TTL as SageMaker's TtlDuration, in the largest unit that holds it exactly (7 days is 1 Weeks). */
export function renderTtl(ttl: Duration): { Unit: string; Value: number } {
  const seconds = ttl.toSeconds();
  const [unit, size] = UNITS.find(([, s]) => seconds % s === 0)!;
  return { Unit: unit, Value: seconds / size };
}

/** What is wrong with a TTL, or undefined when SageMaker takes it. */
export function ttlProblem(ttl: Duration): string | undefined {
  if (!(ttl instanceof Duration)) {
    return `online.ttl is ${show(ttl)}; use a Duration, e.g. Duration.days(7)`;
  }
  if (Token.isUnresolved(ttl)) {
    return undefined;
  }
  const millis = ttl.toMilliseconds();
  if (!(millis >= 1000 && millis % 1000 === 0)) {
    return `online.ttl is ${ttl.toHumanString()}, but SageMaker's TtlDuration takes whole seconds, at least 1 second; e.g. Duration.days(7)`;
  }
  if (renderTtl(ttl).Value > MAX_VALUE) {
    return `online.ttl is ${ttl.toHumanString()} (${ttl.toSeconds()} seconds), longer than SageMaker's TtlDuration holds (${MAX_VALUE} of its largest exact unit); use a shorter TTL or none`;
  }
  return undefined;
}
