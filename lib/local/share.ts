import * as fs from 'fs';
import * as path from 'path';
import { publishDirectory, removeTree, tempName } from './atomic';

/** How the files of a shared tree reached the target. */
export interface ShareCounts {
  /** Hard links: the target's file is the source's file. */
  linked: number;
  /** Copies (or reflinks, where the file system clones): the source is on another device or cannot be linked. */
  copied: number;
}

/** Errors of link(2) after which a copy still works: another device, no hard links, too many links. */
const LINK_FALLBACK = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS']);

/** Read-only for everyone; executable bits are kept (they are part of an artifact's fingerprint). */
export function readOnlyMode(mode: number): number {
  return 0o444 | (mode & 0o111);
}

/**
 * Recreates `source` at `target` (which must not exist): directories are made anew, symlinks are
 * recreated as they are, files are hard-linked, and copied (fs.copyFile with COPYFILE_FICLONE, a
 * reflink where the file system supports it) where linking is not possible. With `readOnly`, every
 * source file is made read-only first, so a step writing to a linked file cannot change the other
 * copies (root ignores the mode: the cache also checks fingerprints before it trusts an entry).
 */
export function shareTree(source: string, target: string, options: { readonly readOnly: boolean }, counts: ShareCounts = { linked: 0, copied: 0 }): ShareCounts {
  fs.mkdirSync(target);
  for (const entry of fs.readdirSync(source, { withFileTypes: true })) {
    const from = path.join(source, entry.name);
    const to = path.join(target, entry.name);
    if (entry.isDirectory()) {
      shareTree(from, to, options, counts);
    } else if (entry.isSymbolicLink()) {
      fs.symlinkSync(fs.readlinkSync(from), to);
    } else if (entry.isFile()) {
      shareFile(from, to, options.readOnly, counts);
    }
  }
  return counts;
}

function shareFile(from: string, to: string, readOnly: boolean, counts: ShareCounts): void {
  if (readOnly) {
    const mode = fs.statSync(from).mode & 0o7777;
    if (mode !== readOnlyMode(mode)) {
      fs.chmodSync(from, readOnlyMode(mode));
    }
  }
  try {
    fs.linkSync(from, to);
    counts.linked++;
  } catch (e) {
    if (!LINK_FALLBACK.has((e as NodeJS.ErrnoException).code ?? '')) {
      throw e;
    }
    fs.copyFileSync(from, to, fs.constants.COPYFILE_FICLONE);
    counts.copied++;
  }
}

/** shareTree into a temporary sibling of `target`, renamed into place only when complete. */
export function shareTreeAtomic(source: string, target: string, options: { readonly readOnly: boolean }): ShareCounts {
  const tmp = path.join(path.dirname(target), tempName(path.basename(target)));
  try {
    const counts = shareTree(source, tmp, options);
    if (!publishDirectory(tmp, target)) {
      throw new Error(`${target} already exists`);
    }
    return counts;
  } finally {
    removeTree(tmp);
  }
}
