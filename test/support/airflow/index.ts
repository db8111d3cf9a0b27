import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { AirflowDag } from '../../../lib/compile/airflow';
import { LAUNCHER_PATH } from '../../../lib/runtime';

/** Test oracles for generated Airflow DAG files: ast structure, py_compile, exec on a fake airflow. */

const DAG_AST = path.join(__dirname, 'dag_ast.py');
const EXEC_DAG = path.join(__dirname, 'exec_dag.py');

export type Json = { [key: string]: any };

function withFile<T>(source: string, use: (file: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-dag-'));
  try {
    const file = path.join(dir, 'dag.py');
    fs.writeFileSync(file, source);
    return use(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The DAG file's structure read with Python's ast (see dag_ast.py): nothing is run. */
export function dagAst(source: string): Json {
  return withFile(source, (file) => JSON.parse(execFileSync('python3', [DAG_AST, file], { encoding: 'utf8' })));
}

/** Problems `python3 -m py_compile` finds (empty when the file compiles). */
export function pyCompileProblems(source: string): string {
  return withFile(source, (file) => {
    try {
      execFileSync('python3', ['-m', 'py_compile', file], { encoding: 'utf8', stdio: 'pipe' });
      return '';
    } catch (e) {
      return String((e as { stderr?: string }).stderr ?? e);
    }
  });
}

/** What the DAG file declares when executed against the fake airflow in stubs/ (see exec_dag.py). */
export function execDag(source: string, run?: Json): Json {
  return withFile(source, (file) => execDagFile(file, run));
}

export function execDagFile(file: string, run?: Json): Json {
  const args = [EXEC_DAG, file, ...(run ? [JSON.stringify(run)] : [])];
  return JSON.parse(execFileSync('python3', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
}

/**
 * A DAGs folder as a deployment would lay it out: the DAG file, the launcher and each code
 * folder next to it. Returns the DAG file's path; remove `path.dirname(file)` afterwards.
 */
export function dagsFolder(dag: AirflowDag): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-dags-'));
  const file = path.join(dir, dag.fileName);
  fs.writeFileSync(file, dag.source);
  if (dag.launcherPath) {
    fs.mkdirSync(path.dirname(path.join(dir, dag.launcherPath)), { recursive: true });
    fs.copyFileSync(LAUNCHER_PATH, path.join(dir, dag.launcherPath));
  }
  for (const [rel, content] of Object.entries(dag.files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  for (const folder of dag.codeFolders) {
    for (const rel of folder.code.files()) {
      const to = path.join(dir, folder.path, rel);
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(path.join(folder.code.directory, rel), to);
    }
  }
  return file;
}

const CHECK_REQUESTS = path.join(__dirname, 'check_sagemaker_requests.py');

/**
 * Problems botocore's sagemaker service model finds in requests, given by label as
 * [input shape, request], e.g. { train: ['CreateTrainingJobRequest', config] }; empty when all are valid.
 */
export function sageMakerRequestProblems(requests: { [label: string]: [string, Json] }): string[] {
  return JSON.parse(execFileSync('python3', [CHECK_REQUESTS], { input: JSON.stringify(requests), encoding: 'utf8' }));
}
