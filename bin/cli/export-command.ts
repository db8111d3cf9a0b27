import * as fs from 'fs';
import * as path from 'path';
import { AIRFLOW_VERSIONS, AirflowVersion, compileAirflow } from '../../lib/compile/airflow';
import { PipelineValidationError, Schedule } from '../../lib/pipeline';
import { LAUNCHER_PATH } from '../../lib/runtime/paths';
import { CliError } from './errors';
import { CliIO } from './io';
import { loadPipeline } from './load-pipeline';
import { checkDirectoryOption } from './paths';

export interface ExportCommandOptions {
  readonly engine?: string;
  readonly out?: string;
  readonly airflowVersion?: string;
  readonly cron?: string;
  readonly timeZone?: string;
  readonly startDate?: string;
  readonly catchup?: boolean;
  /** 'error' (default) or 'run-always': what a step's cache policy becomes (Airflow has no step cache). */
  readonly cache?: string;
  /** Where the workers keep run data (every worker must see it). @default the compiler's, /opt/airflow/mlops-data */
  readonly dataRoot?: string;
}

export const EXPORT_ENGINES = ['airflow'];
const VERSIONS = AIRFLOW_VERSIONS;

/**
 * `mlops export <pipeline> --engine airflow --out dags/`: the pipeline as one Airflow DAG file
 * (python executor: steps run on the workers) plus the step code and launcher it runs, written
 * into a DAGs folder of any Airflow, such as the official docker-compose setup's `dags/`.
 */
export async function exportCommand(spec: string, options: ExportCommandOptions, io: CliIO): Promise<number> {
  if (options.engine !== 'airflow') {
    throw new CliError(`--engine ${options.engine === undefined ? 'is missing' : `'${options.engine}' is not one mlops export writes`}`, 'give --engine airflow (SageMaker, Argo and Kubeflow documents come from cdk synth / cdk8s synth)');
  }
  if (options.out === undefined) {
    throw new CliError('--out is missing', 'give the DAGs folder to write into, e.g. --out dags/');
  }
  const version = (options.airflowVersion ?? '2.10') as AirflowVersion;
  if (!VERSIONS.includes(version)) {
    throw new CliError(`--airflow-version '${options.airflowVersion}' is not supported (supported: ${VERSIONS.join(', ')})`, 'give --airflow-version 2.10 or 3');
  }
  const cache = options.cache ?? 'error';
  if (cache !== 'error' && cache !== 'run-always') {
    throw new CliError(`--cache '${cache}' is not error or run-always`, 'give --cache run-always to run cached steps in every DAG run (Airflow has no step cache)');
  }
  const out = path.resolve(io.cwd, options.out);
  checkDirectoryOption('--out', options.out, out);
  const startDate = options.startDate === undefined ? undefined : parseDate(options.startDate);
  const { pipeline } = loadPipeline(spec, io.cwd);
  let dag;
  try {
    dag = compileAirflow(pipeline, {
      executor: 'python',
      airflowVersion: version,
      schedule: options.cron === undefined ? undefined : Schedule.cron(options.cron, options.timeZone ? { timeZone: options.timeZone } : {}),
      startDate,
      catchup: options.catchup,
      cache: cache as 'error' | 'run-always',
      dataRoot: options.dataRoot,
    });
  } catch (e) {
    if (PipelineValidationError.isPipelineValidationError(e)) {
      throw new CliError(e.message, 'fix the pipeline or the options above', 1);
    }
    throw e;
  }
  const written: string[] = [];
  const write = (relative: string, data: string | Buffer, mode?: number) => {
    const file = path.join(out, ...relative.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, data, mode === undefined ? undefined : { mode });
    written.push(relative);
  };
  write(dag.fileName, dag.source);
  for (const [relative, content] of Object.entries(dag.files)) {
    write(relative, content);
  }
  for (const folder of dag.codeFolders) {
    for (const file of folder.code.files()) {
      const source = path.join(folder.code.directory, ...file.split('/'));
      write(`${folder.path}/${file}`, fs.readFileSync(source), fs.statSync(source).mode & 0o777);
    }
  }
  if (dag.launcherPath !== undefined) {
    write(dag.launcherPath, fs.readFileSync(LAUNCHER_PATH));
  }
  io.stdout.write(`Wrote DAG '${dag.dagId}' for Airflow ${version} to ${path.join(options.out, dag.fileName)} (${written.length} files)\n`);
  for (const note of dag.notes) {
    io.stdout.write(`  note: ${note}\n`);
  }
  return 0;
}

function parseDate(text: string): Date {
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(date.getTime())) {
    throw new CliError(`--start-date '${text}' is not a date`, 'give an ISO date, e.g. --start-date 2026-11-01 (UTC midnight) or 2026-11-01T06:00:00Z');
  }
  return date;
}
