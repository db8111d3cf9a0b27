/**
 * Kubernetes: the cost of the validation harness (each schema compiled once per process; the
 * Argo CRDs are interned first, see test/support/k8s/schemas.ts), Argo compile time and
 * WorkflowTemplate size for Iris and generated pipelines of growing size, and synthesis of the
 * Iris charts. Size matters: the WorkflowTemplate must stay under etcd's ~1.5 MiB object limit,
 * and on Argo v4 a DAG has at most 200 tasks (its CRDs' maxItems), so larger ones compile for v3.7.
 * Prints medians; no targets.
 */
import { Testing } from 'cdk8s';
import { IrisArgoChart, IrisKubeflowChart } from '../examples/iris/k8s';
import { irisPipeline } from '../examples/iris/pipeline';
import { Pipeline } from '../lib';
import { ArgoCompileOptions, ArgoVersion, compileArgo } from '../lib/compile/argo';
import { timings, validateManifests } from '../test/support/k8s';
import { generatedPipeline, medianMs, msSince, recordResults } from './support';




async function main(): Promise<void> {
  const options = { defaultImage: 'python:3.12-slim', codeConfigMapName: () => 'code-0123456789' };
  const v37 = { ...options, argoVersion: ArgoVersion.V3_7 };
  console.log('Argo compile (median) and WorkflowTemplate size (v4 CRDs cap a DAG at 200 tasks):');
  const argo: { [label: string]: { ms: number; outcome: string } } = {};
  for (const [label, pipeline, runs, argoOptions] of [
    ['iris, v4', irisPipeline(), 51, options],
    ['generated, 50 steps, v4', generatedPipeline(50, { cache: true }), 21, options],
    ['generated, 200 steps, v4', generatedPipeline(200, { cache: true }), 7, options],
    ['generated, 1000 steps, v4', generatedPipeline(1000, { cache: true }), 3, options],
    ['generated, 1000 steps, v3.7', generatedPipeline(1000, { cache: true }), 3, v37],
    ['generated, 2000 steps, v3.7', generatedPipeline(2000, { cache: true }), 3, v37],
  ] as [string, Pipeline, number, ArgoCompileOptions][]) {
    let outcome = '';
    const ms = await medianMs(runs, () => {
      try {
        outcome = `${(JSON.stringify(compileArgo(pipeline, argoOptions).workflowTemplate).length / 1024).toFixed(0)} KiB`;
      } catch (e) {
        outcome = `refused: ${((e as { problems?: string[] }).problems ?? [(e as Error).message])[0].slice(0, 110)}...`;
      }
    });
    argo[label] = { ms, outcome };
    console.log(`  ${label}: ${ms.toFixed(1)} ms, ${outcome}`);
  }

  let start = process.hrtime.bigint();
  const app = Testing.app();
  const objects = [...Testing.synth(new IrisArgoChart(app, 'iris-argo')), ...Testing.synth(new IrisKubeflowChart(app, 'iris-kubeflow'))];
  console.log(`Iris charts (both engines) synthesized: ${msSince(start).toFixed(0)} ms, ${objects.length} objects`);

  start = process.hrtime.bigint();
  const problems = validateManifests(objects, { argo: 'v4.1.2' });
  const firstValidation = msSince(start);
  console.log(`first validation of every Iris manifest against Kubernetes 1.30, Argo v4.1.2, Prometheus Operator and KFP schemas (compiles each schema it needs once): ${msSince(start).toFixed(0)} ms, ${problems.length} problems`);
  for (const [what, ms] of Object.entries(timings).sort((a, b) => b[1] - a[1])) {
    console.log(`  ${what}: ${ms.toFixed(0)} ms`);
  }
  const warm = await medianMs(11, () => validateManifests(objects, { argo: 'v4.1.2' }));
  console.log(`warm validation of the same ${objects.length} manifests: ${warm.toFixed(1)} ms (median of 11)`);
  recordResults('k8s', { argo, irisObjects: objects.length, firstValidationMs: firstValidation, warmValidationMs: warm });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
