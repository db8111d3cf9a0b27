import { createHash, Hash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Code } from '../pipeline/code';

/**
 * Content fingerprints for cache keys: a directory's hash covers every file's relative path,
 * executable bit and bytes (and symlink targets), in sorted order, so it changes exactly when
 * what a step would read changes. Files are read in chunks: artifacts can be larger than memory.
 */

const CHUNK = 1 << 20;

function hashFile(hash: Hash, file: string, buffer: Buffer): void {
  const fd = fs.openSync(file, 'r');
  try {
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) {
        break;
      }
      hash.update(buffer.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
}

function fileDigest(file: string, buffer: Buffer): string {
  const hash = createHash('sha256');
  hashFile(hash, file, buffer);
  return hash.digest('hex');
}

/** Relative '/'-separated paths of everything under `dir` (files and symlinks), sorted. */
function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string) => {
    for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        out.push(`${childRel}/`);
        walk(path.join(abs, entry.name), childRel);
      } else {
        out.push(childRel);
      }
    }
  };
  walk(dir, '');
  return out.sort();
}

function digestOf(root: string, relativePaths: string[]): string {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(CHUNK);
  for (const rel of relativePaths) {
    const abs = path.join(root, ...rel.split('/').filter(Boolean));
    const stat = fs.lstatSync(abs);
    if (stat.isDirectory()) {
      hash.update(`d\0${rel}\0`);
    } else if (stat.isSymbolicLink()) {
      hash.update(`l\0${rel}\0${fs.readlinkSync(abs)}\0`);
    } else if (stat.isFile()) {
      hash.update(`f\0${rel}\0${stat.mode & 0o111 ? 'x' : '-'}\0${fileDigest(abs, buffer)}\0`);
    }
  }
  return hash.digest('hex');
}

/** The fingerprint of everything in a directory (an artifact). */
export function directoryFingerprint(dir: string): string {
  return digestOf(dir, listTree(dir));
}

/** The fingerprint of a step's code: the files Code.files() lists, so Code's exclude is respected. */
export function codeFingerprint(code: Code): string {
  return digestOf(code.directory, code.files());
}

/** sha256 of a JSON value with object keys sorted, so equal values always hash the same. */
export function jsonFingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as object)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The fingerprint of one file's bytes (a metrics file). */
export function fileFingerprint(file: string): string {
  return fileDigest(file, Buffer.allocUnsafe(CHUNK));
}
