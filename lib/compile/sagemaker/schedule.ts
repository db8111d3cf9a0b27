import { RateUnit, Schedule } from '../../pipeline/schedule';

/** A schedule in EventBridge (Scheduler and rules) syntax. */
export interface EventBridgeSchedule {
  /** `cron(m h dom mon dow year)` or `rate(n unit)`. */
  readonly expression: string;
  /** IANA time zone the cron fields are read in. */
  readonly timeZone: string;
}

const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/**
 * Converts the neutral schedule to EventBridge syntax: standard 5-field cron becomes the 6-field
 * form with `?` in one of the day fields and day-of-week names (EventBridge numbers days 1-7 from
 * Sunday, standard cron 0-6), and rates get EventBridge's singular/plural units. Throws an Error
 * (message without the construct's name) for cron EventBridge cannot express.
 */
export function eventBridgeSchedule(schedule: Schedule): EventBridgeSchedule {
  if (schedule.rateInterval) {
    const { value, unit } = schedule.rateInterval;
    const singular = { [RateUnit.MINUTES]: 'minute', [RateUnit.HOURS]: 'hour', [RateUnit.DAYS]: 'day' }[unit];
    return { expression: `rate(${value} ${value === 1 ? singular : `${singular}s`})`, timeZone: schedule.timeZone };
  }
  const cron = schedule.cronFields!;
  const written = `Schedule.cron('${schedule.cronExpression}')`;
  const problems: string[] = [];
  const check = (field: string, value: string, allowed: RegExp, what: string) => {
    if (!allowed.test(value)) {
      problems.push(`${field} '${value}' uses syntax EventBridge does not support (allowed: ${what})`);
    }
  };
  check('minute', cron.minute, /^[0-9*,\-/]+$/, "digits and , - * /");
  check('hour', cron.hour, /^[0-9*,\-/]+$/, "digits and , - * /");
  check('day-of-month', cron.dayOfMonth, /^[0-9*,\-/?LW]+$/, "digits and , - * / ? L W");
  check('month', cron.month, /^[0-9A-Z*,\-/]+$/, 'digits, JAN-DEC and , - * /');

  const domRestricted = !isWildcard(cron.dayOfMonth);
  const dowRestricted = !isWildcard(cron.dayOfWeek);
  let dayOfMonth = domRestricted ? cron.dayOfMonth : '*';
  let dayOfWeek = '?';
  if (domRestricted && dowRestricted) {
    problems.push(
      `it restricts both day-of-month ('${cron.dayOfMonth}') and day-of-week ('${cron.dayOfWeek}'); standard cron runs when either matches, ` +
        "EventBridge cannot express that; restrict only one of them (e.g. '0 3 1 * *' or '0 3 * * 1'), or use two pipelines' schedules",
    );
  } else if (dowRestricted) {
    dayOfMonth = '?';
    try {
      dayOfWeek = eventBridgeDayOfWeek(cron.dayOfWeek);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (problems.length > 0) {
    throw new Error(`${written} cannot run on EventBridge: ${problems.join('; ')}`);
  }
  return {
    expression: `cron(${cron.minute} ${cron.hour} ${dayOfMonth} ${cron.month} ${dayOfWeek} *)`,
    timeZone: schedule.timeZone,
  };
}

function isWildcard(field: string): boolean {
  return field === '*' || field === '?';
}

/** Standard day-of-week (0-7, names, ranges, steps) as EventBridge names, runs shortened to ranges. */
function eventBridgeDayOfWeek(field: string): string {
  const nth = /^([0-7]|[A-Z]{3})#([1-5])$/.exec(field);
  if (nth) {
    // EventBridge's "n#k" (k-th weekday n of the month) numbers days 1-7 from Sunday.
    return `${dayNumber(nth[1]) + 1}#${nth[2]}`;
  }
  if (field.includes('#') || field.includes('L')) {
    throw new Error(`day-of-week '${field}' uses L or # in a way EventBridge cannot express (allowed: a single 'day#n', e.g. '1#2' for the second Monday)`);
  }
  const days = new Set<number>();
  for (const item of field.split(',')) {
    const [range, stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let first = 0;
    let last = 6;
    if (range !== '*' && range !== '?') {
      const [a, b] = range.split('-');
      first = dayNumber(a);
      last = b === undefined ? (stepText === undefined ? first : 6) : dayNumber(b, true);
    }
    if (!Number.isInteger(step) || step < 1) {
      throw new Error(`day-of-week '${field}' has an invalid step`);
    }
    for (let d = first; d <= last; d += step) {
      days.add(d % 7);
    }
  }
  return compress([...days].sort((a, b) => a - b));
}

function dayNumber(text: string, endOfRange = false): number {
  const named = DAY_NAMES.indexOf(text);
  const n = named >= 0 ? named : Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 7) {
    throw new Error(`day-of-week value '${text}' is not a day (allowed: 0-7 or SUN-SAT)`);
  }
  // 7 is Sunday too; at the end of a range it means "through Sunday", i.e. the last day.
  return n === 7 && !endOfRange ? 0 : n === 7 ? 7 : n;
}

/** Days as names, consecutive runs of three or more written as ranges: MON-FRI, SUN,TUE,THU. */
function compress(days: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < days.length; ) {
    let j = i;
    while (j + 1 < days.length && days[j + 1] === days[j] + 1) {
      j++;
    }
    if (j - i >= 2) {
      parts.push(`${DAY_NAMES[days[i]]}-${DAY_NAMES[days[j]]}`);
    } else {
      for (let k = i; k <= j; k++) {
        parts.push(DAY_NAMES[days[k]]);
      }
    }
    i = j + 1;
  }
  return parts.join(',');
}
