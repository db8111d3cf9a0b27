import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ScriptRuntime } from '../pipeline/code';
import type { ContainerStep } from '../pipeline/steps/container-step';
import { LocalRunError } from './errors';
import { PlannedStep } from './planned';
import { findRequirements, PythonEnvironment } from './python-env';

/** The interpreter that runs the step launcher (and through it the script) for each runtime. */
export interface Interpreters {
  /** For '.py' steps: the project venv's python (or --python). */
  readonly python?: string;
  /** For '.sh' steps: any Python 3 runs the launcher, which then runs `sh`. */
  readonly shell?: string;
}

export interface InterpreterOptions {
  readonly projectDir: string;
  /** Use this interpreter for everything instead of the project venv. */
  readonly python?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly notice: (message: string) => void;
}

/**
 * Finds (or creates) the interpreters a run needs before anything runs, so that a missing python3
 * or missing packages fail the run up front with the command that fixes them.
 */
export async function prepareInterpreters(steps: PlannedStep[], options: InterpreterOptions): Promise<Interpreters> {
  const containers = steps.filter((s) => s.handler.runsAs === 'process');
  if (options.python) {
    return { python: options.python, shell: options.python };
  }
  const python = containers.filter((s) => s.runtime === ScriptRuntime.PYTHON);
  if (python.length > 0) {
    const requirements = [...new Set(python.flatMap((s) => findRequirements((s.code ?? (s.step as ContainerStep).code).directory, options.projectDir) ?? []))];
    const venvPython = await new PythonEnvironment({ projectDir: options.projectDir, requirements, env: options.env, notice: options.notice }).ensure();
    return { python: venvPython, shell: venvPython };
  }
  return containers.length > 0 ? { shell: await systemPython(options.env) } : {};
}

export function interpreterFor(step: PlannedStep, interpreters: Interpreters): string {
  const interpreter = step.runtime === ScriptRuntime.PYTHON ? interpreters.python : interpreters.shell;
  if (interpreter === undefined) {
    throw new Error(`internal: no interpreter prepared for step '${step.name}'`);
  }
  return interpreter;
}

let cachedSystemPython: Promise<string> | undefined;

/**
 * The real path of `python3`, resolved once per process: version managers (pyenv) put a shell
 * script on PATH that costs a few hundred milliseconds on every start.
 */
function systemPython(env: NodeJS.ProcessEnv): Promise<string> {
  cachedSystemPython ??= new Promise((resolve, reject) => {
    execFile('python3', ['-c', 'import sys; print(sys.executable)'], { env }, (error, stdout) => {
      if (error) {
        cachedSystemPython = undefined;
        reject(new LocalRunError(
          `python3 was not found (${error.message.split('\n')[0]}); the step launcher needs it to run shell steps`,
          'install Python 3 and make sure python3 is on PATH',
        ));
      } else {
        resolve(stdout.trim() || 'python3');
      }
    });
  });
  return cachedSystemPython;
}

/** The nearest directory at or above `from` that holds a package.json; `from` itself when none does. */
export function findProjectDir(from: string): string {
  let dir = path.resolve(from);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      return path.resolve(from);
    }
    dir = parent;
  }
}
