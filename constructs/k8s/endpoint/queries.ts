import { ServingMetrics } from './props';

/** The AnalysisTemplate argument that carries the canary's pod-template hash (podTemplateHashValue: Latest). */
export const CANARY_HASH_ARG = 'canary-hash';
/** The pod label Argo Rollouts puts on each ReplicaSet's pods; the ServiceMonitor copies it onto every series. */
export const POD_TEMPLATE_HASH_LABEL = 'rollouts-pod-template-hash';

export interface QueryScope {
  readonly namespace: string;
  /** The metrics Service: Prometheus Operator labels each scraped series with `service`. */
  readonly metricsService: string;
  readonly metrics: Required<ServingMetrics>;
  /** The rate window, e.g. '2m' or '120s'. */
  readonly window: string;
  /** Only the canary's pods (the Argo Rollouts analysis); all pods when false (alerts). */
  readonly canaryOnly: boolean;
}

function selector(scope: QueryScope, extra?: string): string {
  // Prometheus Operator turns the pod label's '-' into '_' (sanitizeLabelName) for podTargetLabels.
  const hash = scope.canaryOnly ? [`${POD_TEMPLATE_HASH_LABEL.replace(/-/g, '_')}="{{args.${CANARY_HASH_ARG}}}"`] : [];
  return [`namespace="${scope.namespace}"`, `service="${scope.metricsService}"`, ...hash, ...(extra ? [extra] : [])].join(', ');
}

/**
 * Share of requests that did not answer 5xx (0–1). No requests give NaN (0/0); no series at all give
 * an empty vector; both must fail the analysis rather than pass it.
 */
export function successRateQuery(scope: QueryScope): string {
  const { requestsMetric, statusLabel } = scope.metrics;
  return `sum(rate(${requestsMetric}{${selector(scope, `${statusLabel}!~"5.."`)}}[${scope.window}]))\n/\nsum(rate(${requestsMetric}{${selector(scope)}}[${scope.window}]))`;
}

/** Share of requests that answered 5xx (0–1), for alerts. */
export function errorRateQuery(scope: QueryScope): string {
  const { requestsMetric, statusLabel } = scope.metrics;
  return `sum(rate(${requestsMetric}{${selector(scope, `${statusLabel}=~"5.."`)}}[${scope.window}]))\n/\nsum(rate(${requestsMetric}{${selector(scope)}}[${scope.window}]))`;
}

/** p99 request latency in seconds. */
export function p99LatencyQuery(scope: QueryScope): string {
  return `histogram_quantile(0.99, sum by (le) (rate(${scope.metrics.latencyMetric}_bucket{${selector(scope)}}[${scope.window}])))`;
}

/** `x` in the shortest form that is exact to 12 digits (0.99, not 0.9899999999999999). */
export function promNumber(x: number): string {
  return String(Number(x.toPrecision(12)));
}
