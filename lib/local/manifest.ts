import * as fs from 'fs';
import * as path from 'path';
import { fileFingerprint } from './fingerprint';

/**
 * What a cache entry's result held when it was stored: per file its bytes' sha256 and the stat
 * fields a write changes (size, mtime in ns, inode, mode). Checking an entry compares the stat
 * fields and hashes again only the files whose fields moved, so a check costs the same for 1 MB
 * and 1 GB of outputs; a file is trusted when its stat is unchanged or its bytes hash the same.
 * A change that restores size, mtime and inode on purpose (utimes after an in-place write) is
 * the one change it does not see.
 */
export type Manifest = { [relativePath: string]: ManifestEntry };

export type ManifestEntry =
  | { readonly type: 'dir' }
  | { readonly type: 'link'; readonly target: string }
  | { readonly type: 'file'; readonly size: string; readonly mtimeNs: string; readonly ino: string; readonly mode: number; readonly sha256: string };

/** The manifest of everything under `dir`, keyed by '/'-separated relative paths. */
export function buildManifest(dir: string): Manifest {
  const manifest: Manifest = {};
  for (const [rel, stat] of walk(dir)) {
    manifest[rel] = entryOf(path.join(dir, rel), stat);
  }
  return manifest;
}

/**
 * The paths under `dir` that differ from `manifest` (changed, missing or added), sorted; empty
 * when the tree is as it was stored.
 */
export function manifestChanges(dir: string, manifest: Manifest): string[] {
  const changes: string[] = [];
  const seen = new Set<string>();
  for (const [rel, stat] of walk(dir)) {
    seen.add(rel);
    const recorded = manifest[rel];
    if (recorded === undefined) {
      changes.push(`${rel} was added`);
    } else if (!sameEntry(path.join(dir, rel), stat, recorded)) {
      changes.push(rel);
    }
  }
  for (const rel of Object.keys(manifest)) {
    if (!seen.has(rel)) {
      changes.push(`${rel} is missing`);
    }
  }
  return changes.sort();
}

function sameEntry(file: string, stat: fs.BigIntStats, recorded: ManifestEntry): boolean {
  if (recorded.type === 'dir') {
    return stat.isDirectory();
  }
  if (recorded.type === 'link') {
    return stat.isSymbolicLink() && fs.readlinkSync(file) === recorded.target;
  }
  if (!stat.isFile() || String(stat.size) !== recorded.size || (Number(stat.mode) & 0o111) !== (recorded.mode & 0o111)) {
    return false;
  }
  if (String(stat.mtimeNs) === recorded.mtimeNs && String(stat.ino) === recorded.ino) {
    return true;
  }
  return fileFingerprint(file) === recorded.sha256;
}

function entryOf(file: string, stat: fs.BigIntStats): ManifestEntry {
  if (stat.isDirectory()) {
    return { type: 'dir' };
  }
  if (stat.isSymbolicLink()) {
    return { type: 'link', target: fs.readlinkSync(file) };
  }
  return {
    type: 'file',
    size: String(stat.size),
    mtimeNs: String(stat.mtimeNs),
    ino: String(stat.ino),
    mode: Number(stat.mode) & 0o7777,
    sha256: fileFingerprint(file),
  };
}

/** [relative path, lstat] of everything under `dir` (directories, files, symlinks), depth first. */
function walk(dir: string): [string, fs.BigIntStats][] {
  const out: [string, fs.BigIntStats][] = [];
  const visit = (rel: string) => {
    for (const name of fs.readdirSync(rel ? path.join(dir, rel) : dir)) {
      const childRel = rel ? `${rel}/${name}` : name;
      const stat = fs.lstatSync(path.join(dir, childRel), { bigint: true });
      out.push([childRel, stat]);
      if (stat.isDirectory()) {
        visit(childRel);
      }
    }
  };
  visit('');
  return out;
}
