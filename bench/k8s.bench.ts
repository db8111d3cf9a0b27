/**
 * Kubernetes: the cost of the validation harness (each schema compiled once per process; the
 * Argo CRDs are interned first, see test/support/k8s/schemas.ts), Argo compile time and
 * WorkflowTemplate size for Iris and generated pipelines of growing size, and synthesis of the
 * Iris charts. Size matters: the WorkflowTemplate must stay under etcd's ~1.5 MiB object limit.
 * Prints medians; no targets.
 */
import * as path from 'path';
import { Testing } from 'cdk8s';
import { IrisArgoChart, IrisKubeflowChart } from '../examples/iris/k8s';
import { irisPipeline } from '../examples/iris/pipeline';
import { CachePolicy, Code, Condition, Pipeline, ScriptStep, Step, Value } from '../lib';
import { compileArgo } from '../lib/compile/argo';
import { timings, validateManifests } from '../test/support/k8s';

const code = Code.fromDirectory(path.join(__dirname, '..', 'test', 'fixtures', 'steps'));

function generated(steps: number, width = 4): Pipeline {
  const p = new Pipeline(`generated-${steps}`, { defaultCache: CachePolicy.enabled() });
  let above: ScriptStep[] = [];
  let made = 0;
  for (let layer = 0; made < steps; layer++) {
    const row: ScriptStep[] = [];
    for (let i = 0; i < width && made < steps; i++, made++) {
      const inputs = Object.fromEntries(above.filter((_, j) => j === i || j === (i + 1) % above.length).map((s, j) => [`in${j}`, s.output('out')]));
      row.push(Step.script(`s${layer}-${i}`, { code, entry: 'noop.py', inputs, outputs: ['out'], metrics: ['score'] }));
    }
    p.addStep(...row);
    if (layer % 10 === 9 && made + 3 <= steps) {
      p.addStep(Step.condition(`gate${layer}`, {
        when: Condition.gte(row[0].metric('score'), Value.number(0.5)),
        then: [Step.script(`then${layer}`, { code, entry: 'noop.py', inputs: { x: row[0].output('out') } })],
        otherwise: [Step.fail(`fail${layer}`, { message: 'score too low' })],
      }));
      made += 3;
    }
    above = row;
  }
  return p;
}

function median(runs: number, fn: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function main(): void {
  const options = { defaultImage: 'python:3.12-slim', codeConfigMapName: () => 'code-0123456789' };
  console.log('Argo compile (median) and WorkflowTemplate size:');
  for (const [label, pipeline, runs] of [
    ['iris', irisPipeline(), 51],
    ['generated, 50 steps', generated(50), 21],
    ['generated, 200 steps', generated(200), 7],
    ['generated, 900 steps', generated(900), 3],
    ['generated, 1000 steps', generated(1000), 3],
  ] as [string, Pipeline, number][]) {
    let outcome = '';
    const ms = median(runs, () => {
      try {
        outcome = `${(JSON.stringify(compileArgo(pipeline, options).workflowTemplate).length / 1024).toFixed(0)} KiB`;
      } catch (e) {
        outcome = `refused: ${((e as { problems?: string[] }).problems ?? [(e as Error).message])[0].slice(0, 110)}...`;
      }
    });
    console.log(`  ${label}: ${ms.toFixed(1)} ms, ${outcome}`);
  }

  let start = process.hrtime.bigint();
  const app = Testing.app();
  const objects = [...Testing.synth(new IrisArgoChart(app, 'iris-argo')), ...Testing.synth(new IrisKubeflowChart(app, 'iris-kubeflow'))];
  console.log(`Iris charts (both engines) synthesized: ${(Number(process.hrtime.bigint() - start) / 1e6).toFixed(0)} ms, ${objects.length} objects`);

  start = process.hrtime.bigint();
  const problems = validateManifests(objects, { argo: 'v4.1.2' });
  console.log(`first validation of every Iris manifest against Kubernetes 1.30, Argo v4.1.2, Prometheus Operator and KFP schemas (compiles each schema it needs once): ${(Number(process.hrtime.bigint() - start) / 1e6).toFixed(0)} ms, ${problems.length} problems`);
  for (const [what, ms] of Object.entries(timings).sort((a, b) => b[1] - a[1])) {
    console.log(`  ${what}: ${ms.toFixed(0)} ms`);
  }
  const warm = median(11, () => validateManifests(objects, { argo: 'v4.1.2' }));
  console.log(`warm validation of the same ${objects.length} manifests: ${warm.toFixed(1)} ms (median of 11)`);
}

main();
