/**
 * Local runner benchmarks (`npm run bench -- local`):
 *  1. scheduling overhead per step: 200 no-op steps (8 runs of 25 chained steps), run by the
 *     runner, against spawning the very same processes (the step launcher running a no-op script)
 *     one after the other in this process; target <= 10 ms/step beyond the spawns;
 *  2. parallel speedup of two independent 1-second steps (max-parallel 2 vs 1); target >= 1.8x;
 *  3. a cached rerun of the Iris pipeline against its cold run; target >= 20x faster;
 *  4. a cached rerun of a step with 1 MB of outputs against one with 1 GB (a sparse file): hits
 *     share the entry's files by hard link, so both cost the same; target <= 1.5x.
 */
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { irisPipeline } from '../examples/iris/pipeline';
import { CachePolicy, Code, Pipeline, Step } from '../lib';
import { runLocally, RunStatus } from '../lib/local';
import { LAUNCHER_PATH } from '../lib/runtime';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-local-'));
const code = path.join(work, 'steps');
fs.mkdirSync(code);
fs.writeFileSync(path.join(code, 'noop.sh'), 'exit 0\n');
fs.writeFileSync(path.join(code, 'sleep.sh'), 'sleep 1\n');
fs.writeFileSync(path.join(code, 'sized.sh'), 'truncate -s "$OUTPUT_BYTES" "$MLOPS_OUTPUT_DATA/data.bin"\necho "$OUTPUT_BYTES" > "$MLOPS_OUTPUT_DATA/size.txt"\n');
const projectDir = path.resolve(__dirname, '..');
let runs = 0;
const dirs = () => {
  const base = path.join(work, `state-${runs++}`);
  return { runsDir: path.join(base, 'runs'), cacheDir: path.join(base, 'cache'), registryDir: path.join(base, 'registry'), projectDir };
};

function chain(n: number): Pipeline {
  const p = new Pipeline('overhead');
  const c = Code.fromDirectory(code);
  let previous: Step | undefined;
  for (let i = 0; i < n; i++) {
    const step: Step = Step.script(`s${i}`, { code: c, entry: 'noop.sh', dependsOn: previous ? [previous] : [] });
    p.addStep(step);
    previous = step;
  }
  return p;
}

function spawnOnce(python: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [LAUNCHER_PATH, '--code', code, '--entry', 'noop.sh'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout.resume();
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (status) => (status === 0 ? resolve() : reject(new Error(`exit ${status}`))));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const verdict = (ok: boolean) => (ok ? 'meets the target' : 'MISSES the target');

async function timed(run: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await run();
  return performance.now() - t0;
}

/** Wall time and this process's CPU time (user + system) of `run`, in ms. */
async function measured(run: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

async function overhead(): Promise<void> {
  const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  await runLocally(chain(3), { ...dirs(), maxParallel: 1 }); // warm-up: interpreter lookup, file caches
  // The machine is shared, so the wall time of a spawn drifts a lot. Paired blocks taken back to
  // back (a run of `steps` chained no-op steps, then as many direct spawns of the same command)
  // cancel slow drift; the median of the per-block differences is the wall-clock figure. The CPU
  // time this process spends (scheduling, state files, spawning) hardly depends on the load.
  const steps = 25;
  const blocks = 8;
  const wall: number[] = [];
  const cpu: number[] = [];
  const totals = { runner: 0, direct: 0, runnerCpu: 0, directCpu: 0 };
  for (let block = 0; block < blocks; block++) {
    const viaRunner = await measured(async () => {
      const report = await runLocally(chain(steps), { ...dirs(), maxParallel: 1 });
      if (report.status !== RunStatus.SUCCEEDED) {
        throw new Error(report.error);
      }
    });
    const direct = await measured(async () => {
      for (let i = 0; i < steps; i++) {
        await spawnOnce(python);
      }
    });
    totals.runner += viaRunner.wall;
    totals.direct += direct.wall;
    totals.runnerCpu += viaRunner.cpu;
    totals.directCpu += direct.cpu;
    wall.push((viaRunner.wall - direct.wall) / steps);
    cpu.push((viaRunner.cpu - direct.cpu) / steps);
  }
  const n = steps * blocks;
  const perStep = median(wall);
  console.log(`scheduling overhead: ${n} no-op steps (${blocks} runs of ${steps} chained steps): ${(totals.runner / n).toFixed(1)} ms/step through the runner, ${(totals.direct / n).toFixed(1)} ms/step spawning the same processes (the step launcher) directly`);
  console.log(`  wall-clock difference per block, ms/step: ${wall.map((d) => d.toFixed(1)).join(', ')}`);
  console.log(`  => median ${perStep.toFixed(2)} ms/step beyond process spawn (target <= 10 ms/step): ${verdict(perStep <= 10)}`);
  console.log(`  CPU time of this process: ${(totals.runnerCpu / n).toFixed(2)} ms/step through the runner, ${(totals.directCpu / n).toFixed(2)} ms/step spawning directly => ${median(cpu).toFixed(2)} ms/step of runner work (median)`);
}

async function parallel(): Promise<void> {
  const build = () => {
    const p = new Pipeline('parallel');
    const c = Code.fromDirectory(code);
    p.addStep(Step.script('left', { code: c, entry: 'sleep.sh' }), Step.script('right', { code: c, entry: 'sleep.sh' }));
    return p;
  };
  const one = await timed(() => runLocally(build(), { ...dirs(), maxParallel: 1 }));
  const two = await timed(() => runLocally(build(), { ...dirs(), maxParallel: 2 }));
  const speedup = one / two;
  console.log(`parallel speedup: two independent 1 s steps take ${one.toFixed(0)} ms one at a time, ${two.toFixed(0)} ms side by side`);
  console.log(`  => ${speedup.toFixed(2)}x (target >= 1.8x): ${verdict(speedup >= 1.8)}`);
}

async function cachedIris(): Promise<void> {
  const state = dirs();
  const options = { ...state, maxParallel: 2 }; // Iris caches its container steps by default
  const cold = await timed(async () => {
    const report = await runLocally(irisPipeline(), options);
    if (report.status !== RunStatus.SUCCEEDED) {
      throw new Error(report.error);
    }
  });
  const warmRuns: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    warmRuns.push(await timed(async () => {
      const report = await runLocally(irisPipeline(), options);
      if (report.steps.slice(0, 4).some((s) => s.state !== 'cached')) {
        throw new Error('the rerun was not served from the cache');
      }
    }));
  }
  const warm = median(warmRuns);
  const speedup = cold / warm;
  console.log(`Iris: cold run ${(cold / 1000).toFixed(1)} s (4 Python steps: pandas, scikit-learn), cached rerun ${warm.toFixed(0)} ms (median of 3)`);
  console.log(`  => cached rerun ${speedup.toFixed(0)}x faster (target >= 20x): ${verdict(speedup >= 20)}`);
}

async function cachedSizes(): Promise<void> {
  const build = (bytes: number) => {
    const p = new Pipeline(`sized-${bytes}`, { defaultCache: CachePolicy.enabled() });
    const c = Code.fromDirectory(code);
    const produce = Step.script('produce', { code: c, entry: 'sized.sh', outputs: ['data'], env: { OUTPUT_BYTES: String(bytes) } });
    p.addStep(produce, Step.script('consume', { code: c, entry: 'noop.sh', inputs: { data: produce.output('data') } }));
    return p;
  };
  const figures: { [label: string]: { cold: number; warm: number } } = {};
  for (const [label, bytes] of [['1 MB', 2 ** 20], ['1 GB', 2 ** 30]] as const) {
    const options = { ...dirs(), maxParallel: 1 };
    const cold = await timed(() => runLocally(build(bytes), options));
    const warmRuns: number[] = [];
    for (let rep = 0; rep < 5; rep++) {
      warmRuns.push(await timed(async () => {
        const report = await runLocally(build(bytes), options);
        if (report.steps[0].state !== 'cached') {
          throw new Error(`the ${label} rerun was not served from the cache`);
        }
      }));
    }
    figures[label] = { cold, warm: median(warmRuns) };
  }
  const ratio = figures['1 GB'].warm / figures['1 MB'].warm;
  console.log(`cached rerun by output size (one sparse file; the cold run hashes it): 1 MB ${figures['1 MB'].warm.toFixed(0)} ms, 1 GB ${figures['1 GB'].warm.toFixed(0)} ms (medians of 5; cold runs ${figures['1 MB'].cold.toFixed(0)} ms and ${(figures['1 GB'].cold / 1000).toFixed(1)} s)`);
  console.log(`  => 1 GB / 1 MB = ${ratio.toFixed(2)}x (target <= 1.5x): ${verdict(ratio <= 1.5)}`);
}

async function main(): Promise<void> {
  console.log(`local runner on ${os.availableParallelism()} CPUs, node ${process.version}`);
  try {
    // MLOPS_BENCH_LOCAL=sizes (a comma-separated list) runs only those sections.
    const only = process.env.MLOPS_BENCH_LOCAL?.split(',');
    const sections: [string, () => Promise<void>][] = [['overhead', overhead], ['parallel', parallel], ['iris', cachedIris], ['sizes', cachedSizes]];
    for (const [name, section] of sections) {
      if (!only || only.includes(name)) {
        await section();
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
