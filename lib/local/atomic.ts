import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/**
 * File-system moves that readers can trust: everything is written under a temporary name in the
 * same directory and renamed into place, so a crash or SIGKILL leaves either the old state or
 * the new one, never half of it. Temporary names start with '.tmp-' so listings can skip them.
 */

export const TEMP_PREFIX = '.tmp-';

const PROCESS_TAG = randomBytes(4).toString('hex');
let counter = 0;

/**
 * A name no other process (or earlier crash) uses: '.tmp-<label>-<pid>-<random>-<n>'. The random
 * part is drawn once per process: pids get reused, and a counter is cheaper than fresh randomness.
 */
export function tempName(label: string): string {
  return `${TEMP_PREFIX}${label}-${process.pid}-${PROCESS_TAG}-${counter++}`;
}

export function writeFileAtomic(file: string, data: string): void {
  const tmp = path.join(path.dirname(file), tempName(path.basename(file)));
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true }); // a full disk leaves a partial temporary file
    throw e;
  }
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

/**
 * Renames directory `source` to `target`, which must not exist or be non-empty. Returns false when
 * `target` is already taken (another process published first); throws on other errors.
 */
export function publishDirectory(source: string, target: string): boolean {
  try {
    fs.renameSync(source, target);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') {
      return false;
    }
    throw e;
  }
}

/** Copies a directory tree (regular files, directories and symlinks as they are). */
export function copyDirectory(source: string, target: string): void {
  fs.cpSync(source, target, { recursive: true, errorOnExist: true, force: false, verbatimSymlinks: true });
}

/**
 * Removes a tree without ever leaving a partly deleted one under its real name: it is first
 * renamed to a temporary name, then deleted.
 */
export function discardDirectory(dir: string): void {
  if (!fs.existsSync(dir)) {
    return;
  }
  const doomed = path.join(path.dirname(dir), tempName(`discard-${path.basename(dir)}`));
  try {
    fs.renameSync(dir, doomed);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return;
    }
    throw e;
  }
  removeTree(doomed);
}

export function removeTree(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Reads a JSON file; undefined when it does not exist. Throws with the file named when it does not parse. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw e;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not valid JSON (${(e as Error).message})`, { cause: e });
  }
}
