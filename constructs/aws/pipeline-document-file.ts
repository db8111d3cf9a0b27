import * as fs from 'fs';
import * as path from 'path';
import { attachCustomSynthesis, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { toPipelineDocument } from '../../lib/pipeline/document';
import { Pipeline } from '../../lib/pipeline/pipeline';

/**
 * The name of the pipeline document `cdk synth` writes for an MlPipeline into the cloud assembly:
 * `<stack artifact id>.<construct path below the stack, '/' as '.'>.pipeline.json`.
 */
export function pipelineDocumentFileName(scope: Construct): string {
  const stack = Stack.of(scope);
  const below = scope.node.path.slice(stack.node.path.length + 1).split('/').join('.');
  return `${stack.artifactId}.${below}.pipeline.json`;
}

/** Writes the pipeline's neutral form beside the templates, code paths relative to that folder. */
export function writePipelineDocumentAtSynth(scope: Construct, pipeline: Pipeline): void {
  attachCustomSynthesis(scope, {
    onSynthesize: (session) => {
      const file = path.join(session.outdir, pipelineDocumentFileName(scope));
      fs.writeFileSync(file, `${JSON.stringify(toPipelineDocument(pipeline, session.outdir), null, 2)}\n`);
    },
  });
}
