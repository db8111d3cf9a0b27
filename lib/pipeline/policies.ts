import { show } from './errors';
import { brand } from './brand';

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
    const problems: string[] = [];
    if (!Number.isSafeInteger(this.maxRetries) || this.maxRetries < 0) {
      problems.push(`retry maxRetries ${show(this.maxRetries)} is invalid (allowed: a whole number >= 0); e.g. RetryPolicy.of({ maxRetries: 2 })`);
    }
    if (!Number.isFinite(this.intervalSeconds) || this.intervalSeconds < 0) {
      problems.push(`retry intervalSeconds ${show(this.intervalSeconds)} is invalid (allowed: a number >= 0)`);
    }
    if (!Number.isFinite(this.backoffRate) || this.backoffRate < 1) {
      problems.push(`retry backoffRate ${show(this.backoffRate)} is invalid (allowed: a number >= 1; 1 means a constant wait)`);
    }
    return problems;
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
    public readonly enabled: boolean,
    public readonly expireAfterHours: number | undefined,
  ) {}

  public problems(): string[] {
    const h = this.expireAfterHours;
    if (h !== undefined && (!Number.isFinite(h) || h <= 0)) {
      return [`cache expireAfterHours ${show(h)} is invalid (allowed: a number > 0); omit it for no expiry`];
    }
    return [];
  }
}

brand(RetryPolicy, 'cdk-mlops.RetryPolicy');
brand(CachePolicy, 'cdk-mlops.CachePolicy');
