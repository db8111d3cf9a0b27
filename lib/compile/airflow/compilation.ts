import { ArtifactType, isMetricsPort } from '../../pipeline/artifacts';
import { Code } from '../../pipeline/code';
import { PipelineGraph } from '../../pipeline/graph';
import { sourceHandler } from '../../pipeline/handlers';
import { Step } from '../../pipeline/step';
import { ENGINE } from './checks';
import { AirflowCodeFolder, AirflowOptions, AirflowSageMakerUses } from './options';
import { PyExpr } from './python';
import { AIRFLOW_SOURCES } from './sources';

/** The data root of the 'python' and 'kubernetes' executors. */
export function dataRootOf(options: AirflowOptions): string {
  return options.dataRoot ?? (options.executor === 'kubernetes' ? POD_DATA_DIR : '/opt/airflow/mlops-data');
}

/** Where the 'kubernetes' executor mounts things in a step pod. */
export const POD_CODE_DIR = '/mlops/code';
export const POD_DATA_DIR = '/mlops/data';
export const POD_TMP_DIR = '/tmp';

/**
 * The state of one compilation that step handlers and source resolvers share: the model, the
 * options, the problems found so far (each naming its step), the code folders or ConfigMaps the
 * DAG needs, and the per-run data layout:
 *   RUN_DIR/<step>/<port>                 an output port (a training step's model: port 'model')
 *   RUN_DIR/<step>/<port>/<item>          the same, per item of a forEach step (read collected)
 *   RUN_DIR/<step>/metrics/metrics.json   the metrics file (forEach: metrics/<item>/metrics.json)
 * with RUN_DIR = DATA_ROOT/DAG_ID/{{ run_id }}: each DAG run (and each backfilled interval) its own.
 * The 'sagemaker' executor keeps its data in S3 instead (sources/sagemaker.ts).
 */
export class AirflowCompilation {
  public readonly problems: string[] = [];
  private readonly folders = new Map<string, AirflowCodeFolder>();
  private readonly configMaps = new Set<string>();
  private readonly table = new Map<string, unknown>();
  private readonly uses = { processingJobs: false, trainingJobs: false, tuningJobs: false, groups: new Set<string>(), images: new Set<string>(), external: new Set<string>() };

  constructor(
    public readonly pipelineName: string,
    public readonly dagId: string,
    public readonly graph: PipelineGraph,
    public readonly options: AirflowOptions,
  ) {}

  public get executor(): 'python' | 'kubernetes' | 'sagemaker' {
    return this.options.executor === 'kubernetes' || this.options.executor === 'sagemaker' ? this.options.executor : 'python';
  }

  /** A path under the run's folder, as a Python expression. */
  public runPath(...parts: string[]): PyExpr {
    return new PyExpr(`RUN_DIR + ${JSON.stringify(`/${parts.join('/')}`)}`);
  }

  public outputPath(step: Step, port: string, item?: string): PyExpr {
    return item === undefined ? this.runPath(step.name, port) : this.runPath(step.name, port, item);
  }

  public metricsFile(step: Step, item?: string): PyExpr {
    return item === undefined ? this.runPath(step.name, 'metrics', 'metrics.json') : this.runPath(step.name, 'metrics', item, 'metrics.json');
  }

  /** The directory of a collected port: one directory per item (the metrics: `<item>/metrics.json`). */
  public collectedPath(step: Step, port: string, type: ArtifactType): PyExpr {
    return isMetricsPort(port, type) ? this.runPath(step.name, 'metrics') : this.runPath(step.name, port);
  }

  /** 'python': the folder (relative to the DAGs folder) a Code is shipped in, one per distinct directory. */
  public codeFolder(code: Code): string {
    const key = `${code.directory}\0${code.exclude.join('\0')}`;
    let folder = this.folders.get(key);
    if (folder === undefined) {
      folder = { code, path: `${this.dagId}/code-${this.folders.size + 1}` };
      this.folders.set(key, folder);
    }
    return folder.path;
  }

  public get codeFolders(): AirflowCodeFolder[] {
    return [...this.folders.values()];
  }

  /** 'kubernetes': the ConfigMap holding a Code's archive, or undefined when images hold the code. */
  public codeConfigMap(code: Code): string | undefined {
    const name = this.options.kubernetes?.codeConfigMapName?.(code);
    if (name !== undefined) {
      this.configMaps.add(name);
    }
    return name;
  }

  public get codeConfigMaps(): string[] {
    return [...this.configMaps].sort();
  }

  /** 'python': a step's entry in the DAG file's STEPS table (steps/step-entry.ts); 'sagemaker': in its JOBS table (sagemaker-table.ts). */
  public addToStepTable(step: Step, entry: unknown): void {
    this.table.set(step.name, entry);
  }

  /** The STEPS (or JOBS) table: each step's entry by task id, in the graph's order. */
  public get stepTable(): Map<string, unknown> {
    return this.table;
  }

  /** 'sagemaker': records what a task asks of AWS (see AirflowSageMakerUses). */
  public useSageMaker(use: { job?: 'processing' | 'training' | 'tuning'; image?: string; modelPackageGroup?: string; externalS3Uri?: string }): void {
    if (use.job === 'processing') {
      this.uses.processingJobs = true;
    } else if (use.job === 'training') {
      this.uses.trainingJobs = true;
    } else if (use.job === 'tuning') {
      this.uses.trainingJobs = true;
      this.uses.tuningJobs = true;
    }
    if (use.image !== undefined) {
      this.uses.images.add(use.image);
    }
    if (use.modelPackageGroup !== undefined) {
      this.uses.groups.add(use.modelPackageGroup);
    }
    if (use.externalS3Uri !== undefined) {
      this.uses.external.add(use.externalS3Uri);
    }
  }

  public get sageMakerUses(): AirflowSageMakerUses {
    const u = this.uses;
    return { processingJobs: u.processingJobs, trainingJobs: u.trainingJobs, ...(u.tuningJobs ? { tuningJobs: true } : {}), modelPackageGroups: [...u.groups].sort(), images: [...u.images], externalS3Uris: [...u.external].sort() };
  }

  /** The directory each input of `step` is read from, resolved through AIRFLOW_SOURCES. */
  public inputPaths(step: Step): Map<string, PyExpr> {
    const paths = new Map<string, PyExpr>();
    for (const [name, source] of Object.entries(step.inputs())) {
      const path = sourceHandler(AIRFLOW_SOURCES, step, name, source, ENGINE, this.problems)?.resolve(this, step, name, source);
      if (path !== undefined) {
        paths.set(name, path);
      }
    }
    return paths;
  }
}
