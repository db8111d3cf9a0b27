import * as fs from 'fs';
import * as path from 'path';
import { runMlops } from '../support/local/cli';
import { tempDir } from '../support/local/fixtures';

/**
 * The Airflow Iris example run for real through the local runner (pandas and scikit-learn in the
 * project venv): a 3-day backfill publishes one partition per day, and re-running one day
 * replaces that day's partition and leaves the others as they were.
 */
let tmp: { dir: string; cleanup: () => void };
beforeAll(() => {
  tmp = tempDir('airflow-iris');
});
afterAll(() => tmp.cleanup());

interface Partition {
  readonly run: string;
  readonly rows: number;
  readonly start: string;
  readonly end: string;
}

test('--backfill over 3 days writes one partition per day; --interval for one day rewrites only that day', async () => {
  const partitions = path.join(tmp.dir, 'partitions');
  const mlops = (...args: string[]) => runMlops(
    ['run', 'examples/airflow-iris', '--local', '--json', '--runs-dir', path.join(tmp.dir, 'runs'), '--cache-dir', path.join(tmp.dir, 'cache'), ...args],
    { env: { IRIS_PARTITIONS: partitions } },
  );
  const read = (day: string) => ({
    meta: JSON.parse(fs.readFileSync(path.join(partitions, `ds=${day}`, '_run.json'), 'utf8')) as Partition,
    csv: fs.readFileSync(path.join(partitions, `ds=${day}`, 'measurements.csv'), 'utf8'),
  });

  const backfill = await mlops('--backfill', '2026-11-01..2026-11-04');
  expect(backfill.stderr).not.toMatch(/failed/);
  expect(backfill.code).toBe(0);
  expect(JSON.parse(backfill.stdout).backfill.map((b: { interval: { start: string }; status: string }) => `${b.interval.start} ${b.status}`)).toEqual([
    '2026-11-01T00:00:00.000Z succeeded', '2026-11-02T00:00:00.000Z succeeded', '2026-11-03T00:00:00.000Z succeeded',
  ]);
  // Exactly one folder per day (no staging folders left behind).
  expect(fs.readdirSync(partitions).sort()).toEqual(['ds=2026-11-01', 'ds=2026-11-02', 'ds=2026-11-03']);
  const before = Object.fromEntries(['2026-11-01', '2026-11-02', '2026-11-03'].map((day) => [day, read(day)]));
  for (const [day, { meta, csv }] of Object.entries(before)) {
    expect(meta.start).toBe(`${day}T00:00:00+00:00`);
    const rows = csv.trim().split('\n').slice(1);
    expect(rows).toHaveLength(meta.rows);
    // Only that day's measurements: the run's data interval picked the rows.
    expect(rows.every((r) => r.startsWith(`${day}T`))).toBe(true);
  }
  expect(new Set(Object.values(before).map((p) => p.meta.run)).size).toBe(3);
  // The logging the steps do reaches the run's output.
  expect(backfill.stderr).toMatch(/extract \| .* INFO extract: 4\d rows observed in \[2026-11-02T00:00:00\+00:00, 2026-11-03T00:00:00\+00:00\)/);
  expect(backfill.stderr).toMatch(/train \| .* INFO train: trained on \d+ rows, test accuracy [01]\.\d{3}/);

  const rerun = await mlops('--interval', '2026-11-02/2026-11-03');
  expect(rerun.code).toBe(0);
  const run = JSON.parse(rerun.stdout);
  expect(run.steps.map((s: { name: string; state: string }) => `${s.name}:${s.state}`)).toEqual(['extract:succeeded', 'clean:succeeded', 'train:succeeded']);
  expect(fs.readdirSync(partitions).sort()).toEqual(['ds=2026-11-01', 'ds=2026-11-02', 'ds=2026-11-03']);
  expect(read('2026-11-02').meta.run).toBe(run.runId);
  expect(read('2026-11-02').meta.run).not.toBe(before['2026-11-02'].meta.run);
  expect(read('2026-11-02').csv).toBe(before['2026-11-02'].csv);
  for (const day of ['2026-11-01', '2026-11-03']) {
    expect(read(day)).toEqual(before[day]);
  }
}, 180_000);
