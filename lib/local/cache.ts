import * as fs from 'fs';
import * as path from 'path';
import { copyDirectory, copyDirectoryAtomic, discardDirectory, publishDirectory, readJsonFile, removeTree, tempName, writeJsonAtomic } from './atomic';

/** What a cache entry records besides the result directory. */
export interface CacheEntryMetadata {
  readonly format: string;
  readonly key: string;
  readonly pipeline: string;
  readonly step: string;
  readonly item?: string;
  /** The run that produced it. */
  readonly runId: string;
  readonly createdAt: string;
  readonly metrics?: { readonly [name: string]: unknown };
  /** Fingerprints of the result's outputs (and model), for the keys of later steps. */
  readonly artifactFingerprints: { readonly [name: string]: string };
  /** The parts of the key, in the clear, to see why two entries differ. */
  readonly keyMaterial: unknown;
}

export interface CacheHit {
  readonly metadata: CacheEntryMetadata;
  /** The cached result directory (outputs/, model/, metrics.json). */
  readonly resultDir: string;
}

const FORMAT = 'mlops-local-cache/1';
const ENTRY_FILE = 'entry.json';
const RESULT_DIR = 'result';

/**
 * Step results shared between runs: `<dir>/entries/<key>/{entry.json, result/}`. An entry is
 * copied together under a temporary name and renamed into place, so readers see whole entries
 * only; when two runs publish the same key at once, the first rename wins and the other copy is
 * dropped. Results are copied into a run (never linked), so deleting the cache breaks no run.
 */
export class CacheStore {
  constructor(public readonly directory: string) {}

  /** The entry for `key`, unless there is none or it is older than `expireAfterHours`. */
  public lookup(key: string, expireAfterHours: number | undefined, now = Date.now()): CacheHit | undefined {
    const dir = this.entryDir(key);
    let metadata: CacheEntryMetadata | undefined;
    try {
      metadata = readJsonFile(path.join(dir, ENTRY_FILE)) as CacheEntryMetadata | undefined;
    } catch {
      return undefined; // unreadable entries are misses; a fresh result replaces them
    }
    if (!metadata || metadata.format !== FORMAT || metadata.key !== key || !fs.existsSync(path.join(dir, RESULT_DIR))) {
      return undefined;
    }
    if (isExpired(metadata, expireAfterHours, now)) {
      return undefined;
    }
    return { metadata, resultDir: path.join(dir, RESULT_DIR) };
  }

  /** Copies a hit's result to `target` (atomically); false when the entry vanished meanwhile. */
  public restore(hit: CacheHit, target: string): boolean {
    try {
      copyDirectoryAtomic(hit.resultDir, target);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        return false;
      }
      throw e;
    }
  }

  /**
   * Publishes a step's result under `key`. An existing entry that is still valid stays (same key,
   * same meaning); an expired or unreadable one is replaced.
   */
  public publish(resultDir: string, metadata: Omit<CacheEntryMetadata, 'format' | 'createdAt'>, expireAfterHours: number | undefined): void {
    const tmpRoot = path.join(this.directory, 'tmp');
    fs.mkdirSync(tmpRoot, { recursive: true });
    fs.mkdirSync(path.dirname(this.entryDir(metadata.key)), { recursive: true });
    const staging = path.join(tmpRoot, tempName(metadata.key.slice(0, 12)));
    try {
      fs.mkdirSync(staging);
      copyDirectory(resultDir, path.join(staging, RESULT_DIR));
      writeJsonAtomic(path.join(staging, ENTRY_FILE), { format: FORMAT, ...metadata, createdAt: new Date().toISOString() });
      const target = this.entryDir(metadata.key);
      if (publishDirectory(staging, target)) {
        return;
      }
      if (this.lookup(metadata.key, expireAfterHours) === undefined) {
        discardDirectory(target);
        publishDirectory(staging, target);
      }
    } finally {
      removeTree(staging);
    }
  }

  private entryDir(key: string): string {
    return path.join(this.directory, 'entries', key);
  }
}

function isExpired(metadata: CacheEntryMetadata, expireAfterHours: number | undefined, now: number): boolean {
  if (expireAfterHours === undefined) {
    return false;
  }
  const created = Date.parse(metadata.createdAt);
  return !Number.isFinite(created) || now - created > expireAfterHours * 3600_000;
}
