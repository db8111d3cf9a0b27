import { brand, isA } from './brand';
import { show } from './errors';
import { MODEL_RULES, numberProblems } from './rules';

export interface RetryPolicyProps {
  /** Retries after the first failed attempt (0 means run once). */
  readonly maxRetries: number;
  /** Wait before the first retry. @default 10 */
  readonly intervalSeconds?: number;
  /** Factor by which the wait grows after each retry. @default 2 */
  readonly backoffRate?: number;
}

/**
 * How often a failed step is tried again and how long to wait in between. Every engine retries a
 * step whose code exits non-zero; SageMaker also retries its own service and capacity faults.
 */
export class RetryPolicy {
  public static of(props: RetryPolicyProps): RetryPolicy {
    return new RetryPolicy(props.maxRetries, props.intervalSeconds ?? 10, props.backoffRate ?? 2);
  }

  public static none(): RetryPolicy {
    return new RetryPolicy(0, 10, 2);
  }

  private constructor(
    public readonly maxRetries: number,
    public readonly intervalSeconds: number,
    public readonly backoffRate: number,
  ) {}

  /** Seconds to wait before retry number `retry` (1-based). */
  public delaySeconds(retry: number): number {
    return this.intervalSeconds * Math.pow(this.backoffRate, retry - 1);
  }

  public problems(): string[] {
    return [
      ...numberProblems(MODEL_RULES.retryMaxRetries, this.maxRetries),
      ...numberProblems(MODEL_RULES.retryIntervalSeconds, this.intervalSeconds),
      ...numberProblems(MODEL_RULES.retryBackoffRate, this.backoffRate),
    ];
  }
}

export interface CachePolicyProps {
  /** How long a cached result stays valid. @default no expiry */
  readonly expireAfterHours?: number;
}

/**
 * Whether a step may reuse the result of an earlier identical run. "Identical" means the same
 * step definition, code, inputs and parameter values it reads.
 */
export class CachePolicy {
  public static enabled(props: CachePolicyProps = {}): CachePolicy {
    return new CachePolicy(true, props.expireAfterHours);
  }

  public static disabled(): CachePolicy {
    return new CachePolicy(false, undefined);
  }

  private constructor(
    public readonly isEnabled: boolean,
    public readonly expireAfterHours: number | undefined,
  ) {}

  public problems(): string[] {
    return numberProblems(MODEL_RULES.cacheExpireAfterHours, this.expireAfterHours);
  }
}

/** The problems of a step's or a default's retry policy, which may be unset. */
export function retryProblems(retry: RetryPolicy | undefined): string[] {
  if (retry === undefined) {
    return [];
  }
  return isA(retry, RetryPolicy) ? retry.problems() : [`retry ${show(retry)} is not a RetryPolicy; use RetryPolicy.of({ maxRetries: 2 }) or RetryPolicy.none()`];
}

/** The problems of a step's or a default's cache policy, which may be unset. */
export function cacheProblems(cache: CachePolicy | undefined): string[] {
  if (cache === undefined) {
    return [];
  }
  return isA(cache, CachePolicy) ? cache.problems() : [`cache ${show(cache)} is not a CachePolicy; use CachePolicy.enabled() or CachePolicy.disabled()`];
}

brand(RetryPolicy, 'cdk-mlops.RetryPolicy');
brand(CachePolicy, 'cdk-mlops.CachePolicy');
