import * as fs from 'fs';
import * as path from 'path';
import { Pipeline, PipelineValidationError } from '../../lib/pipeline';
import { fromPipelineDocument } from '../../lib/pipeline/document';
import { CliError } from './errors';
import { loadManifestPipeline, MANIFEST_FILE } from './load-manifest';
import { requireFromProject, resolveFromProject } from './project-module';

/** File names tried, in order, when a pipeline argument names a directory. */
const DIRECTORY_ENTRIES = ['pipeline.ts', 'pipeline.js', 'index.ts', 'index.js', 'pipeline.json'];
const EXTENSIONS = ['.ts', '.js', '.cjs', '.json'];

export interface LoadedPipeline {
  readonly pipeline: Pipeline;
  /** The module file it came from. */
  readonly file: string;
  /** The export it came from ('pipeline', 'default', or another name). */
  readonly exportName: string;
}

/**
 * The file a pipeline argument names: a module file (with or without its extension) or a
 * directory holding pipeline.ts (e.g. `examples/iris`).
 */
export function resolvePipelineFile(spec: string, cwd: string): string {
  const base = path.resolve(cwd, spec);
  const tried: string[] = [];
  const candidates = [base, ...EXTENSIONS.map((ext) => base + ext)];
  for (const candidate of candidates) {
    tried.push(candidate);
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
      return candidate;
    }
    if (candidate === base && fs.existsSync(base) && fs.statSync(base).isDirectory()) {
      for (const name of DIRECTORY_ENTRIES) {
        const file = path.join(base, name);
        tried.push(file);
        if (fs.existsSync(file)) {
          return file;
        }
      }
    }
  }
  if (fs.existsSync(base) && fs.statSync(base).isDirectory()) {
    throw new CliError(
      `the pipeline module '${spec}' is a directory without ${DIRECTORY_ENTRIES.join(', ')}`,
      `pass the module file that exports the Pipeline (e.g. ${path.join(spec, 'my-pipeline.ts')}), or add ${path.join(spec, 'pipeline.ts')} exporting it`,
    );
  }
  throw new CliError(
    `cannot find the pipeline module '${spec}' (looked for ${tried.map((t) => path.relative(cwd, t) || t).join(', ')})`,
    'pass a module file that exports a Pipeline, a pipeline document (.json), a manifest cdk8s synthesized (.k8s.yaml), or a directory holding pipeline.ts, e.g. examples/iris',
  );
}

let typeScriptRegistered = false;
const TYPESCRIPT_FILE = /\.[cm]?ts$/;

/**
 * Lets require() load TypeScript modules, once per process, through the tsx of the user's project.
 * A JavaScript module loads without it; a TypeScript one without tsx is a clear error.
 */
function registerTypeScript(file: string, cwd: string): void {
  if (typeScriptRegistered || require.extensions['.ts'] !== undefined) {
    return;
  }
  if (!TYPESCRIPT_FILE.test(file) && resolveFromProject('tsx/cjs/api', cwd) === undefined) {
    return;
  }
  requireFromProject<{ register: () => unknown }>('tsx/cjs/api', cwd, `loading the TypeScript module ${path.relative(cwd, file) || file}`, 'tsx').register();
  typeScriptRegistered = true;
}

/** Loads a pipeline module and picks the Pipeline it exports. */
export function loadPipeline(spec: string, cwd: string): LoadedPipeline {
  const hash = spec.lastIndexOf('#');
  if (hash > 0 && MANIFEST_FILE.test(spec.slice(0, hash))) {
    const file = resolvePipelineFile(spec.slice(0, hash), cwd);
    return { pipeline: loadManifestPipeline(file, spec.slice(hash + 1), cwd), file, exportName: 'manifest' };
  }
  const file = resolvePipelineFile(spec, cwd);
  if (MANIFEST_FILE.test(file)) {
    return { pipeline: loadManifestPipeline(file, undefined, cwd), file, exportName: 'manifest' };
  }
  if (file.endsWith('.json')) {
    return { pipeline: loadPipelineDocument(file, cwd), file, exportName: 'document' };
  }
  registerTypeScript(file, cwd);
  let exported: unknown;
  try {
    exported = require(file);
  } catch (e) {
    const error = e as Error;
    const detail = error.name === 'PipelineValidationError' ? error.message : `${error.name}: ${error.message}`;
    throw new CliError(`loading the pipeline module ${path.relative(cwd, file) || file} failed: ${detail}`, 'fix the module so that it loads, e.g. with: npx tsx ' + (path.relative(cwd, file) || file), 1);
  }
  return { ...pickPipeline(exported, path.relative(cwd, file) || file), file };
}

/** A pipeline document (the JSON `cdk synth` writes); code paths are read relative to its directory. */
function loadPipelineDocument(file: string, cwd: string): Pipeline {
  const where = path.relative(cwd, file) || file;
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(`the pipeline document ${where} is not valid JSON (${(e as Error).message})`, 'write it with `cdk synth` (cdk.out/<stack>.<construct>.pipeline.json) or fix the JSON', 1);
  }
  try {
    return fromPipelineDocument(doc, path.dirname(file), `pipeline document ${where}`);
  } catch (e) {
    if (PipelineValidationError.isPipelineValidationError(e)) {
      throw new CliError(e.message, `fix the document, or write it again with \`cdk synth\` from the pipeline's source`, 1);
    }
    throw e;
  }
}

/** The Pipeline among a module's exports: `pipeline`, else the default export, else the only one. */
export function pickPipeline(exported: unknown, where: string): { pipeline: Pipeline; exportName: string } {
  if (Pipeline.isPipeline(exported)) {
    return { pipeline: exported, exportName: 'module.exports' };
  }
  const exports = (exported ?? {}) as { [name: string]: unknown };
  for (const name of ['pipeline', 'default']) {
    if (name in exports && exports[name] !== undefined) {
      if (Pipeline.isPipeline(exports[name])) {
        return { pipeline: exports[name] as Pipeline, exportName: name };
      }
      if (name === 'pipeline') {
        throw new CliError(`module ${where} exports 'pipeline', but it is ${describe(exports[name])}, not a Pipeline`, 'export the Pipeline object itself: export const pipeline = new Pipeline(...)');
      }
    }
  }
  const found = Object.entries(exports).filter(([, v]) => Pipeline.isPipeline(v));
  if (found.length === 1) {
    return { pipeline: found[0][1] as Pipeline, exportName: found[0][0] };
  }
  if (found.length > 1) {
    throw new CliError(
      `module ${where} exports ${found.length} pipelines (${found.map(([n]) => n).join(', ')}), and none of them as 'pipeline' or default`,
      `export the one to run as 'pipeline', e.g. export const pipeline = ${found[0][0]}`,
    );
  }
  const names = Object.keys(exports).filter((n) => n !== '__esModule');
  const factories = names.filter((n) => typeof exports[n] === 'function' && /pipeline$/i.test(n));
  const hint = factories.length
    ? `; it exports ${factories.map((n) => `${n} (a function)`).join(', ')}: export the pipeline it builds, e.g. export const pipeline = ${factories[0]}()`
    : '';
  throw new CliError(
    `module ${where} exports no Pipeline (its exports: ${names.length ? names.join(', ') : 'none'})${hint}`,
    "export one as 'pipeline' or as the default export: export const pipeline = new Pipeline('name', {...})",
  );
}

function describe(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (typeof value === 'function') {
    return 'a function';
  }
  if (typeof value === 'object') {
    return `an object of class ${value.constructor?.name ?? 'Object'}`;
  }
  return `a ${typeof value}`;
}
