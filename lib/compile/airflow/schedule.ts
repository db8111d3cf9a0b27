import { show } from '../../pipeline/errors';
import { RateUnit, Schedule } from '../../pipeline/schedule';
import { sundayAsZero } from '../../kubernetes';
import { ENGINE } from './checks';
import { AirflowOptions } from './options';
import { PyExpr } from './python';

/** What the DAG's schedule compiles to: the `schedule=` argument and the timetable classes it imports. */
export interface AirflowSchedule {
  readonly schedule: PyExpr;
  readonly imports: string[];
  readonly startDate?: PyExpr;
}

/**
 * The DAG's timetable. Always a data-interval timetable (CronDataIntervalTimetable for cron,
 * DeltaDataIntervalTimetable for rates), never a bare cron string: Airflow 3 reads a cron string
 * as a CronTriggerTimetable whose runs have an empty data interval, while 2.10 gives them the
 * interval between two ticks; naming the timetable makes both versions write one partition per
 * interval. Problems are pushed; the result is undefined after one.
 */
export function airflowSchedule(options: AirflowOptions, problems: string[]): AirflowSchedule | undefined {
  const s = options.schedule;
  const start = options.startDate;
  const now = options.now ?? new Date();
  let startDate: PyExpr | undefined;
  if (start !== undefined) {
    if (!(start instanceof Date) || Number.isNaN(start.getTime())) {
      problems.push(`startDate ${show(start)} is not a valid Date; give e.g. new Date('2025-01-01T00:00:00Z')`);
    } else {
      startDate = new PyExpr(pythonDatetime(start));
      if (options.catchup && start.getTime() > now.getTime()) {
        problems.push(`startDate ${start.toISOString()} is in the future and catchup is on: there is nothing to catch up until then, and ${ENGINE} starts no run before it; set a start date in the past to backfill from it, or turn catchup off`);
      }
    }
  }
  if (options.catchup && start === undefined) {
    problems.push('catchup is on but no startDate is given: Airflow backfills the intervals from the start date, so it needs one; set startDate (e.g. new Date(\'2025-01-01T00:00:00Z\')) or turn catchup off');
  }
  if (s === undefined) {
    return { schedule: new PyExpr('None'), imports: [], startDate };
  }
  if (!Schedule.isSchedule(s)) {
    problems.push(`schedule ${show(s)} is not a Schedule; use Schedule.cron('0 3 * * *') or Schedule.rate(6, RateUnit.HOURS)`);
    return undefined;
  }
  if (start === undefined) {
    problems.push(`schedule ${s} needs a startDate: Airflow schedules data intervals from it; set startDate, e.g. new Date('2025-01-01T00:00:00Z')`);
  }
  if (Object.keys(s.parameters).length > 0) {
    problems.push(`schedule ${s} sets parameters (${Object.keys(s.parameters).join(', ')}), but Airflow starts scheduled runs with the params' defaults; give the parameters those defaults instead`);
  }
  if (s.rateInterval) {
    const unit = { [RateUnit.MINUTES]: 'minutes', [RateUnit.HOURS]: 'hours', [RateUnit.DAYS]: 'days' }[s.rateInterval.unit];
    return {
      schedule: new PyExpr(`DeltaDataIntervalTimetable(datetime.timedelta(${unit}=${s.rateInterval.value}))`),
      imports: ['DeltaDataIntervalTimetable'],
      startDate,
    };
  }
  const c = s.cronFields!;
  // croniter (Airflow's cron library) has no 'W' or 'H'; 'L' and '#' differ between its versions.
  const special = [c.minute, c.hour, c.dayOfMonth, c.month, c.dayOfWeek].join(' ').replace(/JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|SUN|MON|TUE|WED|THU|FRI|SAT/g, '').match(/[LWH#?]/);
  if (special) {
    problems.push(`schedule ${s} uses '${special[0]}', which ${ENGINE}'s cron parser (croniter) does not read the same way in every version; write it with plain fields, lists and ranges, e.g. '0 3 28-31 * *' plus a check in the first step`);
    return undefined;
  }
  const cron = [c.minute, c.hour, c.dayOfMonth, c.month, sundayAsZero(c.dayOfWeek)].join(' ');
  return {
    schedule: new PyExpr(`CronDataIntervalTimetable(${JSON.stringify(cron)}, timezone=${JSON.stringify(s.timeZone)})`),
    imports: ['CronDataIntervalTimetable'],
    startDate,
  };
}

function pythonDatetime(d: Date): string {
  const parts = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
  return `datetime.datetime(${parts.join(', ')}, tzinfo=datetime.timezone.utc)`;
}
