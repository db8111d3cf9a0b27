import { ArtifactType, isMetricsPort } from '../../pipeline/artifacts';
import { Step } from '../../pipeline/step';
import { stepTemplateName } from './names';
import { ITEM_PARAMETER } from './paths';

/**
 * Argo cannot hand the outputs of a withItems fan-out to a later task (`from:` names one node's
 * artifact). So the items of a forEach step write what a later step collects to fixed keys in
 * the artifact repository, one key prefix per item under one prefix per port, unarchived:
 *
 *   {{workflow.name}}/mlops-collected/<step>/outputs/<port>/<item>/...
 *   {{workflow.name}}/mlops-collected/<step>/metrics/<item>/metrics.json
 *
 * and the reader takes the port's prefix as one key-only input artifact, which Argo's S3 driver
 * downloads as a directory (a key that is no object but a prefix of some), holding a directory
 * per item: the model's collected layout. Upstream's map-reduce example does the same.
 */
const ROOT = '{{workflow.name}}/mlops-collected';

/** The item a fan-out run handles, inside its template. */
export const ITEM_VALUE = `{{inputs.parameters.${ITEM_PARAMETER}}}`;

/** The output artifact a collected item's metrics file is (no port name has a '-'). */
export const METRICS_ARTIFACT = 'mlops-metrics';

/** True when a collected read is of the producer's metrics (`collectMetrics()`), not of a port. */
export function isMetrics(source: { readonly name: string; readonly type: ArtifactType }): boolean {
  return isMetricsPort(source.name, source.type);
}

/** The key prefix holding every item's copy of `port` (or of the metrics) of forEach step `step`. */
export function collectedPrefix(step: Step, port: string, metrics: boolean): string {
  return `${ROOT}/${stepTemplateName(step.name)}/${metrics ? 'metrics' : `outputs/${port}`}`;
}
