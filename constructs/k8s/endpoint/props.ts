import { Resources } from '../../../lib/pipeline/resources';
import { NetworkEndpoint } from '../network';
import { ModelServer } from './model-server';
import { EndpointRollout } from './rollout';
import { ServedModel } from './served-model';

/** When an update is rolled back: the same thresholds as aws.CanaryEndpoint's. */
export interface RollbackThresholds {
  /** Roll back when the new model's p99 latency exceeds this many milliseconds (> 0). @default - no latency metric */
  readonly p99LatencyMs?: number;
  /** Roll back when more than this percent of the new model's requests answer 5xx (> 0, ≤ 100). @default 1 */
  readonly errorRatePercent?: number;
}

/** What the model server exposes to Prometheus, which the analysis and alerts query. */
export interface ServingMetrics {
  /** The port of the metrics endpoint. @default the model's serving port */
  readonly port?: number;
  /** @default '/metrics' */
  readonly path?: string;
  /** A counter of requests with the HTTP status as a label. @default 'http_requests_total' */
  readonly requestsMetric?: string;
  /** The label of `requestsMetric` holding the status code ('500', or '5xx'). @default 'code' */
  readonly statusLabel?: string;
  /** A histogram of request durations in seconds (its `_bucket` series are queried). @default 'http_request_duration_seconds' */
  readonly latencyMetric?: string;
}

export interface CanaryEndpointProps {
  /** The model and its server image. */
  readonly model: ServedModel;
  /** How updates move traffic. @default EndpointRollout.canary({ percent: 10, bake: Duration.minutes(10) }) */
  readonly rollout?: EndpointRollout;
  /** What rolls an update back (Argo Rollouts) or raises an alert (both servers). @default { errorRatePercent: 1 } */
  readonly rollbackOn?: RollbackThresholds;
  /** Who serves the model. @default ModelServer.argoRollouts() */
  readonly server?: ModelServer;
  /** Pods serving the model (≥ 1; fixed, not autoscaled). @default 2 */
  readonly replicas?: number;
  /** Each server pod's CPU, memory (requests = limits), disk and GPUs. @default { cpu: 1, memoryGiB: 2 } */
  readonly resources?: Resources;
  /** What the server exposes to Prometheus. @default - the defaults of ServingMetrics */
  readonly metrics?: ServingMetrics;
  /** @default the chart's namespace; one of them is required */
  readonly namespace?: string;
  /** Base name of the objects (a DNS-1035 label, at most 40 chars). @default the construct id, lowercased */
  readonly name?: string;
  /** The numeric user the server runs as (not root). @default 1000 */
  readonly runAsUser?: number;
  /** Default-deny NetworkPolicies for the server pods plus the allows they need. @default true */
  readonly networkPolicies?: boolean;
  /**
   * Who may call the serving port (Argo Rollouts): only these endpoints' namespaces and labels are
   * used, the port is always the model's. @default pods in the endpoint's namespace
   */
  readonly clients?: NetworkEndpoint[];
  /** Who scrapes the metrics port. @default pods labelled app.kubernetes.io/name=prometheus in namespace 'monitoring' */
  readonly prometheus?: NetworkEndpoint;
  /** Where the server pods may connect besides the DNS (e.g. the model store of `modelUri`). @default - none */
  readonly egress?: NetworkEndpoint[];
  /** @default NetworkEndpoint.clusterDns() */
  readonly dns?: NetworkEndpoint;
  /** Labels the ServiceMonitor and PrometheusRule carry, so your Prometheus selects them (e.g. { release: 'kube-prometheus-stack' }). @default - none */
  readonly monitoringLabels?: { [label: string]: string };
}
