import { RateUnit, Schedule } from '../pipeline/schedule';

/** Who reads the schedule, for problems: Argo's CronWorkflow controller unless told otherwise. */
export const ARGO_CRON_PARSER = "Argo Workflows' cron parser";

/**
 * A neutral Schedule as the text robfig/cron's standard parser reads: 5 fields, names, `*`,
 * ranges, steps, lists and `?`, day-of-week 0-6, plus `@every <duration>`. Argo CronWorkflows,
 * Kubernetes CronJobs and (with a seconds field in front) Kubeflow recurring runs all parse
 * schedules with it. Returns the schedule text or a problem (without the pipeline's name) that
 * names `parser`, e.g. "the Kubernetes CronJob cron parser".
 */
export function cronSchedule(schedule: Schedule, parser: string = ARGO_CRON_PARSER): { schedule?: string; problem?: string } {
  if (schedule.rateInterval) {
    return { schedule: rateSchedule(schedule.rateInterval.value, schedule.rateInterval.unit) };
  }
  const cron = schedule.cronFields!;
  const fields = [cron.minute, cron.hour, cron.dayOfMonth, cron.month, cron.dayOfWeek];
  // Month and day names contain letters too; only the special characters outside names count.
  const special = fields.flatMap((f) => stripNames(f).match(/[LWH#]/g) ?? []);
  if (special.length > 0) {
    const meaning: { [c: string]: string } = { 'L': "'L' (last day)", 'W': "'W' (nearest weekday)", 'H': "'H' (hashed value)", '#': "'#' (nth weekday of the month)" };
    return { problem: `schedule ${schedule} uses ${meaning[special[0]]}, which ${parser} (robfig/cron) does not support; write it with plain fields, lists and ranges, e.g. '0 3 28-31 * *' plus a check in the first step` };
  }
  return { schedule: [cron.minute, cron.hour, cron.dayOfMonth, cron.month, sundayAsZero(cron.dayOfWeek)].join(' ') };
}

/** Rates that divide the hour or day evenly stay aligned to the clock; others use `@every`. */
function rateSchedule(value: number, unit: RateUnit): string {
  if (unit === RateUnit.MINUTES) {
    if (value === 1) {
      return '* * * * *';
    }
    return 60 % value === 0 ? `*/${value} * * * *` : `@every ${value}m`;
  }
  if (unit === RateUnit.HOURS) {
    if (value === 1) {
      return '0 * * * *';
    }
    return 24 % value === 0 ? `0 */${value} * * *` : `@every ${value}h`;
  }
  return value === 1 ? '0 0 * * *' : `@every ${value * 24}h`;
}

const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

function stripNames(field: string): string {
  return [...DAY_NAMES, ...MONTH_NAMES].reduce((f, name) => f.split(name).join(''), field);
}

/**
 * Standard cron reads day-of-week 7 as Sunday; robfig/cron accepts only 0-6. A field that uses 7
 * is rewritten as the explicit list of days it means, with Sunday as 0.
 */
export function sundayAsZero(field: string): string {
  const usesSeven = field.split(',').some((part) => part.split('/')[0].split('-').includes('7'));
  if (!usesSeven) {
    return field;
  }
  const days = new Set<number>();
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let from: number;
    let to: number;
    if (range === '*' || range === '?') {
      [from, to] = [0, 7];
    } else if (range.includes('-')) {
      [from, to] = range.split('-').map(dayNumber);
    } else {
      from = dayNumber(range);
      to = stepText === undefined ? from : 7;
    }
    for (let d = from; d <= to; d += step) {
      days.add(d % 7);
    }
  }
  return [...days].sort((a, b) => a - b).join(',');
}

function dayNumber(text: string): number {
  const named = DAY_NAMES.indexOf(text.toUpperCase());
  return named >= 0 ? named : Number(text);
}
