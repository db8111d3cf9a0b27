import { Duration } from 'cdk8s';
import { brand, isA } from '../../../lib/pipeline/brand';
import { show } from '../../../lib/pipeline/errors';
import { ENDPOINT_LIMITS } from './limits';

/** How traffic moves to the new model on an update (the names of aws.TrafficShift). */
export enum EndpointTrafficShift {
  ALL_AT_ONCE = 'ALL_AT_ONCE',
  CANARY = 'CANARY',
  LINEAR = 'LINEAR',
}

export interface EndpointCanaryOptions {
  /** Share of traffic (percent, 1–99) the new model takes first. */
  readonly percent: number;
  /** How long the canary is watched before the rest moves (> 0, whole seconds). */
  readonly bake: Duration;
}

export interface EndpointLinearOptions {
  /** Share each step adds (percent, 10–50, as on AWS). */
  readonly stepPercent: number;
  /** How long each step is watched before the next (> 0, whole seconds). */
  readonly interval: Duration;
}

export interface EndpointAllAtOnceOptions {
  /** How long the new model takes all traffic, watched, before it is promoted (> 0). @default Duration.minutes(5) */
  readonly bake?: Duration;
}

/** One step of a rollout: a traffic share and how long it is watched. */
export interface TrafficStep {
  readonly weight: number;
  readonly pauseSeconds: number;
}

/**
 * How an update of a k8s.CanaryEndpoint moves traffic: the same three shapes as aws.Rollout
 * (canary, linear, all at once), rendered as Argo Rollouts steps or a KServe canary percent.
 */
export class EndpointRollout {
  /** True for an EndpointRollout from any copy of cdk-mlops. */
  public static isEndpointRollout(x: unknown): x is EndpointRollout {
    return isA(x, EndpointRollout);
  }

  /** `percent` of traffic for `bake`, then the rest at once. */
  public static canary(options: EndpointCanaryOptions): EndpointRollout {
    return new EndpointRollout(EndpointTrafficShift.CANARY, options.bake, options.percent);
  }

  /** Steps of `stepPercent`, each watched for `interval`, until all traffic has moved. */
  public static linear(options: EndpointLinearOptions): EndpointRollout {
    return new EndpointRollout(EndpointTrafficShift.LINEAR, options.interval, options.stepPercent);
  }

  /** All traffic at once, watched for `bake` before the new model is promoted. */
  public static allAtOnce(options: EndpointAllAtOnceOptions = {}): EndpointRollout {
    return new EndpointRollout(EndpointTrafficShift.ALL_AT_ONCE, options.bake ?? Duration.minutes(5));
  }

  /** @internal The rollout of an endpoint that names none, as on AWS: a 10 % canary baked for 10 minutes. */
  public static _default(): EndpointRollout {
    return EndpointRollout.canary({ percent: 10, bake: Duration.minutes(10) });
  }

  private constructor(
    /** How traffic shifts. */
    public readonly shift: EndpointTrafficShift,
    /** How long each step is watched. */
    public readonly wait: Duration,
    /** The canary or step size in percent; undefined for all at once. */
    public readonly percent?: number,
  ) {}

  /** @internal What is wrong with the rollout's values. */
  public _problems(): string[] {
    const problems: string[] = [];
    const range = (what: string, limits: { min: number; max: number }, example: number) => {
      const value = this.percent;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < limits.min || value > limits.max) {
        problems.push(`${what} is ${show(value)} %, but it must be a whole number ${limits.min}–${limits.max} %; e.g. ${example}`);
      }
    };
    if (this.shift === EndpointTrafficShift.CANARY) {
      range('rollout canary percent', ENDPOINT_LIMITS.canaryPercent, 10);
    }
    if (this.shift === EndpointTrafficShift.LINEAR) {
      range('rollout linear stepPercent', ENDPOINT_LIMITS.linearPercent, 20);
    }
    const what = this.shift === EndpointTrafficShift.LINEAR ? 'rollout interval' : 'rollout bake';
    const ms = this.wait instanceof Duration ? this.wait.toMilliseconds() : NaN;
    if (!(ms > 0) || ms % 1000 !== 0) {
      problems.push(`${what} is ${Number.isNaN(ms) ? show(this.wait) : `${ms / 1000} s`}, but the analysis needs time to watch each step: it must be > 0 and whole seconds; e.g. Duration.minutes(10)`);
    }
    return problems;
  }

  /** @internal The traffic steps: a share and its watch, the last one followed by promotion to 100 %. */
  public _steps(): TrafficStep[] {
    const pauseSeconds = this.wait.toSeconds();
    if (this.shift === EndpointTrafficShift.ALL_AT_ONCE) {
      return [{ weight: 100, pauseSeconds }];
    }
    if (this.shift === EndpointTrafficShift.CANARY) {
      return [{ weight: this.percent!, pauseSeconds }];
    }
    const steps: TrafficStep[] = [];
    for (let weight = this.percent!; weight < 100; weight += this.percent!) {
      steps.push({ weight, pauseSeconds });
    }
    return steps;
  }
}

brand(EndpointRollout, 'cdk-mlops.k8s.EndpointRollout');
