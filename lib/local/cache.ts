import * as fs from 'fs';
import * as path from 'path';
import { discardDirectory, publishDirectory, readJsonFile, removeTree, tempName, writeJsonAtomic } from './atomic';
import { buildManifest, Manifest, manifestChanges } from './manifest';
import { ShareCounts, shareTree, shareTreeAtomic } from './share';

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
  /** Every file of result/ as it was stored, checked before a hit is served. */
  readonly manifest: Manifest;
}

export interface CacheHit {
  readonly metadata: CacheEntryMetadata;
  /** The cached result directory (outputs/, model/, metrics.json). */
  readonly resultDir: string;
}

/**
 * What a lookup found: a hit, or a miss; `rejected` says why an entry that exists cannot be
 * trusted ('was changed since it was stored (outputs/model/model.pkl)', 'is unreadable (...)').
 */
export interface CacheLookup {
  readonly hit?: CacheHit;
  readonly rejected?: string;
}

const FORMAT = 'mlops-local-cache/2';
const ENTRY_FILE = 'entry.json';
const RESULT_DIR = 'result';

/**
 * Step results shared between runs: `<dir>/entries/<key>/{entry.json, result/}`. An entry is
 * assembled under a temporary name and renamed into place, so readers see whole entries only;
 * when two runs publish the same key at once, the first rename wins and the other is dropped.
 * Files are shared, not copied, where the file system allows: a published result's files are made
 * read-only and hard-linked into the entry, and a hit hard-links them into the run (a copy or
 * reflink across devices). A hit is served only when the entry's files still match the manifest
 * stored with it, so a cached file changed through a link is a miss, never a wrong result.
 * Deleting the cache breaks no run: a link keeps its file.
 */
export class CacheStore {
  constructor(public readonly directory: string) {}

  /** The entry for `key`, unless there is none, it is older than `expireAfterHours`, or it was changed. */
  public lookup(key: string, expireAfterHours: number | undefined, now = Date.now()): CacheHit | undefined {
    return this.check(key, expireAfterHours, now).hit;
  }

  /** Like lookup, saying why an entry that exists is not served. */
  public check(key: string, expireAfterHours: number | undefined, now = Date.now()): CacheLookup {
    const dir = this.entryDir(key);
    let metadata: CacheEntryMetadata | undefined;
    try {
      metadata = readJsonFile(path.join(dir, ENTRY_FILE)) as CacheEntryMetadata | undefined;
    } catch (e) {
      return { rejected: `is unreadable (${(e as Error).message})` };
    }
    if (!metadata || metadata.format !== FORMAT || metadata.key !== key || typeof metadata.manifest !== 'object' || metadata.manifest === null) {
      return {};
    }
    if (isExpired(metadata, expireAfterHours, now)) {
      return {};
    }
    const resultDir = path.join(dir, RESULT_DIR);
    if (!fs.existsSync(resultDir)) {
      return { rejected: `is incomplete (its ${RESULT_DIR}/ directory is missing)` };
    }
    const changes = manifestChanges(resultDir, metadata.manifest);
    if (changes.length > 0) {
      return { rejected: `was changed since it was stored (${changes.slice(0, 3).join(', ')}${changes.length > 3 ? ` and ${changes.length - 3} more` : ''})` };
    }
    return { hit: { metadata, resultDir } };
  }

  /**
   * Shares a hit's result into `target` (atomically, by hard links where possible); false when the
   * entry vanished meanwhile.
   */
  public restore(hit: CacheHit, target: string): ShareCounts | false {
    try {
      return shareTreeAtomic(hit.resultDir, target, { readOnly: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        return false;
      }
      throw e;
    }
  }

  /**
   * Publishes a step's result under `key`: its files become read-only and are linked into the entry.
   * An existing entry that is still valid stays (same key, same meaning); an expired, changed or
   * unreadable one is replaced.
   */
  public publish(resultDir: string, metadata: Omit<CacheEntryMetadata, 'format' | 'createdAt' | 'manifest'>, expireAfterHours: number | undefined): void {
    const tmpRoot = path.join(this.directory, 'tmp');
    fs.mkdirSync(tmpRoot, { recursive: true });
    fs.mkdirSync(path.dirname(this.entryDir(metadata.key)), { recursive: true });
    const staging = path.join(tmpRoot, tempName(metadata.key.slice(0, 12)));
    try {
      fs.mkdirSync(staging);
      const result = path.join(staging, RESULT_DIR);
      shareTree(resultDir, result, { readOnly: true });
      const manifest = buildManifest(result);
      writeJsonAtomic(path.join(staging, ENTRY_FILE), { format: FORMAT, ...metadata, manifest, createdAt: new Date().toISOString() });
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
