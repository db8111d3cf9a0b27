import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CODE_DIR, defaultStateDirs, findProjectDir, findRequirements, LocalModelRegistry, PythonEnvironment } from '../../lib/local';
import { SERVE_PATH } from '../../lib/runtime/paths';
import { CliError } from './errors';
import { CliIO } from './io';
import { checkDirectoryOption, checkExecutable } from './paths';

export interface ServeCommandOptions {
  readonly local?: boolean;
  /** @default 8080; 0 picks a free port */
  readonly port?: number;
  readonly registryDir?: string;
  readonly python?: string;
}

/**
 * `mlops serve <group>[/<version>] --local`: serves a version of the local registry over HTTP on
 * 127.0.0.1 with the inference code registered with it (SageMaker's serving contract: POST
 * /invocations, GET /ping), until Ctrl-C. Resolves to the server's exit code.
 */
export async function serveCommand(spec: string, options: ServeCommandOptions, io: CliIO, signal?: AbortSignal): Promise<number> {
  if (!options.local) {
    throw new CliError('mlops serve needs --local: it serves a model of the local registry on this machine', `npx mlops serve ${spec} --local`);
  }
  const registryDir = options.registryDir === undefined ? defaultStateDirs(io.cwd).registryDir : path.resolve(io.cwd, options.registryDir);
  checkDirectoryOption('--registry-dir', options.registryDir ?? path.relative(io.cwd, registryDir), registryDir);
  const version = findVersion(new LocalModelRegistry(registryDir), spec, path.relative(io.cwd, registryDir) || registryDir);
  const inference = version.metadata.inference;
  if (inference === undefined) {
    throw new CliError(
      `${version.group} version ${version.version} was registered without inference code, so there is nothing to serve it with`,
      "give the register step the code that serves it: Step.registerModel('register', { ..., inference: { code: Code.fromDirectory('serving'), entry: 'inference.py' } }), then run the pipeline again",
    );
  }
  const codeDir = path.join(version.path, CODE_DIR);
  const python = await interpreter(options, io, codeDir);
  const port = options.port ?? 8080;
  const child = spawn(python, [SERVE_PATH, '--model-dir', path.join(version.path, 'model'), '--code-dir', codeDir, '--entry', inference.entry, '--host', '127.0.0.1', '--port', String(port)], {
    env: { ...io.env, ...inference.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = () => child.kill('SIGTERM');
  signal?.addEventListener('abort', stop, { once: true });
  child.stderr!.on('data', (d: Buffer) => io.stderr.write(d.toString()));
  let pending = '';
  let announced = false;
  child.stdout!.on('data', (d: Buffer) => {
    if (announced) {
      io.stdout.write(d.toString());
      return;
    }
    pending += d.toString();
    const newline = pending.indexOf('\n');
    if (newline >= 0) {
      announced = true;
      const { url } = JSON.parse(pending.slice(0, newline)) as { url: string };
      io.stdout.write(`Serving ${version.group} version ${version.version} at ${url} (POST ${url}/invocations, GET ${url}/ping); Ctrl-C stops it\n${pending.slice(newline + 1)}`);
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', (e) => reject(new CliError(`cannot start ${python} (${e.message})`, 'install Python 3, or pass --python <path>', 1)));
    child.on('close', (code, sig) => {
      signal?.removeEventListener('abort', stop);
      resolve(code ?? (sig === 'SIGTERM' ? 0 : 1));
    });
  });
}

/** `<group>` (its newest version) or `<group>/<version>`, from the registry. */
function findVersion(registry: LocalModelRegistry, spec: string, shownDir: string) {
  const [group, number, ...rest] = spec.split('/');
  if (rest.length > 0 || !group || (number !== undefined && !/^[1-9][0-9]*$/.test(number))) {
    throw new CliError(`'${spec}' is not a registered model`, 'name a model group, e.g. iris-classifier, or a version of it, e.g. iris-classifier/2');
  }
  const versions = registry.versions(group);
  if (versions.length === 0) {
    const groups = fs.existsSync(registry.directory) ? fs.readdirSync(registry.directory).filter((g) => registry.versions(g).length > 0).sort() : [];
    throw new CliError(
      `the registry ${shownDir} has no model group '${group}' (it has: ${groups.length > 0 ? groups.join(', ') : 'none'})`,
      'run a pipeline that registers it first (npx mlops run <pipeline> --local), or pass --registry-dir',
    );
  }
  const found = number === undefined ? versions[versions.length - 1] : versions.find((v) => v.version === Number(number));
  if (!found) {
    throw new CliError(`model group '${group}' has no version ${number} (it has: ${versions.map((v) => v.version).join(', ')})`, `serve one of them, e.g. ${group}/${versions[versions.length - 1].version}`);
  }
  return found;
}

/** --python, else the project venv (with the inference code's requirements.txt, if it has one). */
async function interpreter(options: ServeCommandOptions, io: CliIO, codeDir: string): Promise<string> {
  if (options.python !== undefined) {
    const python = /[\\/]/.test(options.python) ? path.resolve(io.cwd, options.python) : options.python;
    checkExecutable('--python', options.python, python);
    return python;
  }
  const requirements = findRequirements(codeDir, codeDir);
  return new PythonEnvironment({ projectDir: findProjectDir(io.cwd), requirements: requirements ? [requirements] : [], env: io.env, notice: (m) => io.stderr.write(`mlops: ${m}\n`) }).ensure();
}
