import * as path from 'path';
import { compileKubeflow, KubeflowCompileOptions, KubeflowDocument } from '../../../lib/compile/kubeflow';
import { Code } from '../../../lib/pipeline/code';
import { Pipeline } from '../../../lib/pipeline/pipeline';

/** Options a construct would pass: a default image and one ConfigMap per code directory. */
export const TEST_OPTIONS: KubeflowCompileOptions = {
  defaultImage: 'python:3.11-slim',
  codeConfigMapName: (code: Code) => `code-${path.basename(code.directory).toLowerCase()}`,
};

export function compileForTest(pipeline: Pipeline, options: Partial<KubeflowCompileOptions> = {}): KubeflowDocument {
  return compileKubeflow(pipeline, { ...TEST_OPTIONS, ...options });
}
