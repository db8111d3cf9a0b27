import * as fs from 'fs';
import * as path from 'path';
import { CliError } from './errors';

/**
 * Checks of the CLI's path arguments before anything runs, so a path of the wrong kind is one
 * clear message (what was given, what it is, what is needed) instead of a stack trace later.
 */

function statOf(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

function writable(dir: string): string | undefined {
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
    return undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EROFS' ? 'is on a read-only file system' : 'is not writable';
  }
}

/** The nearest existing ancestor of a path that does not exist, and its stat. */
function existingAncestor(file: string): { dir: string; stat: fs.Stats | undefined } {
  let dir = path.dirname(file);
  for (;;) {
    try {
      return { dir, stat: fs.statSync(dir) };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') {
        // a file somewhere above: keep walking up to name it
      } else if (code !== 'ENOENT') {
        return { dir, stat: undefined };
      }
      const up = path.dirname(dir);
      if (up === dir) {
        return { dir, stat: undefined };
      }
      dir = up;
    }
  }
}

/** Why the missing path `file` cannot be created (undefined when it can, with its parents). */
function creationProblem(file: string): string | undefined {
  const { dir, stat } = existingAncestor(file);
  if (stat === undefined) {
    return `${dir} cannot be read`;
  }
  if (!stat.isDirectory()) {
    return `${dir} is a file, not a directory`;
  }
  const problem = writable(dir);
  return problem && `${dir} ${problem}`;
}

/**
 * A directory option (--runs-dir, --cache-dir, --registry-dir): an existing writable directory,
 * or a path that can be created (missing parents are created too).
 */
export function checkDirectoryOption(option: string, given: string, resolved: string): void {
  const shown = given === resolved ? `'${given}'` : `'${given}' (${resolved})`;
  const stat = statOf(resolved);
  if (stat && !stat.isDirectory()) {
    throw new CliError(`${option} ${shown} is a file, not a directory`, `pass a directory (it is created if it does not exist), e.g. ${option} ${path.join(path.dirname(given), '.mlops')}`);
  }
  if (stat) {
    const problem = writable(resolved);
    if (problem) {
      throw new CliError(`${option} ${shown} ${problem}`, `pass a directory you can write to, or fix its permissions (ls -ld ${resolved})`);
    }
    return;
  }
  const problem = creationProblem(resolved);
  if (problem) {
    throw new CliError(`${option} ${shown} cannot be created: ${problem}`, `pass a directory under one you can write to`);
  }
}

/** An output file option (graph --out): a file path, not a directory; missing parents are created. */
export function checkOutputFile(option: string, given: string, resolved: string, example: string): void {
  const shown = given === resolved ? `'${given}'` : `'${given}' (${resolved})`;
  const stat = statOf(resolved);
  if (stat?.isDirectory()) {
    throw new CliError(`${option} ${shown} is a directory; it needs a file name`, `name the file to write, e.g. ${option} ${path.join(given, example)}`);
  }
  if (stat) {
    try {
      fs.accessSync(resolved, fs.constants.W_OK);
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'EROFS' ? 'is on a read-only file system' : 'is not writable';
      throw new CliError(`${option} ${shown} ${why}`, `write somewhere else, or fix its permissions (ls -l ${resolved})`);
    }
    return;
  }
  const problem = creationProblem(resolved);
  if (problem) {
    throw new CliError(`${option} ${shown} cannot be created: ${problem}`, `pass a file path under a directory you can write to`);
  }
}

/** --python: a command name is looked up on PATH when it runs; a path must be an executable file. */
export function checkExecutable(option: string, given: string, resolved: string): void {
  if (!given.includes('/') && !given.includes(path.sep)) {
    return;
  }
  const stat = statOf(resolved);
  const fix = 'pass the path of a Python 3 interpreter, e.g. --python .venv/bin/python';
  if (stat === undefined) {
    throw new CliError(`${option} '${given}' does not exist`, fix);
  }
  if (stat.isDirectory()) {
    throw new CliError(`${option} '${given}' is a directory, not an interpreter`, `${fix} (inside a venv: ${path.join(given, 'bin', 'python')})`);
  }
  try {
    fs.accessSync(resolved, fs.constants.X_OK);
  } catch {
    throw new CliError(`${option} '${given}' is not executable`, `${fix}, or make it executable (chmod +x ${given})`);
  }
}

/** A file-system error of a command (no room, no permission), as a message without a stack trace. */
export function fileSystemError(e: unknown): CliError | undefined {
  const error = e as NodeJS.ErrnoException;
  const known: { [code: string]: string } = {
    ENOSPC: 'free space on that file system, or write somewhere else',
    EDQUOT: 'free space within your quota, or write somewhere else',
    EACCES: 'fix the permissions, or write somewhere else',
    EPERM: 'fix the permissions, or write somewhere else',
    EROFS: 'write to a file system that is not read-only',
    EISDIR: 'pass a file, not a directory',
    ENOTDIR: 'a part of the path is a file: pass a path whose parents are directories',
  };
  if (!(error instanceof Error) || typeof error.code !== 'string' || known[error.code] === undefined) {
    return undefined;
  }
  return new CliError(error.message, known[error.code], 1);
}
