import { compileArgo } from '../../lib/compile/argo';
import { Pipeline } from '../../lib/pipeline/pipeline';
import { podSecurityProblems, resourceProblems, validateManifests } from '../support/k8s';
import { describeConformance } from './features';
import { ARGO_COLUMN } from './columns/argo';

/**
 * Compiles and insists on objects that the Argo v4.1.2 CRD and JSON Schema accept with unknown
 * fields rejected, whose pods pass Pod Security 'restricted' with requests and limits, so
 * "supported" means a cluster would take the result.
 */
function compile(pipeline: Pipeline) {
  const docs = compileArgo(pipeline, { defaultImage: 'python:3.12-slim', codeConfigMapName: () => 'code' });
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
