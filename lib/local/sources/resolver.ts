import type { ArtifactType, DataSource } from '../../pipeline/artifacts';
import type { Step } from '../../pipeline/step';
import type { Scalar } from '../../pipeline/values';
import type { StepRecord } from '../state';

/** What a resolver sees while the run is planned. */
export interface SourcePlanContext {
  readonly input: string;
  /**
   * Where port `port` of `producer` lives in its result directory; undefined when the producer's
   * kind has no local handler (already a problem of its own) or the port is no directory here.
   */
  portPath(producer: Step, port: string, type: ArtifactType): string | undefined;
  /** True when `producer` has a local handler (its own problem is reported otherwise). */
  hasHandler(producer: Step): boolean;
  /** A problem of the reader (worded to follow "step 'x': "); the plan throws them all at once. */
  problem(message: string): void;
  /** The run's parameter values. */
  readonly parameters?: { readonly [name: string]: Scalar };
}

/** What a planned source reads at run time. */
export interface SourceRunContext {
  /** A step's result directory, or that of its forEach item `item` (an index). */
  resultDir(step: string, item?: number): string;
  record(step: string): StepRecord;
  /** A value computed once per run under `key`. */
  once(key: string, compute: () => string): string;
}

/** One input as the local runner reads it. */
export interface PlannedSource {
  /** What the reader's cache key covers of it: the content it reads (every item's, for collections). */
  fingerprint(run: SourceRunContext): string | { [part: string]: string };
  /**
   * The directory the reader gets as MLOPS_INPUT_<NAME>. `scratch()` gives a fresh, empty
   * directory owned by the reading attempt, for sources that must be assembled.
   */
  directory(run: SourceRunContext, scratch: () => string): string;
  /** A feature snapshot's version when a pipeline parameter gives it: the parameter's text. */
  readonly snapshotVersion?: string;
}

/**
 * How the local runner reads one kind of data source. LOCAL_SOURCES maps each kind to its
 * resolver; `plan` checks the source can be read on this machine and reports what it cannot.
 */
export interface LocalSourceResolver {
  plan(source: DataSource, context: SourcePlanContext): PlannedSource | undefined;
}
