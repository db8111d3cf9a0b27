import * as fs from 'fs';
import * as path from 'path';
import { runMlops } from '../support/local/cli';
import { FIXTURE_PIPELINES, tempDir } from '../support/local/fixtures';

let tmp: { dir: string; cleanup: () => void };
let partitions: string;
beforeEach(() => {
  tmp = tempDir('cli-backfill');
  partitions = path.join(tmp.dir, 'partitions');
  fs.mkdirSync(partitions);
});
afterEach(() => tmp.cleanup());

const pipeline = path.join(FIXTURE_PIPELINES, 'partitions.ts');
const mlops = (...args: string[]) => runMlops(['run', pipeline, '--local', '--runs-dir', path.join(tmp.dir, 'runs'), '--cache-dir', path.join(tmp.dir, 'cache'), ...args], { env: { PARTITIONS: partitions } });

test('--backfill runs one run per day, oldest first, each writing its own partition; run again, every interval is skipped', async () => {
  const r = await mlops('--backfill', '2026-11-01..2026-11-04', '--json');
  expect(r.code).toBe(0);
  const { backfill } = JSON.parse(r.stdout);
  expect(backfill.map((b: { interval: { start: string }; status: string }) => [b.interval.start, b.status])).toEqual([
    ['2026-11-01T00:00:00.000Z', 'succeeded'], ['2026-11-02T00:00:00.000Z', 'succeeded'], ['2026-11-03T00:00:00.000Z', 'succeeded'],
  ]);
  expect(fs.readdirSync(partitions).sort()).toEqual(['2026-11-01T00:00:00.000Z', '2026-11-02T00:00:00.000Z', '2026-11-03T00:00:00.000Z']);
  expect(fs.readFileSync(path.join(partitions, '2026-11-02T00:00:00.000Z'), 'utf8').trim()).toBe('2026-11-03T00:00:00.000Z');
  // A cached step is cached per interval: no day reused another day's result.
  expect(r.stderr).not.toMatch(/daily: cached/);

  const again = await mlops('--backfill', '2026-11-01..2026-11-05');
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/Interval 2026-11-01T00:00:00.000Z\/2026-11-02T00:00:00.000Z: done in run \d{8}-\d{6}-[0-9a-f]{6}, skipped/);
  expect(again.stdout.match(/: done in run \S+, skipped$/gm)).toHaveLength(3);
  expect(fs.readdirSync(partitions)).toHaveLength(4);
});

test('--interval gives one run its interval; the same interval again comes from the cache, another does not', async () => {
  const first = await mlops('--interval', '2026-11-01/2026-11-02', '--json');
  expect(JSON.parse(first.stdout).steps[0].state).toBe('succeeded');
  expect(fs.readFileSync(path.join(JSON.parse(first.stdout).steps[0].outputs.part, 'interval.txt'), 'utf8').trim()).toBe('2026-11-01T00:00:00.000Z 2026-11-02T00:00:00.000Z');
  expect(JSON.parse((await mlops('--interval', '2026-11-01/2026-11-02', '--json')).stdout).steps[0].state).toBe('cached');
  expect(JSON.parse((await mlops('--interval', '2026-11-02/2026-11-03', '--json')).stdout).steps[0].state).toBe('succeeded');
});

test('bad intervals and combinations are refused before anything runs', async () => {
  expect((await mlops('--interval', '2026-11-02/2026-11-01')).stderr).toContain('the data interval 2026-11-02T00:00:00.000Z/2026-11-01T00:00:00.000Z does not end after it starts');
  expect((await mlops('--interval', 'yesterday')).stderr).toContain("--interval 'yesterday' is not <start>/<end>");
  expect((await mlops('--backfill', '2026-11-01..2026-11-03', '--every', 'daily')).stderr).toContain("--every 'daily' is not a whole number of minutes, hours or days");
  expect((await mlops('--backfill', '2026-11-01..2026-11-03', '--interval', '2026-11-01/2026-11-02')).stderr).toContain('--backfill runs one run per interval itself; it takes neither --interval nor --resume');
  expect((await mlops('--backfill', '2026-11-01T00:00:00Z..2026-11-01T12:00:00Z')).stderr).toContain("holds no whole interval of 1d");
  expect((await mlops('--every', '1h')).stderr).toContain('--every sets the interval size of --backfill');
  expect(fs.readdirSync(partitions)).toEqual([]);
});
