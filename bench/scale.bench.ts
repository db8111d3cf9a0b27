/**
 * Scale (`npm run bench -- scale`): the generated pipeline of bench/support.ts with `variants: 4`,
 * that is 10 distinct step shapes (4 first-layer scripts, 4 inner scripts reading two steps each,
 * a branch script, a fail step; a condition every ten layers), every step cached, compiled to
 * each engine at 1,000 and 2,000 steps.
 *
 * Time is the median of building the pipeline, validating it (pipeline.graph(), which compile
 * calls) and compiling it; the floor is the median of JSON.stringify of the output, which any
 * compiler has to produce at least as objects. Also printed: the fastest run (the machine is shared
 * and noisy) and the median of building and validating alone, the part no compiler can remove.
 * Size is the output's JSON in bytes: the WorkflowTemplate on Argo, the IR (pipelineSpec +
 * platformSpec) on Kubeflow, the definition on SageMaker. Argo compiles for v3.7 (one DAG) and for
 * v4, whose CRDs allow at most 200 tasks per DAG, so that its DAG becomes sub-DAGs of at most 200.
 *
 * Targets at 1,000 steps: < 50 ms and <= 3x the floor on each engine; <= 1 MiB on Argo and
 * Kubeflow; the KFP SDK's 0.83 MB and the SageMaker SDK's 1.38 MB (reference sizes measured with
 * the SDKs, not here). At 2,000 steps: Argo and Kubeflow under etcd's object limit.
 */
import { Pipeline } from '../lib';
import { ArgoVersion, compileArgo } from '../lib/compile/argo';
import { compileKubeflow } from '../lib/compile/kubeflow';
import { compileSageMaker, SageMakerTarget } from '../lib/compile/sagemaker';
import { ETCD_OBJECT_LIMIT } from '../lib/kubernetes';
import { generatedPipeline, medianMs, msSince, recordResults } from './support';

const MIB = 1024 * 1024;
const SAGEMAKER: SageMakerTarget = {
  roleArn: 'arn:aws:iam::123456789012:role/bench',
  bucketName: 'bench-bucket',
  prefix: 'pipelines/bench',
  kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000',
  defaultImage: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
  codeLocation: () => ({ s3Uri: 's3://bench-assets/code.zip', fileName: 'code.zip' }),
};

interface Engine {
  readonly name: string;
  readonly compile: (pipeline: Pipeline) => unknown;
  /** Size targets in bytes by step count, with what they stand for. */
  readonly targets: { [steps: number]: [number, string][] };
}

const ENGINES: Engine[] = [
  {
    name: 'sagemaker',
    compile: (p) => compileSageMaker(p, SAGEMAKER),
    targets: { 1000: [[1.38e6, 'SageMaker SDK reference 1.38 MB']] },
  },
  {
    name: 'argo',
    compile: (p) => compileArgo(p, { defaultImage: 'python:3.12-slim', codeConfigMapName: () => 'code-0123456789', argoVersion: ArgoVersion.V3_7 }).workflowTemplate,
    targets: { 1000: [[MIB, '1 MiB']], 2000: [[ETCD_OBJECT_LIMIT, 'etcd 1.5 MiB']] },
  },
  {
    name: 'argo-v4',
    // v4's CRDs cap a DAG at 200 tasks: the DAG is split into sub-DAG templates.
    compile: (p) => compileArgo(p, { defaultImage: 'python:3.12-slim', codeConfigMapName: () => 'code-0123456789', argoVersion: ArgoVersion.V4 }).workflowTemplate,
    targets: { 1000: [[MIB, '1 MiB']], 2000: [[ETCD_OBJECT_LIMIT, 'etcd 1.5 MiB']] },
  },
  {
    name: 'kubeflow',
    compile: (p) => compileKubeflow(p, { defaultImage: 'python:3.11-slim', codeConfigMapName: () => 'code-0123456789abcdef' }),
    targets: { 1000: [[MIB, '1 MiB'], [0.83e6, 'KFP SDK reference 0.83 MB']], 2000: [[ETCD_OBJECT_LIMIT, 'etcd 1.5 MiB']] },
  },
];

const build = (steps: number) => generatedPipeline(steps, { cache: true, variants: 4 });

function report(label: string, met: boolean, detail: string): void {
  console.log(`  ${met ? 'MET    ' : 'MISSED '} ${label}: ${detail}`);
}

async function main(): Promise<void> {
  const rows: { [key: string]: unknown }[] = [];
  // build+validate is the model's part of the time (the same on every engine): what a compiler adds is the rest.
  console.log('engine       steps  build+validate+compile ms (best)  of which build+validate  stringify floor ms  ratio     bytes  shapes');
  for (const engine of ENGINES) {
    for (const steps of [1000, 2000]) {
      (global as { gc?: () => void }).gc?.();
      for (let i = 0; i < 3; i++) {
        engine.compile(build(steps)); // warm-up
      }
      const runs = steps === 1000 ? 21 : 9;
      const times = await timesMs(runs, () => engine.compile(build(steps)));
      const ms = times[Math.floor(times.length / 2)];
      const modelMs = await medianMs(runs, () => build(steps).graph());
      const output = engine.compile(build(steps));
      const floor = await medianMs(runs, () => JSON.stringify(output));
      const bytes = Buffer.byteLength(JSON.stringify(output));
      const shapes = shapeCount(engine.name, output);
      rows.push({ engine: engine.name, steps: build(steps).allSteps().length, ms, bestMs: times[0], buildValidateMs: modelMs, floorMs: floor, ratio: ms / floor, bytes, shapes });
      console.log(`${engine.name.padEnd(10)} ${String(steps).padStart(7)} ${ms.toFixed(2).padStart(26)} ${`(${times[0].toFixed(2)})`.padStart(8)} ${modelMs.toFixed(2).padStart(24)} ${floor.toFixed(2).padStart(19)} ${(ms / floor).toFixed(2).padStart(6)}x ${String(bytes).padStart(9)} ${String(shapes ?? '-').padStart(7)}`);
    }
  }
  console.log('targets:');
  const targets: { [key: string]: unknown }[] = [];
  for (const engine of ENGINES) {
    const at = (steps: number) => rows.find((r) => r.engine === engine.name && r.steps === steps)! as { ms: number; ratio: number; bytes: number };
    const big = at(1000);
    const checks: [string, boolean, string][] = [
      [`${engine.name} 1,000 steps < 50 ms`, big.ms < 50, `${big.ms.toFixed(2)} ms`],
      [`${engine.name} 1,000 steps <= 3x the stringify floor`, big.ratio <= 3, `${big.ratio.toFixed(2)}x`],
    ];
    for (const [steps, limits] of Object.entries(engine.targets)) {
      for (const [limit, what] of limits) {
        const bytes = at(Number(steps)).bytes;
        checks.push([`${engine.name} ${Number(steps).toLocaleString('en-US')} steps <= ${what}`, bytes <= limit, `${(bytes / 1e6).toFixed(3)} MB (${(bytes / MIB).toFixed(3)} MiB)`]);
      }
    }
    for (const [label, met, detail] of checks) {
      report(label, met, detail);
      targets.push({ target: label, met, figure: detail });
    }
  }
  recordResults('scale', { pipeline: 'generatedPipeline(steps, { cache: true, variants: 4 }): 10 step shapes', rows, targets });
}

/** The wall times of `runs` calls of `fn` in milliseconds, fastest first. */
async function timesMs(runs: number, fn: () => unknown): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(msSince(start));
  }
  return times.sort((a, b) => a - b);
}

/** Templates on Argo (besides the DAG and its sub-DAGs), executors on Kubeflow; SageMaker has no shared part. */
function shapeCount(engine: string, output: unknown): number | undefined {
  const o = output as { [key: string]: any };
  if (engine.startsWith('argo')) {
    return o.spec.templates.filter((t: { dag?: unknown }) => t.dag === undefined).length;
  }
  if (engine === 'kubeflow') {
    return Object.keys(o.pipelineSpec.deploymentSpec.executors).length;
  }
  return undefined;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
