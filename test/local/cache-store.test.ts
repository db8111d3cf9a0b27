import * as fs from 'fs';
import * as path from 'path';
import { CacheEntryMetadata, CacheStore } from '../../lib/local';
import { tempDir } from '../support/local/fixtures';

/**
 * CacheStore on its own (no runs): what an entry holds, which entries are served, and why the
 * others are not.
 */

let tmp: { dir: string; cleanup: () => void };
let store: CacheStore;
let result: string;
const KEY = 'a'.repeat(64);
beforeEach(() => {
  tmp = tempDir('cache-store');
  store = new CacheStore(path.join(tmp.dir, 'cache'));
  result = path.join(tmp.dir, 'result');
  fs.mkdirSync(path.join(result, 'outputs', 'data'), { recursive: true });
  fs.writeFileSync(path.join(result, 'outputs', 'data', 'data.txt'), 'data\n');
  fs.writeFileSync(path.join(result, 'metrics.json'), '{"score": 1}\n');
});
afterEach(() => tmp.cleanup());

const entryDir = (key = KEY) => path.join(tmp.dir, 'cache', 'entries', key);
const entryFile = (key = KEY) => path.join(entryDir(key), 'entry.json');
const readEntry = (key = KEY) => JSON.parse(fs.readFileSync(entryFile(key), 'utf8')) as CacheEntryMetadata;
const writeEntry = (change: (e: CacheEntryMetadata) => object) => fs.writeFileSync(entryFile(), JSON.stringify(change(readEntry())));

function publish(runId = 'run-1', expireAfterHours?: number, key = KEY): void {
  store.publish(result, { key, pipeline: 'p', step: 'train', runId, metrics: { score: 1 }, artifactFingerprints: { 'outputs/data': 'f'.repeat(64) }, keyMaterial: { step: 'train' } }, expireAfterHours);
}

test('a published entry holds the result, its metadata and a manifest of every file', () => {
  const before = Date.now();
  publish();
  const entry = readEntry();
  expect(entry).toEqual(expect.objectContaining({ format: 'mlops-local-cache/2', key: KEY, pipeline: 'p', step: 'train', runId: 'run-1', metrics: { score: 1 }, keyMaterial: { step: 'train' } }));
  expect(Date.parse(entry.createdAt)).toBeGreaterThanOrEqual(before - 1000);
  expect(Object.keys(entry.manifest).sort()).toEqual(['metrics.json', 'outputs', 'outputs/data', 'outputs/data/data.txt']);
  expect(entry.manifest['outputs/data/data.txt']).toEqual(expect.objectContaining({ type: 'file', size: '5', mode: 0o444, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }));
  expect(entry.manifest.outputs).toEqual({ type: 'dir' });
  // The result's files are the entry's files (read-only now), and the staging area is gone.
  expect(fs.statSync(path.join(entryDir(), 'result', 'outputs', 'data', 'data.txt')).ino).toBe(fs.statSync(path.join(result, 'outputs', 'data', 'data.txt')).ino);
  expect(fs.statSync(path.join(result, 'metrics.json')).mode & 0o777).toBe(0o444);
  expect(fs.readdirSync(path.join(tmp.dir, 'cache', 'tmp'))).toEqual([]);
});

test('a hit is served with its metadata and result directory; restore links the files into the target', () => {
  publish();
  const hit = store.lookup(KEY, undefined)!;
  expect(hit.resultDir).toBe(path.join(entryDir(), 'result'));
  expect(hit.metadata.runId).toBe('run-1');
  const target = path.join(tmp.dir, 'run', 'result');
  fs.mkdirSync(path.dirname(target));
  expect(store.restore(hit, target)).toEqual({ linked: 2, copied: 0 });
  expect(fs.readFileSync(path.join(target, 'outputs', 'data', 'data.txt'), 'utf8')).toBe('data\n');
  expect(fs.readdirSync(path.dirname(target))).toEqual(['result']);
  // A second restore to the same place refuses to replace it.
  expect(() => store.restore(hit, target)).toThrow(`${target} already exists`);
});

test('restore says false when the entry vanished after the lookup', () => {
  publish();
  const hit = store.lookup(KEY, undefined)!;
  fs.rmSync(entryDir(), { recursive: true });
  const target = path.join(tmp.dir, 'result-copy');
  expect(store.restore(hit, target)).toBe(false);
  expect(fs.existsSync(target)).toBe(false);
});

test('an entry is a plain miss when there is none, or it is of another format, key or without a manifest', () => {
  expect(store.check(KEY, undefined)).toEqual({});
  publish();
  expect(store.check(KEY, undefined).hit).toBeDefined();
  writeEntry((e) => ({ ...e, format: 'mlops-local-cache/1' }));
  expect(store.check(KEY, undefined)).toEqual({});
  publish('run-2'); // an entry this version cannot read is replaced
  expect(readEntry().runId).toBe('run-2');
  writeEntry((e) => ({ ...e, key: 'b'.repeat(64) }));
  expect(store.check(KEY, undefined)).toEqual({});
  writeEntry((e) => ({ ...e, key: KEY, manifest: null }));
  expect(store.check(KEY, undefined)).toEqual({});
  writeEntry((e) => ({ ...e, manifest: 'none' }));
  expect(store.check(KEY, undefined)).toEqual({});
  fs.writeFileSync(entryFile(), 'null');
  expect(store.check(KEY, undefined)).toEqual({});
});

test('expiry: an entry is served up to expireAfterHours after it was stored, never after; a bad date is expired', () => {
  publish();
  const created = Date.parse(readEntry().createdAt);
  expect(store.check(KEY, 1, created + 3600_000).hit).toBeDefined();
  expect(store.check(KEY, 1, created + 3600_001)).toEqual({});
  expect(store.check(KEY, 0.5, created + 1800_001)).toEqual({});
  expect(store.check(KEY, undefined, created + 1e12).hit).toBeDefined();
  writeEntry((e) => ({ ...e, createdAt: 'yesterday' }));
  expect(store.check(KEY, 1000, created)).toEqual({});
  expect(store.check(KEY, undefined, created).hit).toBeDefined();
});

test('an expired or changed entry is replaced when the same key is published again; a valid one stays', () => {
  publish('run-1', 1);
  publish('run-2', 1);
  expect(readEntry().runId).toBe('run-1'); // still valid: same key, same meaning
  writeEntry((e) => ({ ...e, createdAt: new Date(Date.now() - 2 * 3600_000).toISOString() }));
  publish('run-3', 1);
  expect(readEntry().runId).toBe('run-3');
  // Without expiry the aged entry would have stayed.
  writeEntry((e) => ({ ...e, createdAt: new Date(Date.now() - 2 * 3600_000).toISOString() }));
  publish('run-4', undefined);
  expect(readEntry().runId).toBe('run-3');
  fs.appendFileSync(path.join(entryDir(), 'result', 'metrics.json'), ' ');
  publish('run-5', undefined);
  expect(readEntry().runId).toBe('run-5');
  expect(fs.readdirSync(path.join(tmp.dir, 'cache', 'entries'))).toEqual([KEY]);
  expect(fs.readdirSync(path.join(tmp.dir, 'cache', 'tmp'))).toEqual([]);
});

test('why an entry is rejected: unreadable, incomplete, or each changed, missing and added path (three named)', () => {
  publish();
  fs.writeFileSync(entryFile(), '{"half');
  expect(store.check(KEY, undefined).rejected).toMatch(/^is unreadable \(.*entry\.json is not valid JSON \(.+\)\)$/);
  publish('run-2');
  const res = path.join(entryDir(), 'result');
  fs.chmodSync(path.join(res, 'metrics.json'), 0o644);
  fs.writeFileSync(path.join(res, 'metrics.json'), '{"score": 2}\n');
  expect(store.check(KEY, undefined)).toEqual({ rejected: 'was changed since it was stored (metrics.json)' });
  fs.writeFileSync(path.join(res, 'b.txt'), '');
  fs.writeFileSync(path.join(res, 'c.txt'), '');
  expect(store.check(KEY, undefined).rejected).toBe('was changed since it was stored (b.txt was added, c.txt was added, metrics.json)');
  fs.rmSync(path.join(res, 'outputs'), { recursive: true });
  expect(store.check(KEY, undefined).rejected).toBe(
    'was changed since it was stored (b.txt was added, c.txt was added, metrics.json and 3 more)',
  );
  fs.rmSync(res, { recursive: true });
  expect(store.check(KEY, undefined)).toEqual({ rejected: 'is incomplete (its result/ directory is missing)' });
  expect(store.lookup(KEY, undefined)).toBeUndefined();
});

test('the manifest tells a file from a directory or a symlink, and a symlink by its target', () => {
  fs.symlinkSync('data.txt', path.join(result, 'outputs', 'data', 'latest'));
  publish();
  const res = path.join(entryDir(), 'result');
  expect(store.check(KEY, undefined).hit).toBeDefined();
  fs.rmSync(path.join(res, 'outputs', 'data', 'latest'));
  fs.symlinkSync('other.txt', path.join(res, 'outputs', 'data', 'latest'));
  expect(store.check(KEY, undefined).rejected).toBe('was changed since it was stored (outputs/data/latest)');
  fs.rmSync(path.join(res, 'outputs', 'data', 'latest'));
  fs.mkdirSync(path.join(res, 'outputs', 'data', 'latest'));
  expect(store.check(KEY, undefined).rejected).toBe('was changed since it was stored (outputs/data/latest)');
  fs.rmdirSync(path.join(res, 'outputs', 'data', 'latest'));
  fs.symlinkSync('data.txt', path.join(res, 'outputs', 'data', 'latest'));
  expect(store.check(KEY, undefined).hit).toBeDefined();
  // A directory where a file was, and a file where a directory was.
  fs.rmSync(path.join(res, 'metrics.json'));
  fs.mkdirSync(path.join(res, 'metrics.json'));
  expect(store.check(KEY, undefined).rejected).toBe('was changed since it was stored (metrics.json)');
  fs.rmdirSync(path.join(res, 'metrics.json'));
  fs.rmSync(path.join(res, 'outputs'), { recursive: true });
  fs.writeFileSync(path.join(res, 'outputs'), '');
  expect(store.check(KEY, undefined).rejected).toBe('was changed since it was stored (metrics.json is missing, outputs, outputs/data is missing and 2 more)');
});

test('an executable bit that changed is a change even with the same bytes; a mode made writable is not, and restore resets it', () => {
  publish();
  const file = path.join(entryDir(), 'result', 'outputs', 'data', 'data.txt');
  fs.chmodSync(file, 0o644);
  const hit = store.check(KEY, undefined).hit!;
  expect(hit).toBeDefined();
  // Restoring makes the shared file read-only again, so the new run cannot write through the link.
  store.restore(hit, path.join(tmp.dir, 'restored'));
  expect(fs.statSync(path.join(tmp.dir, 'restored', 'outputs', 'data', 'data.txt')).mode & 0o777).toBe(0o444);
  expect(fs.statSync(file).mode & 0o777).toBe(0o444);
  fs.chmodSync(file, 0o755);
  expect(store.check(KEY, undefined).rejected).toBe('was changed since it was stored (outputs/data/data.txt)');
});
