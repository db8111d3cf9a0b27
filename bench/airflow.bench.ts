/**
 * Airflow: compile time of a generated 1,000-task DAG and the time the scheduler would spend
 * parsing the file (it re-parses every DAG file every 30 s by default): the file executed against
 * the stub airflow of test/support/airflow (so the figure is the file's own cost, not Airflow's
 * import), next to a hand-written equivalent with the same tasks and edges and minimal arguments.
 * Prints medians and the ratio; no targets.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compileAirflow } from '../lib/compile/airflow';
import { dagAst } from '../test/support/airflow';
import { generatedPipeline, medianMs, recordResults } from './support';

const STUBS = path.join(__dirname, '..', 'test', 'support', 'airflow', 'stubs');

/** Median seconds of executing `file` `runs` times in one Python process, against the stubs. */
function parseSeconds(file: string, runs: number): number {
  const script = [
    'import runpy, statistics, sys, time',
    `sys.path.insert(0, ${JSON.stringify(STUBS)})`,
    'from airflow import _recorder',
    'times = []',
    `for _ in range(${runs}):`,
    '    _recorder.DAGS.clear()',
    '    t = time.perf_counter()',
    `    runpy.run_path(${JSON.stringify(file)})`,
    '    times.append(time.perf_counter() - t)',
    'print(statistics.median(times))',
  ].join('\n');
  return Number(execFileSync('python3', ['-c', script], { encoding: 'utf8' }));
}

/** The same tasks and edges as a person would write them: one short operator call per task. */
function handWritten(ast: { task_order: string[]; edges: { [id: string]: string[] } }): string {
  const v = (id: string) => id.replace(/[^A-Za-z0-9_]/g, '_');
  return [
    'import datetime',
    'from airflow import DAG',
    'from airflow.decorators import task',
    '',
    '@task',
    'def run(step):',
    '    pass',
    '',
    'with DAG(dag_id="hand", schedule=None, catchup=False) as dag:',
    ...ast.task_order.map((id) => `    ${v(id)} = run.override(task_id=${JSON.stringify(id)}, retries=0)(step=${JSON.stringify(id)})`),
    ...Object.entries(ast.edges).map(([id, ups]) => `    [${ups.map(v).join(', ')}] >> ${v(id)}`),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const pipeline = generatedPipeline(1000);
  const options = { executor: 'python' as const };
  const compileMs = await medianMs(5, () => compileAirflow(pipeline, options));
  const dag = compileAirflow(pipeline, options);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-bench-'));
  try {
    const generated = path.join(dir, 'generated.py');
    const hand = path.join(dir, 'hand.py');
    fs.writeFileSync(generated, dag.source);
    const ast = dagAst(dag.source) as { task_order: string[]; edges: { [id: string]: string[] } };
    fs.writeFileSync(hand, handWritten(ast));
    const tasks = ast.task_order.length;
    const generatedS = parseSeconds(generated, 5);
    const handS = parseSeconds(hand, 5);
    console.log(`generated-1000 on Airflow (python executor): ${tasks} tasks, ${(dag.source.length / 1024).toFixed(0)} KiB`);
    console.log(`  compileAirflow: ${compileMs.toFixed(0)} ms (median of 5)`);
    console.log(`  parse (exec on stub airflow): generated ${(generatedS * 1000).toFixed(0)} ms, hand-written ${(handS * 1000).toFixed(0)} ms, ratio ${(generatedS / handS).toFixed(2)}`);
    recordResults('airflow', { tasks, sourceKiB: dag.source.length / 1024, compileMs, parseGeneratedMs: generatedS * 1000, parseHandWrittenMs: handS * 1000, ratio: generatedS / handS });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
