import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

export interface ArgoMonitoringProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: { [label: string]: string };
  readonly serviceName: string;
  readonly serviceLabels: { [label: string]: string };
  readonly stuckAfterMinutes: number;
}

/**
 * Prometheus Operator objects for the workflow controller. The controller serves its metrics over
 * TLS with a self-signed certificate (Argo's default since 3.6), so the scrape is HTTPS without
 * certificate verification. `honorLabels` keeps the `namespace` label Argo puts on workflow metrics
 * (the workflow's namespace) instead of renaming it to `exported_namespace`.
 */
export function argoMonitoring(scope: Construct, props: ArgoMonitoringProps): ApiObject[] {
  const job = props.serviceName;
  const selector = `job="${job}"`;
  const serviceMonitor = new ApiObject(scope, 'ServiceMonitor', {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: `${props.name}-workflow-controller`, namespace: props.namespace, labels: { ...props.labels } },
    spec: {
      selector: { matchLabels: { ...props.serviceLabels } },
      namespaceSelector: { matchNames: [props.namespace] },
      endpoints: [{ port: 'metrics', path: '/metrics', scheme: 'https', interval: '30s', honorLabels: true, tlsConfig: { insecureSkipVerify: true } }],
    },
  });
  const stuck = `${props.stuckAfterMinutes}m`;
  const rule = new ApiObject(scope, 'PrometheusRule', {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: `${props.name}-workflows`, namespace: props.namespace, labels: { ...props.labels } },
    spec: {
      groups: [{
        name: 'argo-workflows',
        rules: [
          {
            alert: 'ArgoWorkflowFailed',
            expr: `sum by (namespace) (increase(argo_workflows_total_count{${selector}, phase=~"Failed|Error"}[15m])) > 0`,
            labels: { severity: 'warning' },
            annotations: {
              summary: 'An Argo workflow failed',
              description: '{{ $value | humanize }} workflows in namespace {{ $labels.namespace }} ended Failed or Error in the last 15 minutes; see `argo list -n {{ $labels.namespace }} --status Failed,Error`.',
            },
          },
          {
            alert: 'ArgoWorkflowStuck',
            expr: `sum(argo_workflows_workflow_condition{${selector}, type="PodRunning", status="false"}) > 0`,
            for: stuck,
            labels: { severity: 'warning' },
            annotations: {
              summary: 'Argo workflows are running without any running pod',
              description: `{{ $value }} workflows have been Running without a running pod for ${stuck}: pods pending (no capacity, no GPU node, missing image), or waiting on something that does not come.`,
            },
          },
          {
            alert: 'ArgoPodsPending',
            expr: `sum(argo_workflows_pods_gauge{${selector}, phase="Pending"}) > 0`,
            for: stuck,
            labels: { severity: 'warning' },
            annotations: {
              summary: 'Argo step pods stay Pending',
              description: `{{ $value }} step pods have been Pending for ${stuck}; check node capacity, GPU node selectors and tolerations, and image pulls.`,
            },
          },
          {
            alert: 'ArgoWorkflowControllerDown',
            expr: `absent(up{${selector}} == 1)`,
            for: '10m',
            labels: { severity: 'critical' },
            annotations: {
              summary: 'The Argo workflow controller is not scraped',
              description: `No healthy scrape of ${job} in namespace ${props.namespace} for 10 minutes: workflows are neither started nor advanced.`,
            },
          },
        ],
      }],
    },
  });
  return [serviceMonitor, rule];
}
