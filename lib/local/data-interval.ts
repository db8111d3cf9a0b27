import * as path from 'path';
import { readJsonFile } from './atomic';
import { LocalRunError } from './errors';
import { listRuns } from './run-directory';
import { RunStatus } from './state';

/**
 * The data interval a run covers, as Airflow gives one to each scheduled run: steps see it as
 * MLOPS_DATA_INTERVAL_START/END and write their partition for it. ISO-8601 timestamps, start < end.
 */
export interface DataInterval {
  readonly start: string;
  readonly end: string;
}

const UNITS: { [unit: string]: number } = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A date given as YYYY-MM-DD (UTC midnight) or a full ISO timestamp, as an ISO string. */
export function isoTime(text: string, what: string): string {
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(date.getTime())) {
    throw new LocalRunError(`${what} '${text}' is not a date`, 'give an ISO date or time, e.g. 2026-11-01 (UTC midnight) or 2026-11-01T06:00:00Z');
  }
  return date.toISOString();
}

/** `<start>/<end>` (an ISO-8601 interval) as a DataInterval. */
export function parseInterval(text: string): DataInterval {
  const [start, end, ...rest] = text.split('/');
  if (end === undefined || rest.length > 0) {
    throw new LocalRunError(`--interval '${text}' is not <start>/<end>`, 'give e.g. --interval 2026-11-01/2026-11-02');
  }
  return checkedInterval({ start: isoTime(start, '--interval start'), end: isoTime(end, '--interval end') });
}

export function checkedInterval(interval: DataInterval): DataInterval {
  if (!(Date.parse(interval.start) < Date.parse(interval.end))) {
    throw new LocalRunError(`the data interval ${interval.start}/${interval.end} does not end after it starts`, 'give a start before the end');
  }
  return interval;
}

/**
 * The intervals of a backfill `<from>..<to>` in steps of `every` (e.g. '1d', '6h', '30m'): from
 * `from` up to `to`, the last one ending at or before `to`, oldest first.
 */
export function backfillIntervals(range: string, every = '1d'): DataInterval[] {
  const [from, to, ...rest] = range.split('..');
  if (to === undefined || rest.length > 0) {
    throw new LocalRunError(`--backfill '${range}' is not <from>..<to>`, 'give e.g. --backfill 2026-11-01..2026-11-08 (7 daily runs)');
  }
  const step = /^([1-9][0-9]*)([mhd])$/.exec(every);
  if (!step) {
    throw new LocalRunError(`--every '${every}' is not a whole number of minutes, hours or days`, "give e.g. --every 1d, 6h or 30m");
  }
  const size = Number(step[1]) * UNITS[step[2]];
  const start = Date.parse(isoTime(from, '--backfill from'));
  const end = Date.parse(isoTime(to, '--backfill to'));
  const intervals: DataInterval[] = [];
  for (let t = start; t + size <= end; t += size) {
    intervals.push({ start: new Date(t).toISOString(), end: new Date(t + size).toISOString() });
  }
  if (intervals.length === 0) {
    throw new LocalRunError(`--backfill '${range}' holds no whole interval of ${every}`, 'give a range at least one interval long');
  }
  return intervals;
}

/** The newest run of `pipeline` in `runsDir` that succeeded for exactly this interval, if any. */
export function succeededRunFor(runsDir: string, pipeline: string, interval: DataInterval): string | undefined {
  for (const runId of listRuns(runsDir)) {
    const dir = path.join(runsDir, runId);
    try {
      const info = readJsonFile(path.join(dir, 'run.json')) as { pipeline?: string; dataInterval?: DataInterval } | undefined;
      const state = readJsonFile(path.join(dir, 'state.json')) as { status?: string } | undefined;
      if (info?.pipeline === pipeline && info.dataInterval?.start === interval.start && info.dataInterval.end === interval.end && state?.status === RunStatus.SUCCEEDED) {
        return runId;
      }
    } catch {
      // a corrupt run is not a done interval
    }
  }
  return undefined;
}
