import { compileArgo } from '../../lib/compile/argo';
import { Pipeline } from '../../lib/pipeline/pipeline';
import { podSecurityProblems, resourceProblems, validateManifests } from '../support/k8s';
import { describeConformance, FEATURES } from './features';
import { ARGO_COLUMN } from './columns/argo';

/**
 * Compiles and insists on objects that the Argo v4.1.2 CRD and JSON Schema accept with unknown
 * fields rejected, whose pods pass Pod Security 'restricted' with requests and limits, so
 * "supported" means a cluster would take the result.
 */
function compile(pipeline: Pipeline) {
  // The conformance pipelines' external data is in bucket 'example-data', taken as the artifact repository's.
  const docs = compileArgo(pipeline, { defaultImage: 'python:3.12-slim', codeConfigMapName: () => 'code', artifactRepositoryBucket: 'example-data' });
  const objects = [docs.workflowTemplate, ...(docs.cronWorkflow ? [docs.cronWorkflow] : [])];
  const problems = [
    ...validateManifests(objects, { argo: 'v4.1.2' }),
    ...objects.flatMap((o) => podSecurityProblems(o)),
    ...objects.flatMap((o) => resourceProblems(o)),
  ];
  if (problems.length > 0) {
    throw new Error(`invalid Argo objects for '${pipeline.name}':\n${problems.join('\n')}`);
  }
  return docs;
}

describeConformance('Argo Workflows', ARGO_COLUMN, compile);

test('fan-out: the task runs once per item with the item as MLOPS_ITEM', () => {
  const { workflowTemplate } = compile(FEATURES.find((f) => f.id === 'fan-out')!.build());
  const dag = workflowTemplate.spec.templates.find((t: { dag?: unknown }) => t.dag).dag;
  const each = dag.tasks.find((t: { name: string }) => t.name === 'each');
  expect(each.withItems).toEqual(['a', 'b', 'c']);
  expect(JSON.stringify(workflowTemplate)).toContain('MLOPS_ITEM={{inputs.parameters.');
});

test("external data: an s3:// URI in the artifact repository's bucket is a key-only input artifact the template reads itself", () => {
  const { workflowTemplate } = compile(FEATURES.find((f) => f.id === 'external-data')!.build());
  const read = workflowTemplate.spec.templates.find((t: { name: string }) => t.name === 'read');
  expect(read.inputs.artifacts).toEqual([{ name: 'raw', path: '/mlops/inputs/raw', s3: { key: 'iris' } }]);
});
