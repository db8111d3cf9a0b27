import * as fs from 'fs';
import * as path from 'path';
import { Command, CommanderError, Option } from 'commander';
import { listCommand, retryCommand, ServiceFactory, sageMakerService, startCommand, statusCommand } from './cloud/commands';
import { CliError } from './errors';
import { graphCommand, GRAPH_FORMATS } from './graph-command';
import { CliIO } from './io';
import { fileSystemError } from './paths';
import { collect, port, positiveInteger, positiveNumber } from './params';
import { runCommand } from './run-command';
import { serveCommand } from './serve-command';
import { EXPORT_ENGINES, exportCommand } from './export-command';

export interface ProgramContext {
  readonly io: CliIO;
  /** Aborted on Ctrl-C: a local run stops its steps and saves its state; --wait stops waiting. */
  readonly signal?: AbortSignal;
  /** @default the SageMaker service (tests pass a fake) */
  readonly service?: ServiceFactory;
}

/** The package's version: its package.json is two levels up in a checkout, three in the build. */
function version(): string {
  for (const up of [['..', '..'], ['..', '..', '..']]) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, ...up, 'package.json'), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'cdk-mlops') {
        return pkg.version;
      }
    } catch {
      // not there: try the next level
    }
  }
  return 'unknown';
}

/** The `mlops` command line; `run` resolves to the exit code through `setExitCode`. */
export function buildProgram(context: ProgramContext, setExitCode: (code: number) => void): Command {
  const { io } = context;
  const service = context.service ?? sageMakerService;
  const program = new Command('mlops')
    .description('Run cdk-mlops pipelines on this machine, draw them, and start, watch and retry them on SageMaker')
    .version(version())
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride();

  program
    .command('run')
    .description('run a pipeline on this machine (steps as local processes, in the project venv)')
    .argument('<pipeline>', 'module exporting the Pipeline, a directory with pipeline.ts (e.g. examples/iris), a pipeline document (.json) or a synthesized manifest (.k8s.yaml[#name])')
    .option('--local', 'run on this machine (the only target of run)')
    .option('-p, --param <name=value>', 'a parameter value; repeat for more', collect, [])
    .option('--resume <run-id>', 'continue an earlier run: rerun only the steps that did not finish')
    .option('--max-parallel <n>', 'steps (and tuning trials) running at once (default: CPUs, at least 2)', positiveInteger('--max-parallel'))
    .option('--json', 'print a machine-readable run report on stdout (progress goes to stderr)')
    .option('--runs-dir <dir>', 'where run directories go (default: .mlops/runs)')
    .option('--cache-dir <dir>', 'the step result cache (default: .mlops/cache)')
    .option('--registry-dir <dir>', 'the local model registry (default: .mlops/registry)')
    .option('--feature-store <dir>', 'the feature snapshot store that FeatureSnapshot steps read and commit to (default: $MLOPS_FEATURE_STORE, else .mlops/feature-store)')
    .option('--cache', 'also cache steps that set no cache policy (like KFP enable_caching)')
    .option('--no-cache', 'ignore every cache policy: run all steps')
    .option('--python <path>', 'run Python steps with this interpreter instead of the project .venv')
    .option('--interval <start/end>', 'the data interval of the run (MLOPS_DATA_INTERVAL_START/END), e.g. 2026-11-01/2026-11-02')
    .option('--backfill <from..to>', 'one run per interval from..to, oldest first, skipping intervals that already succeeded')
    .option('--every <size>', 'the interval size of --backfill: 1d (default), 6h, 30m')
    .action(async (pipeline: string, options) => setExitCode(await runCommand(pipeline, options, io, context.signal)));

  program
    .command('graph')
    .description('draw a pipeline: a Mermaid flowchart or an SVG diagram, conditions and branches included')
    .argument('<pipeline>', 'module exporting the Pipeline, a directory with pipeline.ts (e.g. examples/iris), a pipeline document (.json) or a synthesized manifest (.k8s.yaml[#name])')
    .addOption(new Option('--format <format>', 'diagram format').choices(GRAPH_FORMATS).default('mermaid'))
    .option('--out <file>', 'write the diagram to this file instead of stdout')
    .action(async (pipeline: string, options) => setExitCode(await graphCommand(pipeline, options, io)));

  program
    .command('serve')
    .description('serve a model of the local registry over HTTP on 127.0.0.1 with its inference code (POST /invocations, GET /ping)')
    .argument('<model>', 'a model group of the local registry (its newest version) or <group>/<version>, e.g. iris-classifier/2')
    .option('--local', 'serve on this machine (the only target of serve)')
    .option('--port <port>', 'the port on 127.0.0.1 (0 picks a free one)', port, 8080)
    .option('--registry-dir <dir>', 'the local model registry (default: .mlops/registry)')
    .option('--python <path>', 'serve with this interpreter instead of the project .venv')
    .action(async (model: string, options) => setExitCode(await serveCommand(model, options, io, context.signal)));

  program
    .command('export')
    .description('write the pipeline as an Airflow DAG file, with the step code it runs, into a DAGs folder')
    .argument('<pipeline>', 'module exporting the Pipeline, a directory with pipeline.ts, a pipeline document (.json) or a synthesized manifest (.k8s.yaml[#name])')
    .addOption(new Option('--engine <engine>', 'the engine to write for').choices(EXPORT_ENGINES))
    .option('--out <dir>', 'the DAGs folder to write into, e.g. dags/')
    .option('--airflow-version <version>', 'Airflow 2.10 (as on MWAA) or 3', '2.10')
    .option('--cron <expression>', 'run on this schedule (5-field cron)')
    .option('--time-zone <zone>', 'IANA time zone of --cron (default UTC)')
    .option('--start-date <date>', 'the first data interval starts here (ISO date)')
    .option('--catchup', 'run every interval since --start-date (a backfill)')
    .option('--cache <mode>', "what a step's cache policy becomes: error (default) or run-always (Airflow has no step cache)")
    .option('--data-root <dir>', 'where the workers keep run data, a folder every worker sees (default /opt/airflow/mlops-data)')
    .action(async (pipeline: string, options) => setExitCode(await exportCommand(pipeline, options, io)));

  const cloud = (command: Command) =>
    command
      .addOption(new Option('--region <region>', 'AWS region (default: AWS_REGION or your profile)'))
      .addOption(new Option('--endpoint-url <url>', 'SageMaker endpoint to use instead of the region\'s (e.g. a local moto server)'));

  cloud(program
    .command('start')
    .description('start an execution of a deployed SageMaker pipeline')
    .argument('<pipeline-name>', 'the deployed pipeline\'s name')
    .option('-p, --param <name=value>', 'a parameter value; repeat for more', collect, []))
    .action(async (name: string, options) => setExitCode(await startCommand(name, options, io, service)));

  cloud(program
    .command('status')
    .description('show the per-step states of the latest (or a given) execution')
    .argument('<pipeline-name>', 'the deployed pipeline\'s name')
    .option('--execution <arn>', 'this execution instead of the latest')
    .option('--wait', 'follow the execution until it ends; exit code 0 only when it succeeded')
    .option('--interval <seconds>', 'seconds between polls with --wait', positiveNumber('--interval'), 10))
    .action(async (name: string, options) => setExitCode(await statusCommand(name, options, io, service, context.signal)));

  cloud(program
    .command('list')
    .description('list the executions of a deployed pipeline, latest first')
    .argument('<pipeline-name>', 'the deployed pipeline\'s name')
    .option('--max <n>', 'show at most this many', positiveInteger('--max'), 20))
    .action(async (name: string, options) => setExitCode(await listCommand(name, options, io, service)));

  cloud(program
    .command('retry')
    .description('retry a failed execution from its failed steps (RetryPipelineExecution)')
    .argument('<execution-arn>', 'the failed execution'))
    .action(async (arn: string, options) => setExitCode(await retryCommand(arn, options, io, service)));

  return program;
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: string[], context: ProgramContext): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(context, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? 0 : 2; // help and version exit 0; usage errors were printed by commander
    }
    const command = argv.find((a) => !a.startsWith('-')) ?? '';
    const known = e instanceof CliError ? e : fileSystemError(e);
    if (known) {
      context.io.stderr.write(`mlops ${command}: ${known.message}\n`);
      return known.exitCode;
    }
    context.io.stderr.write(`mlops ${command}: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}
