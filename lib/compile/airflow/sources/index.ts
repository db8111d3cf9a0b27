import { ArtifactType, CollectedArtifact, DataSource, DataSourceKind, describeType, ExternalData, StepArtifact } from '../../../pipeline/artifacts';
import { isA } from '../../../pipeline/brand';
import { HandlerTable } from '../../../pipeline/handlers';
import { Step } from '../../../pipeline/step';
import { ENGINE } from '../checks';
import type { AirflowCompilation } from '../compilation';
import { hasJinja, PyExpr } from '../python';
import { FEATURE_SNAPSHOT_KIND } from '../../../pipeline/feature-snapshot';
import { featureSnapshotSource } from './feature-snapshot';
import { AirflowSourceResolver } from './resolver';
import { sageMakerCollectedUri, sageMakerExternalUri, sageMakerOutputUri } from './sagemaker';

export type { AirflowSourceResolver } from './resolver';

/** An output port of a step that runs once: the folder its task wrote under this run's folder. */
export const STEP_OUTPUT_SOURCE: AirflowSourceResolver = {
  resolve(c: AirflowCompilation, step: Step, input: string, given: DataSource): PyExpr | undefined {
    const source = given as StepArtifact;
    if (source.type === ArtifactType.REGISTERED_MODEL_VERSION) {
      c.problems.push(`step '${step.name}': input '${input}' reads ${source}, ${describeType(source.type)}, which ${ENGINE} keeps as the register task's XCom, not as a folder a step can read; read the model itself`);
      return undefined;
    }
    if (c.executor === 'sagemaker') {
      return sageMakerOutputUri(c, step, input, source.step, source.name, source.type);
    }
    return c.outputPath(source.step, source.name);
  },
};

/** One port (or the metrics) of every item of a forEach step: the folder holding a folder per item. */
export const COLLECTED_OUTPUT_SOURCE: AirflowSourceResolver = {
  resolve(c: AirflowCompilation, step: Step, input: string, given: DataSource): PyExpr | undefined {
    const source = given as CollectedArtifact;
    if (c.executor === 'sagemaker') {
      return sageMakerCollectedUri(c, step, input, source);
    }
    return c.collectedPath(source.step, source.name, source.type);
  },
};

/**
 * Data from before the run: on the 'python' executor an absolute path (or file:// URI) on the
 * workers; on 'sagemaker' an s3:// URI. The launcher reads folders only, so s3:// data (and any URI on the 'kubernetes'
 * executor, whose pods see only the data volume) is a problem: copy it in a first step.
 */
export const URI_SOURCE: AirflowSourceResolver = {
  resolve(c: AirflowCompilation, step: Step, input: string, source: DataSource): PyExpr | undefined {
    const at = `step '${step.name}': input '${input}'`;
    if (!isA(source, ExternalData)) {
      c.problems.push(`${at} reads ${source}, of kind '${source.sourceKind}' but not external data; ${ENGINE} reads this kind only from DataSource.fromUri(...)`);
      return undefined;
    }
    if (hasJinja(source.uri)) {
      c.problems.push(`${at}: URI ${source.uri} contains '{{', '{%' or '{#', which Airflow would render as a Jinja template; rename the path`);
      return undefined;
    }
    if (c.executor === 'sagemaker') {
      return sageMakerExternalUri(c, step, input, source);
    }
    if (c.executor === 'python' && source.scheme === 'file') {
      return new PyExpr(JSON.stringify(source.uri.replace(/^file:\/\//, '')));
    }
    const where = c.executor === 'python' ? 'paths on the workers' : `the data volume (${c.options.kubernetes?.dataVolumeClaim ?? 'dataVolumeClaim'}) only`;
    c.problems.push(`${at} reads ${source} (scheme '${source.scheme}'), but steps on ${ENGINE}'s '${c.executor}' executor read ${where}, and the launcher does not download; copy the data in a first step that writes it as an output, or give a path the steps can read`);
    return undefined;
  },
};

/** What Airflow reads, by data source kind; any other kind is the standard synth-time error. */
export const AIRFLOW_SOURCES: HandlerTable<AirflowSourceResolver> = {
  [DataSourceKind.STEP_OUTPUT]: STEP_OUTPUT_SOURCE,
  [DataSourceKind.COLLECTED_OUTPUT]: COLLECTED_OUTPUT_SOURCE,
  [DataSourceKind.URI]: URI_SOURCE,
  [FEATURE_SNAPSHOT_KIND]: featureSnapshotSource(URI_SOURCE),
};
