import { spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { readJsonFile, writeJsonAtomic } from './atomic';
import { displayPath } from './display';
import { LocalRunError } from './errors';
import { lock } from './lock';
import { defaultImageDifferences } from './image-versions';

/** The machine's local package mirror; used only where it exists and PIP_INDEX_URL is unset. */
export const LOCAL_PIP_MIRROR = '/opt/pypi/simple';

export interface PythonEnvironmentOptions {
  /** The project directory; the venv is `<projectDir>/.venv`. */
  readonly projectDir: string;
  /** Requirements files the Python steps need (installed when the venv is created). */
  readonly requirements: string[];
  /** The interpreter that creates the venv. @default 'python3' */
  readonly basePython?: string;
  /** Messages for the user: "creating the venv", "installing ...". */
  readonly notice?: (message: string) => void;
  /** Environment for pip and python (PATH matters). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** Written into a venv this runner created: only such a venv is ever changed by the runner. */
const MANAGED_MARKER = '.mlops-managed';
/** Requirements files (by content hash) already found satisfied in the venv. */
const CHECKED_FILE = '.mlops-checked.json';

interface Requirement {
  readonly name: string;
  readonly pinned?: string;
  readonly line: string;
}

/**
 * The project venv the Python steps run in. Created from the requirements files when missing
 * (saying so), checked against them once per change of those files. A venv the user made is
 * never modified: missing packages there are an error with the command that fixes it.
 */
export class PythonEnvironment {
  public readonly venvDir: string;
  public readonly python: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly options: PythonEnvironmentOptions) {
    this.venvDir = path.join(options.projectDir, '.venv');
    this.python = path.join(this.venvDir, process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
    this.env = pipEnvironment(options.env ?? process.env);
  }

  /** Makes sure the venv exists and has the required packages; returns its python. */
  public async ensure(): Promise<string> {
    if (!fs.existsSync(this.python)) {
      const release = await lock(`${this.venvDir}.mlops-lock`, 'create the venv', () => this.notice(`waiting for another mlops process that is preparing ${this.show(this.venvDir)}`));
      try {
        if (!fs.existsSync(this.python)) {
          await this.create();
        }
      } finally {
        release();
      }
    }
    const pending = this.uncheckedRequirements();
    if (pending.length === 0) {
      return this.python;
    }
    let missing = await this.missingPackages(pending);
    if (missing.length > 0) {
      if (!fs.existsSync(path.join(this.venvDir, MANAGED_MARKER))) {
        throw new LocalRunError(
          `the project venv ${this.show(this.venvDir)} lacks packages the steps need: ${missing.map((r) => r.line).join(', ')}`,
          this.installCommand(pending),
        );
      }
      const release = await lock(`${this.venvDir}.mlops-lock`, 'install packages');
      try {
        missing = await this.missingPackages(pending);
        if (missing.length > 0) {
          this.notice(`installing ${missing.map((r) => r.line).join(', ')} into ${this.show(this.venvDir)} from ${pending.map((f) => this.show(f)).join(', ')}`);
          await this.install(pending);
          pending.flatMap((f) => defaultImageDifferences(parseRequirements(f), this.show(f))).forEach((note) => this.notice(note));
        }
      } finally {
        release();
      }
      missing = await this.missingPackages(pending);
      if (missing.length > 0) {
        throw new LocalRunError(`after installing ${pending.map((f) => this.show(f)).join(', ')}, ${this.show(this.venvDir)} still lacks ${missing.map((r) => r.line).join(', ')}`, this.installCommand(pending));
      }
    }
    this.markChecked(pending);
    return this.python;
  }

  private async create(): Promise<void> {
    const base = this.options.basePython ?? 'python3';
    const from = this.options.requirements.length ? ` from ${this.options.requirements.map((f) => this.show(f)).join(', ')}` : '';
    this.notice(`creating the project venv ${this.show(this.venvDir)}${from}; Python steps run in it (first run only)`);
    const made = await run(base, ['-m', 'venv', this.venvDir], this.options.projectDir, this.env);
    if (made.spawnError) {
      throw new LocalRunError(
        `${base} was not found (${made.spawnError.message}), and the Python steps need it: the project venv ${this.show(this.venvDir)} does not exist yet`,
        `install Python 3, then create the venv: ${this.createCommand()}`,
      );
    }
    if (made.code !== 0) {
      throw new LocalRunError(`'${base} -m venv ${this.show(this.venvDir)}' failed (exit ${made.code}):\n${indent(made.tail)}`, this.createCommand());
    }
    fs.writeFileSync(path.join(this.venvDir, MANAGED_MARKER), 'created by mlops run --local; it may add packages from requirements files here\n');
    if (this.options.requirements.length > 0) {
      await this.install(this.options.requirements);
    }
  }

  private async install(files: string[]): Promise<void> {
    const args = ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', ...files.flatMap((f) => ['-r', f])];
    const result = await run(this.python, args, this.options.projectDir, this.env);
    if (result.code !== 0) {
      throw new LocalRunError(
        `installing ${files.map((f) => this.show(f)).join(', ')} into ${this.show(this.venvDir)} failed (pip exit ${result.code ?? result.spawnError?.message}):\n${indent(result.tail)}`,
        this.installCommand(files) + (this.env.PIP_INDEX_URL ? ` (pip used PIP_INDEX_URL=${this.env.PIP_INDEX_URL})` : ''),
      );
    }
  }

  /** Requirements not yet checked since they last changed. */
  private uncheckedRequirements(): string[] {
    const checked = this.readChecked();
    return this.options.requirements.filter((f) => checked[f] !== fileHash(f));
  }

  private readChecked(): { [file: string]: string } {
    try {
      const value = readJsonFile(path.join(this.venvDir, CHECKED_FILE));
      return value && typeof value === 'object' ? (value as { [file: string]: string }) : {};
    } catch {
      return {};
    }
  }

  private markChecked(files: string[]): void {
    const checked = { ...this.readChecked(), ...Object.fromEntries(files.map((f) => [f, fileHash(f)])) };
    try {
      writeJsonAtomic(path.join(this.venvDir, CHECKED_FILE), checked);
    } catch {
      // a read-only venv is checked again next time, nothing worse
    }
  }

  /** Requirements whose distribution is not installed (or not at the pinned version). */
  private async missingPackages(files: string[]): Promise<Requirement[]> {
    const requirements = files.flatMap(parseRequirements);
    if (requirements.length === 0) {
      return [];
    }
    const script = [
      'import json, sys',
      'from importlib import metadata',
      'found = {}',
      'for name in sys.argv[1:]:',
      '    try:',
      '        found[name] = metadata.version(name)',
      '    except metadata.PackageNotFoundError:',
      '        found[name] = None',
      'print(json.dumps(found))',
    ].join('\n');
    const result = await run(this.python, ['-c', script, ...requirements.map((r) => r.name)], this.options.projectDir, this.env);
    if (result.code !== 0) {
      throw new LocalRunError(
        `the venv's python ${this.show(this.python)} does not run (${result.spawnError?.message ?? `exit ${result.code}`}):\n${indent(result.tail)}`,
        `remove ${this.show(this.venvDir)} and run again to recreate it, or recreate it yourself: ${this.createCommand()}`,
      );
    }
    const versions = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as { [name: string]: string | null };
    return requirements.filter((r) => {
      const version = versions[r.name];
      return version === null || version === undefined || (r.pinned !== undefined && version !== r.pinned);
    });
  }

  private createCommand(): string {
    const base = this.options.basePython ?? 'python3';
    const create = `${base} -m venv ${this.show(this.venvDir)}`;
    return this.options.requirements.length ? `${create} && ${this.installCommand(this.options.requirements)}` : create;
  }

  private installCommand(files: string[]): string {
    return `${this.show(this.python)} -m pip install ${files.map((f) => `-r ${this.show(f)}`).join(' ')}`;
  }

  private notice(message: string): void {
    this.options.notice?.(message);
  }

  private show(file: string): string {
    return displayPath(file);
  }
}

/** pip settings: the local mirror where there is one and the user set no index. */
export function pipEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, PIP_DISABLE_PIP_VERSION_CHECK: '1' };
  if (!out.PIP_INDEX_URL && fs.existsSync(LOCAL_PIP_MIRROR)) {
    out.PIP_INDEX_URL = `file://${LOCAL_PIP_MIRROR}`;
  }
  return out;
}

/**
 * The requirements file for Python code in `codeDir`: the nearest requirements.txt in it or a
 * directory above it, up to and including the project directory.
 */
export function findRequirements(codeDir: string, projectDir: string): string | undefined {
  let dir = path.resolve(codeDir);
  const stop = path.resolve(projectDir);
  for (;;) {
    const candidate = path.join(dir, 'requirements.txt');
    if (fs.existsSync(candidate)) {
      return candidate;
    }
    const rel = path.relative(stop, dir);
    if (dir === stop || rel.startsWith('..') || path.isAbsolute(rel) || path.dirname(dir) === dir) {
      return undefined;
    }
    dir = path.dirname(dir);
  }
}

export function parseRequirements(file: string): Requirement[] {
  const out: Requirement[] = [];
  for (const raw of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line || line.startsWith('-')) {
      continue; // options (-r, -e, --index-url) are pip's business
    }
    const name = /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(line)?.[0];
    if (!name) {
      continue;
    }
    // Only an exact pin ('name==1.2.3', no markers) is compared; other specifiers are left to pip.
    const pin = /^[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*==\s*([A-Za-z0-9._+!-]+)$/.exec(line);
    out.push({ name, pinned: pin?.[1], line });
  }
  return out;
}

function fileHash(file: string): string {
  try {
    return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return 'missing';
  }
}

function indent(lines: string[]): string {
  return lines.map((l) => `    ${l}`).join('\n');
}

interface CommandResult {
  readonly code?: number;
  readonly spawnError?: Error;
  readonly stdout: string;
  readonly tail: string[];
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let all = '';
    let spawnError: Error | undefined;
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      all += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      all += d.toString();
    });
    child.on('error', (e) => {
      spawnError = e;
    });
    child.on('close', (code) => {
      resolve({ code: spawnError ? undefined : code ?? undefined, spawnError, stdout, tail: all.trimEnd().split('\n').slice(-15) });
    });
  });
}
