import { compileKubeflow } from '../../lib/compile/kubeflow';
import { Pipeline } from '../../lib/pipeline/pipeline';
import { TEST_OPTIONS, validateKubeflowDocument } from '../support/kubeflow';
import { describeConformance, FEATURES } from './features';
import { KUBEFLOW_COLUMN } from './columns/kubeflow';

/** Compiles and insists on a valid IR, so "supported" means KFP would accept the result. */
function compile(pipeline: Pipeline) {
  const doc = compileKubeflow(pipeline, TEST_OPTIONS);
  const problems = validateKubeflowDocument(doc);
  if (problems.length > 0) {
    throw new Error(`invalid KFP IR for '${pipeline.name}':\n${problems.join('\n')}`);
  }
  return doc;
}

describeConformance('Kubeflow', KUBEFLOW_COLUMN, compile);

test('fan-out: a ParallelFor over the raw items, each run getting its item as MLOPS_ITEM', () => {
  const { pipelineSpec } = compile(FEATURES.find((f) => f.id === 'fan-out')!.build());
  const loop = Object.values<any>(pipelineSpec.root.dag.tasks).find((t) => t.parameterIterator);
  expect(JSON.parse(loop.parameterIterator.items.raw)).toEqual(['a', 'b', 'c']);
  expect(JSON.stringify(pipelineSpec.deploymentSpec)).toContain("MLOPS_ITEM={{$.inputs.parameters['mlops-item']}}");
});
