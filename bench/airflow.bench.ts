/**
 * Airflow: compile time of a generated 1,000-task DAG and the time the scheduler would spend
 * parsing each executor's file (it re-parses every DAG file every 30 s by default): the file
 * executed against the stub airflow of test/support/airflow (so the figure is the file's own cost,
 * not Airflow's import), next to a hand-written file with the same tasks and edges and one short
 * `run.override(task_id=..., retries=0)(step=...)` per task, the baseline. All files take turns in
 * one Python process, round after round, so the machine's other load falls on them alike. Prints
 * medians and ratios; no targets. An extra figure, labelled as such: a hand-written file whose
 * tasks also carry their STEPS values as keyword arguments.
 * Nearly all of a file's cost is Python compiling it. The python executor's file keeps each step's
 * own values (arguments, inputs as "<step>/<port>", output ports, params, env) in the STEPS
 * table, a JSON text in one raw string that run_step parses only when a task runs, and each task
 * line is as short as the baseline's (`run_step.override(...)(step=...)`); the run's paths, run id
 * and data interval are made in the task from its context. Measured here (2 cores, shared): ratio
 * 0.93, 0.91, 0.98 in three runs (321 KiB; before: 792 KiB, ~1.2-1.4). The sagemaker file keeps
 * each job's own values in a JOBS table (one JSON text, json.loads once at parse time) and builds
 * each operator's config with processing_config / training_config: 418 KiB (before: 3,327 KiB,
 * 10.0-12.2 times), 2.72, 1.80, 1.99 times the baseline in three runs, in which the python
 * executor measured 1.16-1.18. The kubernetes file still writes every operator's arguments out
 * (1,268 KiB, 9.3-9.8 times in the same runs). docs/airflow.md, Parse cost.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AirflowOptions, compileAirflow } from '../lib/compile/airflow';
import { dagAst } from '../test/support/airflow';
import { generatedPipeline, medianMs, recordResults } from './support';

const STUBS = path.join(__dirname, '..', 'test', 'support', 'airflow', 'stubs');
const ROUNDS = 15;

/**
 * Median seconds of executing each file, against the stubs, in one Python process: the files take
 * turns, round after round, so load from other work on the machine falls on all of them alike.
 */
function parseSeconds(files: string[], rounds: number): number[] {
  const script = [
    'import json, runpy, statistics, sys, time',
    `sys.path.insert(0, ${JSON.stringify(STUBS)})`,
    'from airflow import _recorder',
    `files = ${JSON.stringify(files)}`,
    'times = [[] for _ in files]',
    `for _ in range(${rounds}):`,
    '    for i, f in enumerate(files):',
    '        _recorder.DAGS.clear()',
    '        t = time.perf_counter()',
    '        runpy.run_path(f)',
    '        times[i].append(time.perf_counter() - t)',
    'print(json.dumps([statistics.median(t) for t in times]))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script], { encoding: 'utf8' }));
}

type Ast = { task_order: string[]; edges: { [id: string]: string[] } };

/**
 * The same tasks and edges as a person would write them: one short call per task. `values` gives a
 * task's further keyword arguments as Python text (the second baseline's, see main).
 */
function handWritten(ast: Ast, values: (id: string) => string = () => ''): string {
  const v = (id: string) => id.replace(/[^A-Za-z0-9_]/g, '_');
  return [
    'import datetime',
    'from airflow import DAG',
    'from airflow.decorators import task',
    '',
    '@task',
    'def run(step, **values):',
    '    pass',
    '',
    'with DAG(dag_id="hand", schedule=None, catchup=False) as dag:',
    ...ast.task_order.map((id) => `    ${v(id)} = run.override(task_id=${JSON.stringify(id)}, retries=0)(step=${JSON.stringify(id)}${values(id)})`),
    ...Object.entries(ast.edges).map(([id, ups]) => `    [${ups.map(v).join(', ')}] >> ${v(id)}`),
    '',
  ].join('\n');
}

/** A STEPS entry as keyword arguments (Python literals: JSON true/false/null do not occur in one). */
function entryArguments(source: string): (id: string) => string {
  const table = /^STEPS = r"""(\{[\s\S]*?\})"""$/m.exec(source);
  const steps: { [id: string]: { [key: string]: unknown } } = JSON.parse(table![1]);
  return (id) => Object.entries(steps[id] ?? {}).map(([k, x]) => `, ${k}=${JSON.stringify(x)}`).join('');
}

const EXECUTORS: AirflowOptions[] = [
  { executor: 'python' },
  { executor: 'kubernetes', kubernetes: { namespace: 'ml', dataVolumeClaim: 'mlops-data', defaultImage: 'python:3.11-slim' } },
  {
    executor: 'sagemaker',
    sagemaker: {
      roleArn: 'arn:aws:iam::123456789012:role/mlops-jobs', bucketName: 'mlops-artifacts', prefix: 'bench',
      defaultImage: '123456789012.dkr.ecr.us-east-1.amazonaws.com/bench:1', codeUri: () => 's3://mlops-artifacts/code.zip',
    },
  },
];

async function main(): Promise<void> {
  const pipeline = generatedPipeline(1000);
  const compileMs = await medianMs(5, () => compileAirflow(pipeline, EXECUTORS[0]));
  const dags = EXECUTORS.map((o) => compileAirflow(pipeline, o));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-bench-'));
  try {
    const ast = dagAst(dags[0].source) as Ast;
    const files = [
      ...dags.map((d, i) => [`${EXECUTORS[i].executor}.py`, d.source]),
      ['hand.py', handWritten(ast)],
      ['hand-with-arguments.py', handWritten(ast, entryArguments(dags[0].source))],
    ].map(([name, source]) => {
      fs.writeFileSync(path.join(dir, name), source);
      return path.join(dir, name);
    });
    const [python, kubernetes, sagemaker, hand, handWithArguments] = parseSeconds(files, ROUNDS);
    const ms = (s: number) => `${(s * 1000).toFixed(1)} ms`;
    const kib = (i: number) => dags[i].source.length / 1024;
    const tasks = ast.task_order.length;
    console.log(`generated-1000 on Airflow: ${tasks} tasks; parse = exec on stub airflow, median of ${ROUNDS} rounds taking turns`);
    console.log(`  compileAirflow (python executor): ${compileMs.toFixed(0)} ms (median of 5)`);
    console.log(`  hand-written baseline (one run.override(task_id=..., retries=0)(step=...) per task): ${ms(hand)}`);
    dags.forEach((_, i) => {
      const s = [python, kubernetes, sagemaker][i];
      console.log(`  ${EXECUTORS[i].executor} executor: ${kib(i).toFixed(0)} KiB, parse ${ms(s)}, ratio to the hand-written baseline ${(s / hand).toFixed(2)}`);
    });
    console.log(`  extra: hand-written with each task's STEPS values as keyword arguments: ${ms(handWithArguments)} (python executor ratio to it ${(python / handWithArguments).toFixed(2)})`);
    recordResults('airflow', {
      tasks,
      compileMs,
      sourceKiB: kib(0),
      parseGeneratedMs: python * 1000,
      parseHandWrittenMs: hand * 1000,
      ratio: python / hand,
      parseHandWrittenWithArgumentsMs: handWithArguments * 1000,
      kubernetes: { sourceKiB: kib(1), parseMs: kubernetes * 1000, ratio: kubernetes / hand },
      sagemaker: { sourceKiB: kib(2), parseMs: sagemaker * 1000, ratio: sagemaker / hand },
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
