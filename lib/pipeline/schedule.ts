import { CronExpressionParser } from 'cron-parser';
import { show } from './errors';
import { brand, isA } from './brand';
import { timeZoneProblem } from './time-zones';

export enum RateUnit {
  MINUTES = 'minutes',
  HOURS = 'hours',
  DAYS = 'days',
}

/** The five fields of a standard cron expression, each as written (after normalising). */
export interface CronFields {
  readonly minute: string;
  readonly hour: string;
  readonly dayOfMonth: string;
  readonly month: string;
  /** 0-6 with 0 = Sunday (7 is read as Sunday too). */
  readonly dayOfWeek: string;
}

/** A fixed rate: every `value` units. */
export interface RateInterval {
  readonly value: number;
  readonly unit: RateUnit;
}

export interface ScheduleOptions {
  /** IANA time zone the cron fields are read in. @default 'UTC' */
  readonly timeZone?: string;
  /** Parameter values for scheduled runs, as text (read like `--param name=value`). */
  readonly parameters?: { [name: string]: string };
}

/**
 * When a pipeline runs by itself. One neutral form, standard 5-field cron or a fixed rate, that
 * each engine converts to its own syntax (EventBridge's 6-field cron, Argo and KFP cron, ...).
 * A malformed expression throws here, where it is written.
 */
export class Schedule {
  /** True for a Schedule from any copy of cdk-mlops. */
  public static isSchedule(x: unknown): x is Schedule {
    return isA(x, Schedule);
  }

  /** A standard 5-field cron expression: minute hour day-of-month month day-of-week. */
  public static cron(expression: string, options: ScheduleOptions = {}): Schedule {
    return new Schedule(parseCron(expression), undefined, options);
  }

  /** Every `value` minutes, hours or days. */
  public static rate(value: number, unit: RateUnit, options: ScheduleOptions = {}): Schedule {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new Error(`Schedule.rate: ${show(value)} ${unit} is invalid (allowed: a whole number >= 1); e.g. Schedule.rate(6, RateUnit.HOURS)`);
    }
    return new Schedule(undefined, { value, unit }, options);
  }

  public static hourly(options: ScheduleOptions = {}): Schedule {
    return Schedule.cron('0 * * * *', options);
  }

  public static daily(options: ScheduleOptions = {}): Schedule {
    return Schedule.cron('0 0 * * *', options);
  }

  public static weekly(options: ScheduleOptions = {}): Schedule {
    return Schedule.cron('0 0 * * 0', options);
  }

  public static monthly(options: ScheduleOptions = {}): Schedule {
    return Schedule.cron('0 0 1 * *', options);
  }

  public readonly timeZone: string;
  public readonly parameters: { [name: string]: string };

  private constructor(
    /** Set for cron schedules. */
    public readonly cronFields: CronFields | undefined,
    /** Set for rate schedules. */
    public readonly rateInterval: RateInterval | undefined,
    options: ScheduleOptions,
  ) {
    this.timeZone = options.timeZone ?? 'UTC';
    this.parameters = { ...(options.parameters ?? {}) };
    const zoneProblem = timeZoneProblem('Schedule: time zone', this.timeZone);
    if (zoneProblem !== undefined) {
      throw new Error(zoneProblem);
    }
  }

  /** The cron expression (5 fields), for cron schedules. */
  public get cronExpression(): string | undefined {
    const c = this.cronFields;
    return c && [c.minute, c.hour, c.dayOfMonth, c.month, c.dayOfWeek].join(' ');
  }

  public toString(): string {
    return this.cronFields ? `cron(${this.cronExpression})` : `rate(${this.rateInterval!.value} ${this.rateInterval!.unit})`;
  }
}

function parseCron(expression: string): CronFields {
  const fields = typeof expression === 'string' && expression.trim() !== '' ? expression.trim().split(/\s+/) : [];
  const fix = "write 5 fields: minute hour day-of-month month day-of-week, e.g. '0 3 * * *' for 03:00 every day";
  if (fields.length !== 5) {
    throw new Error(`Schedule.cron: ${show(expression)} has ${fields.length} fields, standard cron has 5; ${fix}`);
  }
  try {
    CronExpressionParser.parse(expression);
  } catch (e) {
    throw new Error(`Schedule.cron: ${show(expression)} does not parse (${(e as Error).message}); ${fix}`, { cause: e });
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields.map((f) => f.toUpperCase());
  return { minute, hour, dayOfMonth, month, dayOfWeek };
}

brand(Schedule, 'cdk-mlops.Schedule');
