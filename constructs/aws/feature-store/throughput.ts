import { brand, isA } from '../../../lib/pipeline/brand';
import { show } from '../../../lib/pipeline/errors';

/** SageMaker's throughput modes (ThroughputConfig.ThroughputMode). */
export enum ThroughputMode {
  ON_DEMAND = 'OnDemand',
  PROVISIONED = 'Provisioned',
}

/** Capacity of a provisioned feature group. */
export interface ProvisionedThroughputOptions {
  /** Read capacity units per second (online store only), 0–10,000,000. @default - none (offline-only groups) */
  readonly readCapacityUnits?: number;
  /** Write capacity units per second, 0–10,000,000. */
  readonly writeCapacityUnits: number;
}

/** The API's range of ProvisionedRead/WriteCapacityUnits (botocore CapacityUnit). */
export const CAPACITY_UNITS = { min: 0, max: 10_000_000 };

/** How a feature group is billed and throttled. Changing it is an in-place update (to on-demand at most once a day). */
export class Throughput {
  /** True for a Throughput from any copy of cdk-mlops. */
  public static isThroughput(x: unknown): x is Throughput {
    return isA(x, Throughput);
  }

  /** Pay per request; Feature Store scales with the load. */
  public static onDemand(): Throughput {
    return new Throughput(ThroughputMode.ON_DEMAND);
  }

  /** Fixed capacity, billed per unit; requests past it are throttled. Not for the InMemory online tier. */
  public static provisioned(options: ProvisionedThroughputOptions): Throughput {
    return new Throughput(ThroughputMode.PROVISIONED, options.readCapacityUnits, options.writeCapacityUnits);
  }

  private constructor(
    public readonly mode: ThroughputMode,
    public readonly readCapacityUnits?: number,
    public readonly writeCapacityUnits?: number,
  ) {}

  /** @internal What is wrong with the capacity units, each with the fix. */
  public _problems(online: boolean): string[] {
    const problems: string[] = [];
    for (const [name, value] of [['readCapacityUnits', this.readCapacityUnits], ['writeCapacityUnits', this.writeCapacityUnits]] as const) {
      if (value !== undefined && !(Number.isInteger(value) && value >= CAPACITY_UNITS.min && value <= CAPACITY_UNITS.max)) {
        problems.push(`throughput ${name} is ${show(value)}, but SageMaker allows whole numbers ${CAPACITY_UNITS.min}–${CAPACITY_UNITS.max.toLocaleString('en-US')}; e.g. 100`);
      }
    }
    if (this.mode === ThroughputMode.PROVISIONED && this.readCapacityUnits !== undefined && !online) {
      problems.push('throughput readCapacityUnits is given, but read capacity applies to the online store only and this table has none; ' +
        'remove readCapacityUnits or enable the online store');
    }
    return problems;
  }
}

brand(Throughput, 'cdk-mlops.Throughput');
