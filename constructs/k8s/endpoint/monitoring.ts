import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ServingMetrics } from './props';
import { errorRateQuery, p99LatencyQuery, POD_TEMPLATE_HASH_LABEL, promNumber, QueryScope } from './queries';

export interface EndpointMonitoringProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: { [label: string]: string };
  readonly podLabels: { [label: string]: string };
  readonly monitoringLabels: { [label: string]: string };
  readonly metrics: Required<ServingMetrics>;
  readonly thresholds: { readonly p99LatencyMs?: number; readonly errorRatePercent: number };
  /** Copy Argo Rollouts' pod-template hash onto every series, so the analysis can select the canary. */
  readonly podTemplateHash: boolean;
}

/** The metrics Service's name; Prometheus Operator labels each series scraped through it `service="<this>"`. */
export function metricsServiceName(name: string): string {
  return `${name}-metrics`;
}

/**
 * A headless Service over every server pod's metrics port (stable and canary alike, each pod once),
 * the ServiceMonitor that scrapes it, and a PrometheusRule that alerts on the whole endpoint's
 * error rate, p99 latency and missing scrapes.
 */
export function endpointMonitoring(scope: Construct, props: EndpointMonitoringProps): ApiObject[] {
  const service = metricsServiceName(props.name);
  const serviceLabels = { ...props.labels, 'mlops.cdk.io/endpoint-metrics': props.name };
  const svc = new k8s.KubeService(scope, 'MetricsService', {
    metadata: { name: service, namespace: props.namespace, labels: serviceLabels },
    spec: {
      clusterIp: 'None',
      selector: { ...props.podLabels },
      ports: [{ name: 'metrics', port: props.metrics.port, targetPort: k8s.IntOrString.fromNumber(props.metrics.port), protocol: 'TCP' }],
    },
  });
  const meta = (suffix: string) => ({ name: `${props.name}-${suffix}`, namespace: props.namespace, labels: { ...props.labels, ...props.monitoringLabels } });
  const monitor = new ApiObject(scope, 'ServiceMonitor', {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: meta('server'),
    spec: {
      selector: { matchLabels: { 'mlops.cdk.io/endpoint-metrics': props.name } },
      namespaceSelector: { matchNames: [props.namespace] },
      endpoints: [{ port: 'metrics', path: props.metrics.path, interval: '30s', scheme: 'http' }],
      ...(props.podTemplateHash ? { podTargetLabels: [POD_TEMPLATE_HASH_LABEL] } : {}),
    },
  });
  const all: QueryScope = { namespace: props.namespace, metricsService: service, metrics: props.metrics, window: '5m', canaryOnly: false };
  const labels = { severity: 'warning', endpoint: props.name };
  const rules: object[] = [{
    alert: 'CanaryEndpointErrorRate',
    expr: `(${errorRateQuery(all)}) * 100 > ${promNumber(props.thresholds.errorRatePercent)}`,
    for: '5m',
    labels,
    annotations: {
      summary: `Endpoint ${props.name}: more than ${promNumber(props.thresholds.errorRatePercent)} % of requests answer 5xx`,
      description: `{{ $value | humanize }} % of the requests to ${props.namespace}/${props.name} answered 5xx over the last 5 minutes.`,
    },
  }];
  if (props.thresholds.p99LatencyMs !== undefined) {
    rules.push({
      alert: 'CanaryEndpointP99Latency',
      expr: `${p99LatencyQuery(all)} * 1000 > ${promNumber(props.thresholds.p99LatencyMs)}`,
      for: '5m',
      labels,
      annotations: {
        summary: `Endpoint ${props.name}: p99 latency above ${promNumber(props.thresholds.p99LatencyMs)} ms`,
        description: `The p99 latency of ${props.namespace}/${props.name} is {{ $value | humanize }} ms over the last 5 minutes.`,
      },
    });
  }
  rules.push({
    alert: 'CanaryEndpointNotScraped',
    expr: `absent(up{namespace="${props.namespace}", service="${service}"} == 1)`,
    for: '10m',
    labels: { ...labels, severity: 'critical' },
    annotations: {
      summary: `Endpoint ${props.name} has no healthy metrics scrape`,
      description: `No server pod of ${props.namespace}/${props.name} was scraped for 10 minutes: the pods are down, or the analysis cannot see them (check the ServiceMonitor is selected by your Prometheus and the NetworkPolicy lets it in).`,
    },
  });
  const rule = new ApiObject(scope, 'PrometheusRule', {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: meta('server'),
    spec: { groups: [{ name: `canary-endpoint-${props.name}`, rules }] },
  });
  return [svc, monitor, rule];
}
