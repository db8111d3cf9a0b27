import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ModelServer } from './model-server';
import { ServingMetrics } from './props';
import { CANARY_HASH_ARG, p99LatencyQuery, promNumber, QueryScope, successRateQuery } from './queries';

export interface AnalysisTemplateProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: { [label: string]: string };
  readonly metricsService: string;
  readonly metrics: Required<ServingMetrics>;
  readonly thresholds: { readonly p99LatencyMs?: number; readonly errorRatePercent: number };
  readonly server: ModelServer;
}

/**
 * The AnalysisTemplate the Rollout runs in the background of every update: one Prometheus metric
 * per threshold, measured on the canary's pods only. Each successCondition first requires a
 * non-empty result: the Prometheus provider hands an empty vector to the condition when the query
 * finds no series, and `result[0]` on it would be an evaluation Error, not a failure (and
 * `len(result) == 0 || ...` would pass a canary that serves nothing). NaN (no requests in the
 * window) fails too, as every comparison with NaN is false.
 */
export function analysisTemplate(scope: Construct, props: AnalysisTemplateProps): ApiObject {
  const interval = props.server._intervalSeconds;
  const query: QueryScope = { namespace: props.namespace, metricsService: props.metricsService, metrics: props.metrics, window: `${2 * interval}s`, canaryOnly: true };
  const measure = { interval: `${interval}s`, initialDelay: `${props.server._initialDelaySeconds}s`, failureLimit: props.server._failureLimit };
  const prometheus = (q: string) => ({ prometheus: { address: props.server._prometheusAddress, query: q } });
  const minSuccess = promNumber((100 - props.thresholds.errorRatePercent) / 100);
  const metrics: object[] = [{
    name: 'success-rate',
    ...measure,
    successCondition: `len(result) > 0 && result[0] >= ${minSuccess}`,
    provider: prometheus(successRateQuery(query)),
  }];
  if (props.thresholds.p99LatencyMs !== undefined) {
    metrics.push({
      name: 'p99-latency',
      ...measure,
      successCondition: `len(result) > 0 && result[0] <= ${promNumber(props.thresholds.p99LatencyMs / 1000)}`,
      provider: prometheus(p99LatencyQuery(query)),
    });
  }
  return new ApiObject(scope, 'AnalysisTemplate', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: `${props.name}-canary-analysis`, namespace: props.namespace, labels: { ...props.labels } },
    spec: { args: [{ name: CANARY_HASH_ARG }], metrics },
  });
}
