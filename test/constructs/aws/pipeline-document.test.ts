import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { irisPipeline } from '../../../examples/iris/pipeline';
import { MlPipeline, Orchestrator } from '../../../constructs/aws';
import { compileSageMaker } from '../../../lib/compile/sagemaker';
import { fromPipelineDocument, toPipelineDocument } from '../../../lib/pipeline/document';
import { testApp } from '../../support/aws';
import { testTarget } from '../../support/aws/sagemaker-target';

test('cdk synth writes each MlPipeline\'s pipeline document beside the templates, and it loads back to the same pipeline', () => {
  const app = testApp();
  const stack = new Stack(app, 'Ml');
  const pipeline = irisPipeline();
  new MlPipeline(stack, 'Iris', { pipeline, orchestrator: Orchestrator.sageMaker() });
  const outdir = app.synth().directory;
  const file = path.join(outdir, 'Ml.Iris.pipeline.json');
  const written = JSON.parse(fs.readFileSync(file, 'utf8'));
  expect(written).toEqual(toPipelineDocument(pipeline, outdir));
  expect(written.steps.find((s: { name: string }) => s.name === 'extract').code.directory).toBe(path.relative(outdir, path.join(__dirname, '..', '..', '..', 'examples', 'iris', 'steps')));
  expect(compileSageMaker(fromPipelineDocument(written, outdir), testTarget())).toEqual(compileSageMaker(pipeline, testTarget()));
  fs.rmSync(outdir, { recursive: true, force: true });
});
