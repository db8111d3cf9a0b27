import * as fs from 'fs';
import * as path from 'path';
import { fileURLToPath } from 'url';
import { DataSource, ExternalData } from '../../pipeline/artifacts';
import { isA } from '../../pipeline/brand';
import { directoryFingerprint } from '../fingerprint';
import { LocalSourceResolver, PlannedSource, SourcePlanContext } from './resolver';

/**
 * Data that exists before the run: an absolute path or a file:// URI, read in place (its content
 * is in the reader's cache key). Other schemes are refused when the run is planned: the local
 * runner reads local paths only.
 */
export const URI_SOURCE: LocalSourceResolver = {
  plan(source: DataSource, context: SourcePlanContext): PlannedSource | undefined {
    const at = `input '${context.input}'`;
    if (!isA(source, ExternalData)) {
      context.problem(`${at} reads ${source}, which says it is a URI but is not DataSource.fromUri(...); use DataSource.fromUri(uri)`);
      return undefined;
    }
    if (source.scheme !== 'file') {
      context.problem(`${at} reads ${source.uri}, which is not on this machine: the local runner reads local paths only (an absolute path or a file:// URI); copy the data to this machine and read it with DataSource.fromUri('/path/to/data'), or run the pipeline on an engine that reads ${source.scheme}:// URIs`);
      return undefined;
    }
    let dir: string;
    try {
      dir = source.uri.startsWith('file:') ? fileURLToPath(source.uri) : path.resolve(source.uri);
    } catch (e) {
      context.problem(`${at} reads ${source.uri}, which is not a usable file URI (${(e as Error).message}); give an absolute path or file:///absolute/path`);
      return undefined;
    }
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(dir);
    } catch {
      stat = undefined;
    }
    if (stat === undefined) {
      context.problem(`${at} reads ${source.uri}, but ${dir} does not exist on this machine; create it, or point DataSource.fromUri at an existing directory`);
      return undefined;
    }
    if (!stat.isDirectory()) {
      context.problem(`${at} reads ${source.uri}, which is a file; inputs are directories (MLOPS_INPUT_${context.input.toUpperCase()}), so point DataSource.fromUri at the directory holding it`);
      return undefined;
    }
    return {
      directory: () => dir,
      fingerprint: (run) => run.once(`uri:${dir}`, () => directoryFingerprint(dir)),
    };
  },
};
