import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { CODE_ARCHIVE_KEY, PIPELINE_DOCUMENT_KEY, PIPELINE_DOCUMENT_LABEL } from '../../lib/kubernetes/pipeline-document';
import { Pipeline, PipelineValidationError } from '../../lib/pipeline';
import { fromPipelineDocument } from '../../lib/pipeline/document';
import { unpackCodeArchive } from '../../lib/runtime/unpack-code';
import { CliError } from './errors';

/** A Kubernetes manifest file, as `cdk8s synth` writes them into dist/. */
export const MANIFEST_FILE = /\.ya?ml$/;

/** Where the code archives of a manifest are unpacked, below the directory the CLI runs in. */
export const MANIFEST_CODE_DIR = path.join('.mlops', 'manifest-code');

interface ConfigMap {
  readonly metadata: { name: string; namespace?: string; labels?: { [key: string]: string } };
  readonly data?: { [key: string]: string };
  readonly binaryData?: { [key: string]: string };
}

/**
 * The pipeline a synthesized manifest carries (the ConfigMap a k8s.MlPipeline writes), with its
 * steps' code unpacked from the manifest's code ConfigMaps: the same code the cluster runs.
 * `select` picks one pipeline, by name, when the manifest holds several.
 */
export function loadManifestPipeline(file: string, select: string | undefined, cwd: string): Pipeline {
  const where = path.relative(cwd, file) || file;
  const configMaps = readConfigMaps(file, where);
  const documents = configMaps.filter((c) => c.metadata.labels?.[PIPELINE_DOCUMENT_LABEL] !== undefined && c.data?.[PIPELINE_DOCUMENT_KEY] !== undefined);
  if (documents.length === 0) {
    throw new CliError(
      `the manifest ${where} holds no pipeline document (a ConfigMap labelled ${PIPELINE_DOCUMENT_LABEL})`,
      'synthesize it from a k8s.MlPipeline (whose pipelineDocument prop is not false), or pass the pipeline module instead',
    );
  }
  const parsed = documents.map((c) => ({ configMap: c, doc: parseDocument(c, where) }));
  const chosen = pick(parsed, select, where);
  const { configMap, doc } = chosen;
  const namespace = configMap.metadata.namespace ?? 'default';
  const pipelineLabel = configMap.metadata.labels?.['mlops.cdk.io/pipeline'];
  const root = path.join(cwd, MANIFEST_CODE_DIR, namespace);
  for (const code of configMaps) {
    const archive = code.binaryData?.[CODE_ARCHIVE_KEY];
    if (archive === undefined || (code.metadata.namespace ?? 'default') !== namespace || code.metadata.labels?.['mlops.cdk.io/pipeline'] !== pipelineLabel) {
      continue;
    }
    try {
      unpackCodeArchive(Buffer.from(archive, 'base64'), path.join(root, code.metadata.name));
    } catch (e) {
      throw new CliError(`the code archive in ConfigMap '${code.metadata.name}' of ${where}: ${(e as Error).message}`, 'synthesize the manifest again', 1);
    }
  }
  const source = `pipeline document in ConfigMap '${configMap.metadata.name}' of ${where}`;
  try {
    return fromPipelineDocument(doc, root, source);
  } catch (e) {
    if (PipelineValidationError.isPipelineValidationError(e)) {
      throw new CliError(e.message, 'synthesize the manifest again from the pipeline\'s source (cdk8s synth)', 1);
    }
    throw e;
  }
}

function readConfigMaps(file: string, where: string): ConfigMap[] {
  const documents = parseAllDocuments(fs.readFileSync(file, 'utf8'));
  const list = Array.isArray(documents) ? documents : [documents];
  const broken = list.find((d) => d.errors.length > 0);
  if (broken) {
    throw new CliError(`the manifest ${where} is not valid YAML (${broken.errors[0].message.split('\n')[0]})`, 'pass the file `cdk8s synth` wrote (dist/<chart>.k8s.yaml), unchanged', 1);
  }
  return list
    .map((d) => d.toJS() as { apiVersion?: string; kind?: string; metadata?: { name?: unknown } } | null)
    .filter((o): o is ConfigMap & { apiVersion: string; kind: string } => o !== null && typeof o === 'object' && o.apiVersion === 'v1' && o.kind === 'ConfigMap' && typeof o.metadata?.name === 'string');
}

function parseDocument(configMap: ConfigMap, where: string): { name?: unknown } {
  try {
    return JSON.parse(configMap.data![PIPELINE_DOCUMENT_KEY]);
  } catch (e) {
    throw new CliError(`the pipeline document in ConfigMap '${configMap.metadata.name}' of ${where} is not valid JSON (${(e as Error).message})`, 'synthesize the manifest again', 1);
  }
}

function pick<T extends { configMap: ConfigMap; doc: { name?: unknown } }>(parsed: T[], select: string | undefined, where: string): T {
  const names = parsed.map((p) => String(p.doc.name));
  if (select !== undefined) {
    const found = parsed.filter((p) => p.doc.name === select || p.configMap.metadata.name === select);
    if (found.length === 1) {
      return found[0];
    }
    throw new CliError(
      found.length === 0 ? `the manifest ${where} holds no pipeline '${select}' (it holds: ${names.join(', ')})` : `the manifest ${where} holds ${found.length} pipelines named '${select}' (in ConfigMaps ${found.map((p) => p.configMap.metadata.name).join(', ')})`,
      `pick one by pipeline or ConfigMap name: ${where}#${found.length === 0 ? names[0] : found[0].configMap.metadata.name}`,
    );
  }
  if (parsed.length > 1) {
    throw new CliError(`the manifest ${where} holds ${parsed.length} pipelines (${names.join(', ')})`, `pick one by name: ${where}#${names[0]}`);
  }
  return parsed[0];
}
