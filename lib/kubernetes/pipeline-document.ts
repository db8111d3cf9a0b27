/**
 * How a Kubernetes manifest carries a pipeline's neutral form: a ConfigMap with this label, the
 * document under PIPELINE_DOCUMENT_KEY, and each step's code directory written as the name of
 * the code ConfigMap that holds its archive (key CODE_ARCHIVE_KEY). `mlops run <manifest>` finds
 * them by these names; the constructs write them.
 */
export const PIPELINE_DOCUMENT_LABEL = 'mlops.cdk.io/pipeline-document';
/** The label's value: the document format's version, as a label value can hold it. */
export const PIPELINE_DOCUMENT_LABEL_VALUE = 'v1';
export const PIPELINE_DOCUMENT_KEY = 'pipeline.json';
export const CODE_ARCHIVE_KEY = 'code.zip';
