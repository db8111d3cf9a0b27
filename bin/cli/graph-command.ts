import * as fs from 'fs';
import * as path from 'path';
import { PipelineValidationError } from '../../lib/pipeline';
import { CliError } from './errors';
import { CliIO } from './io';
import { loadPipeline } from './load-pipeline';
import { checkOutputFile } from './paths';

export const GRAPH_FORMATS = ['mermaid', 'svg'];

export interface GraphOptions {
  readonly format: string;
  readonly out?: string;
}

/** `mlops graph <pipeline> --format mermaid|svg [--out file]`: the pipeline as a diagram (lib/render). */
export async function graphCommand(spec: string, options: GraphOptions, io: CliIO): Promise<number> {
  if (options.out !== undefined) {
    checkOutputFile('--out', options.out, path.resolve(io.cwd, options.out), `${path.basename(spec).replace(/\.[cm]?[jt]s$/, '')}.${options.format === 'svg' ? 'svg' : 'mmd'}`);
  }
  const { pipeline } = loadPipeline(spec, io.cwd);
  // Loaded here, not at start-up: the SVG layout engine is large and only this command needs it.
  const render = require('../../lib/render') as typeof import('../../lib/render');
  let text: string;
  try {
    text = options.format === 'svg' ? await render.renderSvg(pipeline) : render.renderMermaid(pipeline);
  } catch (e) {
    // The module's own copy of cdk-mlops may have thrown the validation error: check its brand.
    if (PipelineValidationError.isPipelineValidationError(e)) {
      throw new CliError(e.message);
    }
    throw e;
  }
  if (!text.endsWith('\n')) {
    text += '\n';
  }
  if (options.out === undefined) {
    io.stdout.write(text);
    return 0;
  }
  const file = path.resolve(io.cwd, options.out);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  io.stderr.write(`wrote the ${options.format === 'svg' ? 'SVG' : 'Mermaid'} diagram of '${pipeline.name}' to ${options.out}\n`);
  return 0;
}
