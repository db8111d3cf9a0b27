import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ModelSource } from './model-source';
import { Rollout } from './rollout';

/** A serverless variant (no instances; SageMaker scales it). */
export interface ServerlessOptions {
  /** Memory in MB, 1024–6144 in steps of 1024. @default 2048 */
  readonly memorySizeMb?: number;
  /** Concurrent invocations, 1–200. @default 5 */
  readonly maxConcurrency?: number;
}

/** Application Auto Scaling of a variant's instance count on SageMakerVariantInvocationsPerInstance. */
export interface VariantAutoScaling {
  /** Fewest instances (≥ 1). */
  readonly minCapacity: number;
  /** Most instances (≥ minCapacity). */
  readonly maxCapacity: number;
  /** Target invocations per instance per minute (> 0). */
  readonly invocationsPerInstance: number;
}

/** One production variant: a model on its own fleet with a share of the traffic. */
export interface VariantProps {
  /** Variant name (letters, digits, '-', max 63). */
  readonly name: string;
  /** Relative traffic weight (≥ 0); shares are weight / sum of weights. @default 1 */
  readonly weight?: number;
  /** The variant's model. @default - the endpoint's `model` */
  readonly model?: ModelSource;
  /** Hosting instance type (ProductionVariantInstanceType). @default 'ml.m5.large' (not for serverless) */
  readonly instanceType?: string;
  /** Initial instance count (≥ 1). @default 1 */
  readonly instanceCount?: number;
  /** Run the variant serverless instead of on instances. @default - on instances */
  readonly serverless?: ServerlessOptions;
  /** Scale the instance count on invocations per instance. @default - fixed count */
  readonly autoScaling?: VariantAutoScaling;
}

/** When SageMaker rolls an update back: alarms the construct makes, plus any of yours. */
export interface RollbackThresholds {
  /** Roll back when a variant's p99 ModelLatency exceeds this many milliseconds (> 0). @default - no latency alarm */
  readonly p99LatencyMs?: number;
  /** Roll back when a variant's 5xx responses exceed this percent of its invocations (> 0, ≤ 100). @default 1 */
  readonly errorRatePercent?: number;
  /** More alarms that roll the update back (at most 10 alarms in all). @default - none */
  readonly alarms?: cloudwatch.IAlarm[];
}

/** Capture of requests and responses for monitoring (DriftMonitor reads it). */
export interface DataCaptureOptions {
  /** Where captures are written. */
  readonly bucket: s3.IBucket;
  /** Key prefix in the bucket. @default 'data-capture' */
  readonly prefix?: string;
  /** Percent of requests captured, 1–100. @default 100 */
  readonly samplingPercent?: number;
}

export interface CanaryEndpointProps {
  /** The model every variant hosts unless it names its own. */
  readonly model: ModelSource;
  /** Production variants (1–10) and their traffic weights. @default - one variant 'primary' on one ml.m5.large */
  readonly variants?: VariantProps[];
  /** How updates move traffic. @default Rollout.canary({ percent: 10, bake: Duration.minutes(10) }) */
  readonly rollout?: Rollout;
  /** What rolls an update back. @default { errorRatePercent: 1 } */
  readonly rollbackOn?: RollbackThresholds;
  /** The endpoint's name. @default - a unique name made from the construct path (the alarms must know it before the endpoint exists) */
  readonly endpointName?: string;
  /** Key for the variants' storage volumes, captured data and the construct's Lambda log groups (give the CloudWatch Logs service use of an imported key yourself). @default - a new key with rotation, retained on delete */
  readonly encryptionKey?: kms.IKey;
  /** Capture requests and responses. @default - no capture */
  readonly dataCapture?: DataCaptureOptions;
  /** Make a CloudWatch dashboard of the endpoint. @default true */
  readonly dashboard?: boolean;
}
