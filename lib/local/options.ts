import * as path from 'path';
import { CacheMode } from './planned';
import { RunReporter } from './reporter';
import type { DataInterval } from './data-interval';

export interface LocalRunOptions {
  /** Parameter values as text, as given on the command line (`--param name=value`). */
  readonly parameters?: { readonly [name: string]: string };
  /** Resume this earlier run: steps that finished keep their results, the rest run again. */
  readonly resume?: string;
  /** @default '.mlops/runs' under the current directory */
  readonly runsDir?: string;
  /** Step results shared between runs. @default '.mlops/cache' under the current directory */
  readonly cacheDir?: string;
  /** The local model registry. @default '.mlops/registry' under the current directory */
  readonly registryDir?: string;
  /**
   * The project directory: the venv is its `.venv`, and requirements.txt files are looked for up
   * to it. @default the nearest directory above the current one that holds a package.json
   */
  readonly projectDir?: string;
  /** Steps (and forEach items) running at once. @default the number of CPUs, at least 2 */
  readonly maxParallel?: number;
  /** @default CacheMode.POLICY */
  readonly cacheMode?: CacheMode;
  /** Run Python steps with this interpreter instead of the project venv (which is then left alone). */
  readonly python?: string;
  /** @default SilentReporter */
  readonly reporter?: RunReporter;
  /** Aborting stops the running steps and saves the run as interrupted (resumable). */
  readonly signal?: AbortSignal;
  /** The environment steps inherit (MLOPS_* variables are removed). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * MLFLOW_TRACKING_URI of the steps (unless the environment has one).
   * @default a file store beside the registry: file://<dir of registryDir>/mlruns (.mlops/mlruns)
   */
  readonly trackingUri?: string;
  /**
   * The data interval the run covers: steps get MLOPS_DATA_INTERVAL_START/END, as on Airflow, and
   * cached results are kept per interval. A resumed run keeps its own. @default none
   */
  readonly dataInterval?: DataInterval;
  /** Log lines kept for a failed step's report. @default 20 */
  readonly logTailLines?: number;
}

/** The defaults of the run, cache and registry directories, under `base` (the current directory). */
export function defaultStateDirs(base = process.cwd()): { runsDir: string; cacheDir: string; registryDir: string } {
  const home = path.join(base, '.mlops');
  return { runsDir: path.join(home, 'runs'), cacheDir: path.join(home, 'cache'), registryDir: path.join(home, 'registry') };
}
