import * as fs from 'fs';
import * as path from 'path';
import { brand, isA } from './brand';

export interface CodeOptions {
  /** File or directory names left out when the code is packaged or hashed: exact names, or '*.ext'. */
  readonly exclude?: string[];
}

/** What every Code leaves out before its own `exclude`. */
export const DEFAULT_EXCLUDE = ['__pycache__', '*.pyc', '.venv', 'node_modules', '.git'];

/**
 * The code a step runs: a local directory that each engine ships in its own way (an S3 asset on
 * SageMaker, the image or a volume on Kubernetes, the directory itself locally).
 */
export class Code {
  /** True for a Code from any copy of cdk-mlops. */
  public static isCode(x: unknown): x is Code {
    return isA(x, Code);
  }

  /** A directory; a relative path is resolved against the current directory. */
  public static fromDirectory(directory: string, options: CodeOptions = {}): Code {
    return new Code(path.resolve(directory), [...DEFAULT_EXCLUDE, ...(options.exclude ?? [])]);
  }

  /** Entry checks read the file system; one pipeline asks for the same entries many times. */
  private readonly entryProblems = new Map<string, string[]>();

  private constructor(
    /** Absolute path of the directory. */
    public readonly directory: string,
    public readonly exclude: string[],
  ) {}

  /**
   * The files that make up the code, as sorted '/'-separated paths relative to the directory,
   * leaving out `exclude` matches. Packaging and cache keys both read this list.
   */
  public files(): string[] {
    const out: string[] = [];
    const walk = (dir: string, prefix: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (this.exclude.some((pattern) => matches(pattern, entry.name))) {
          continue;
        }
        const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
          walk(path.join(dir, entry.name), rel);
        } else if (entry.isFile()) {
          out.push(rel);
        }
      }
    };
    walk(this.directory, '');
    return out.sort();
  }

  /** Problems with this code and the entry script a step runs from it (checked once per entry). */
  public problemsWithEntry(entry: string): string[] {
    let problems = this.entryProblems.get(entry);
    if (problems === undefined) {
      problems = this.checkEntry(entry);
      this.entryProblems.set(entry, problems);
    }
    return [...problems];
  }

  private checkEntry(entry: string): string[] {
    if (!fs.existsSync(this.directory) || !fs.statSync(this.directory).isDirectory()) {
      return [`code directory ${JSON.stringify(this.directory)} does not exist; pass an existing directory to Code.fromDirectory (use path.join(__dirname, ...) for paths next to your module)`];
    }
    if (path.isAbsolute(entry) || entry.split(/[\\/]/).includes('..')) {
      return [`entry ${JSON.stringify(entry)} must be a path inside the code directory, relative to it`];
    }
    if (scriptRuntime(entry) === undefined) {
      return [`entry ${JSON.stringify(entry)} has no known runtime (allowed: a '.py' script run with python3, or a '.sh' script run with sh); rename it or wrap it in a .py or .sh script`];
    }
    const file = path.join(this.directory, entry);
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      return [`entry ${JSON.stringify(entry)} is not a file in ${JSON.stringify(this.directory)}; check the name or the code directory`];
    }
    return [];
  }
}

/** A name matches an exclude pattern exactly, or by extension for patterns like '*.pyc'. */
function matches(pattern: string, name: string): boolean {
  return pattern.startsWith('*') ? name.endsWith(pattern.slice(1)) : pattern === name;
}

/** The interpreter for an entry script, from its extension. */
export enum ScriptRuntime {
  PYTHON = 'python',
  SHELL = 'shell',
}

export function scriptRuntime(entry: string): ScriptRuntime | undefined {
  if (entry.endsWith('.py')) {
    return ScriptRuntime.PYTHON;
  }
  if (entry.endsWith('.sh')) {
    return ScriptRuntime.SHELL;
  }
  return undefined;
}

brand(Code, 'cdk-mlops.Code');
