import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CONFIG_MAP_LIMIT, formatBytes, PIPELINE_DOCUMENT_KEY, PIPELINE_DOCUMENT_LABEL, PIPELINE_DOCUMENT_LABEL_VALUE } from '../../lib/kubernetes';
import { Code } from '../../lib/pipeline/code';
import { toPipelineDocument } from '../../lib/pipeline/document';
import { Pipeline } from '../../lib/pipeline/pipeline';

/** The name of the ConfigMap that holds a pipeline's document. */
export function pipelineDocumentConfigMapName(baseName: string): string {
  return `${baseName}-pipeline-document`;
}

export interface PipelineDocumentConfigMapOptions {
  readonly name: string;
  readonly namespace: string;
  readonly labels: { [key: string]: string };
  /** The code ConfigMap each Code is packed into. */
  readonly codeConfigMapName: (code: Code) => string;
}

/**
 * The pipeline's neutral form as a ConfigMap beside its engine objects: `mlops run --local` and
 * `mlops graph` read it from the synthesized manifest, and `kubectl get configmap` shows what is
 * deployed. Code directories are written as the code ConfigMaps' names, so the manifest alone is
 * enough to run the pipeline: the CLI unpacks the same archives the cluster runs. Returns the
 * problems (too large a document).
 */
export function renderPipelineDocumentConfigMap(scope: Construct, pipeline: Pipeline, options: PipelineDocumentConfigMapOptions): string[] {
  const document = `${JSON.stringify(toPipelineDocument(pipeline, '.', { codeDirectory: options.codeConfigMapName }), null, 2)}\n`;
  const size = Buffer.byteLength(document) + PIPELINE_DOCUMENT_KEY.length;
  if (size > CONFIG_MAP_LIMIT) {
    return [`the pipeline document is ${formatBytes(size)}, over the ${formatBytes(CONFIG_MAP_LIMIT)} ConfigMap limit; set pipelineDocument: false (then \`mlops run\` needs the pipeline's module instead of the manifest)`];
  }
  new k8s.KubeConfigMap(scope, 'PipelineDocument', {
    metadata: {
      name: pipelineDocumentConfigMapName(options.name),
      namespace: options.namespace,
      labels: { ...options.labels, [PIPELINE_DOCUMENT_LABEL]: PIPELINE_DOCUMENT_LABEL_VALUE },
    },
    data: { [PIPELINE_DOCUMENT_KEY]: document },
  });
  return [];
}
