import { Duration, Token } from 'aws-cdk-lib';
import { brand, isA } from '../../../lib/pipeline/brand';
import { ROLLOUT_LIMITS } from './limits';

/** How traffic moves to the new fleet on an update (SageMaker TrafficRoutingConfig Type). */
export enum TrafficShift {
  ALL_AT_ONCE = 'ALL_AT_ONCE',
  CANARY = 'CANARY',
  LINEAR = 'LINEAR',
}

/** What every rollout takes: the limits of SageMaker's BlueGreenUpdatePolicy. */
export interface RolloutTimeouts {
  /**
   * How long the whole deployment may run before SageMaker rolls it back
   * (MaximumExecutionTimeoutInSeconds, 600–28800 s). @default - SageMaker's default
   */
  readonly maximumExecutionTimeout?: Duration;
  /**
   * How long the old fleet is kept after all traffic has moved, so a late alarm can still roll
   * back (TerminationWaitInSeconds, 0–3600 s). @default Duration.minutes(5)
   */
  readonly terminationWait?: Duration;
}

export interface CanaryRolloutOptions extends RolloutTimeouts {
  /** Share of the new fleet's capacity that takes traffic first (CAPACITY_PERCENT, 1–50). */
  readonly percent: number;
  /** How long the canary takes traffic, watched by the rollback alarms, before the rest moves (0–3600 s). */
  readonly bake: Duration;
}

export interface LinearRolloutOptions extends RolloutTimeouts {
  /** Share of the new fleet's capacity each step adds (CAPACITY_PERCENT, 10–50). */
  readonly stepPercent: number;
  /** How long each step is watched before the next (0–3600 s). */
  readonly interval: Duration;
}

export interface AllAtOnceRolloutOptions extends RolloutTimeouts {
  /** How long the new fleet takes all traffic, watched by the alarms, before the old one is released (0–3600 s). @default Duration.minutes(5) */
  readonly bake?: Duration;
}

/** A guarded blue/green rollout: how SageMaker moves traffic on every endpoint update. */
export class Rollout {
  /** True for a Rollout from any copy of cdk-mlops. */
  public static isRollout(x: unknown): x is Rollout {
    return isA(x, Rollout);
  }

  /** A canary slice of `percent` for `bake`, then the rest at once. */
  public static canary(options: CanaryRolloutOptions): Rollout {
    return new Rollout(TrafficShift.CANARY, options.bake, options, options.percent);
  }

  /** Steps of `stepPercent`, each watched for `interval`. */
  public static linear(options: LinearRolloutOptions): Rollout {
    return new Rollout(TrafficShift.LINEAR, options.interval, options, options.stepPercent);
  }

  /** All traffic at once, watched for `bake` before the old fleet goes. */
  public static allAtOnce(options: AllAtOnceRolloutOptions = {}): Rollout {
    return new Rollout(TrafficShift.ALL_AT_ONCE, options.bake ?? Duration.minutes(5), options);
  }

  /** @internal The rollout of an endpoint that names none: a 10 % canary baked for 10 minutes. */
  public static _default(): Rollout {
    return Rollout.canary({ percent: 10, bake: Duration.minutes(10) });
  }

  private constructor(
    /** How traffic shifts. */
    public readonly shift: TrafficShift,
    /** The wait of each step. */
    public readonly wait: Duration,
    private readonly timeouts: RolloutTimeouts,
    /** The canary or step size in percent of capacity; undefined for all at once. */
    public readonly percent?: number,
  ) {}

  /** What is wrong with this rollout's values; empty when SageMaker accepts them. */
  /** @internal */
  public _problems(): string[] {
    const problems: string[] = [];
    const range = (what: string, value: number | undefined, limits: { min: number; max: number }, unit: string, fix: string) => {
      if (value === undefined || Token.isUnresolved(value)) {
        return;
      }
      if (!Number.isInteger(value) || value < limits.min || value > limits.max) {
        problems.push(`${what} is ${value}${unit}, but SageMaker allows ${limits.min}–${limits.max}${unit}; ${fix}`);
      }
    };
    if (this.shift === TrafficShift.CANARY) {
      range('rollout canary percent', this.percent, ROLLOUT_LIMITS.canaryPercent, ' %', 'pick a whole number, e.g. 10');
    }
    if (this.shift === TrafficShift.LINEAR) {
      range('rollout linear stepPercent', this.percent, ROLLOUT_LIMITS.linearPercent, ' %', 'pick a whole number, e.g. 20');
    }
    const bakeName = this.shift === TrafficShift.LINEAR ? 'rollout interval' : 'rollout bake';
    range(bakeName, seconds(this.wait), ROLLOUT_LIMITS.waitSeconds, ' s', 'e.g. Duration.minutes(10)');
    range('rollout maximumExecutionTimeout', seconds(this.timeouts.maximumExecutionTimeout), ROLLOUT_LIMITS.maximumExecutionSeconds, ' s', 'e.g. Duration.hours(1)');
    range('rollout terminationWait', seconds(this.timeouts.terminationWait), ROLLOUT_LIMITS.terminationWaitSeconds, ' s', 'e.g. Duration.minutes(5)');
    return problems;
  }

  /** The BlueGreenUpdatePolicy of a CfnEndpoint DeploymentConfig (or of an UpdateEndpoint call). */
  /** @internal */
  public _renderBlueGreen(): { [key: string]: any } {
    const size = this.percent === undefined ? undefined : { type: 'CAPACITY_PERCENT', value: this.percent };
    return {
      trafficRoutingConfiguration: {
        type: this.shift,
        waitIntervalInSeconds: seconds(this.wait),
        ...(this.shift === TrafficShift.CANARY ? { canarySize: size } : {}),
        ...(this.shift === TrafficShift.LINEAR ? { linearStepSize: size } : {}),
      },
      terminationWaitInSeconds: seconds(this.timeouts.terminationWait ?? Duration.minutes(5)),
      ...(this.timeouts.maximumExecutionTimeout ? { maximumExecutionTimeoutInSeconds: seconds(this.timeouts.maximumExecutionTimeout) } : {}),
    };
  }
}

function seconds(d: Duration | undefined): number | undefined {
  if (d === undefined) {
    return undefined;
  }
  // toSeconds() throws on fractions of a second; report those as the value they are instead.
  return d.toMilliseconds() / 1000;
}

brand(Rollout, 'cdk-mlops.aws.Rollout');
