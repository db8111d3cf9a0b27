import { quantityProblems } from '../../../lib/kubernetes/rules';
import { show } from '../../../lib/pipeline/errors';
import { resourceProblems } from '../../../lib/pipeline/resources';
import { namespaceProblem } from '../names';
import { ENDPOINT_LIMITS, ENDPOINT_NAME_MAX } from './limits';
import { ModelServer, ModelServerKind } from './model-server';
import { CanaryEndpointProps, ServingMetrics } from './props';
import { EndpointRollout, EndpointTrafficShift } from './rollout';
import { ServedModel } from './served-model';

const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The serving metrics with their defaults filled in. */
export function servingMetrics(props: CanaryEndpointProps): Required<ServingMetrics> {
  const m = props.metrics ?? {};
  return {
    port: m.port ?? (ServedModel.isServedModel(props.model) ? props.model.port : 8080),
    path: m.path ?? '/metrics',
    requestsMetric: m.requestsMetric ?? 'http_requests_total',
    statusLabel: m.statusLabel ?? 'code',
    latencyMetric: m.latencyMetric ?? 'http_request_duration_seconds',
  };
}

/** The rollback thresholds with the default filled in: errorRatePercent 1, as on AWS. */
export function thresholdsOf(props: CanaryEndpointProps): { p99LatencyMs?: number; errorRatePercent: number } {
  return { p99LatencyMs: props.rollbackOn?.p99LatencyMs, errorRatePercent: props.rollbackOn?.errorRatePercent ?? 1 };
}

/** Every problem of the props and the resolved name and namespace, each naming the value, what is allowed and the fix. */
export function endpointProblems(props: CanaryEndpointProps, name: string, namespace: string | undefined): string[] {
  const problems: string[] = [];
  if (!DNS_1035.test(name) || name.length > ENDPOINT_NAME_MAX) {
    const fix = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').slice(0, ENDPOINT_NAME_MAX).replace(/-+$/, '') || 'endpoint';
    problems.push(`name ${show(name)} (${props.name !== undefined ? 'props.name' : 'the construct id, lowercased'}) is invalid (allowed: a DNS-1035 label: lower-case letters, digits and '-', starting with a letter, at most ${ENDPOINT_NAME_MAX} chars, so that '<name>-canary-analysis' and pod names fit); set props.name, e.g. '${fix}'`);
  }
  if (namespace === undefined) {
    problems.push("has no namespace; set props.namespace or the Chart's namespace (the Prometheus queries and network policies name it)");
  } else {
    problems.push(...optional(namespaceProblem(namespace)));
  }
  if (!ServedModel.isServedModel(props.model)) {
    problems.push(`model is ${show(props.model)}; use ServedModel.fromImage('registry/image:tag', {...})`);
  } else {
    problems.push(...props.model._problems());
  }
  const server = props.server ?? ModelServer.argoRollouts();
  if (!ModelServer.isModelServer(server)) {
    return [...problems, `server is ${show(props.server)}; use ModelServer.argoRollouts({...}) or ModelServer.kserve()`];
  }
  problems.push(...server._problems());
  if (props.rollout !== undefined && !EndpointRollout.isEndpointRollout(props.rollout)) {
    return [...problems, `rollout is ${show(props.rollout)}; use EndpointRollout.canary({...}), EndpointRollout.linear({...}) or EndpointRollout.allAtOnce()`];
  }
  const rollout = props.rollout ?? EndpointRollout._default();
  problems.push(...rollout._problems());
  if (server.kind === ModelServerKind.KSERVE && rollout.shift === EndpointTrafficShift.LINEAR) {
    problems.push('rollout is linear, but KServe has one canary traffic percent (canaryTrafficPercent) and no steps; use EndpointRollout.canary({ percent, bake }) or allAtOnce() with KServe, or ModelServer.argoRollouts() for linear steps');
  }
  const t = props.rollbackOn ?? {};
  for (const [field, value, max] of [['p99LatencyMs', t.p99LatencyMs, Infinity], ['errorRatePercent', t.errorRatePercent, 100]] as const) {
    if (value !== undefined && !(typeof value === 'number' && value > 0 && value <= max)) {
      problems.push(`rollbackOn.${field} is ${show(value)}, but a rollback threshold must be > 0${max === 100 ? ' and ≤ 100' : ''}; e.g. ${field === 'p99LatencyMs' ? 500 : 1}, or leave it out`);
    }
  }
  if (props.replicas !== undefined && !(Number.isInteger(props.replicas) && props.replicas >= 1)) {
    problems.push(`replicas is ${show(props.replicas)}, but it must be a whole number ≥ 1; e.g. 10 (Argo Rollouts splits traffic by pod count)`);
  }
  if (props.resources !== undefined) {
    problems.push(...resourceProblems(props.resources), ...quantityProblems('resources:', props.resources));
  }
  if (props.runAsUser !== undefined && !(Number.isInteger(props.runAsUser) && props.runAsUser >= 1)) {
    problems.push(`runAsUser is ${show(props.runAsUser)}, but the server must run as a numeric non-root user (a whole number ≥ 1), as Pod Security 'restricted' requires; e.g. 1000`);
  }
  problems.push(...metricsProblems(props, server));
  return problems;
}

function metricsProblems(props: CanaryEndpointProps, server: ModelServer): string[] {
  const problems: string[] = [];
  const m = servingMetrics(props);
  // An unset metrics port is the serving port, whose problem is already reported.
  if (props.metrics?.port !== undefined && (!Number.isInteger(m.port) || m.port < 1 || m.port > 65535)) {
    problems.push(`metrics.port is ${show(m.port)}, but a port must be a whole number 1–65535; e.g. 9100`);
  }
  if (!/^\/\S*$/.test(m.path)) {
    problems.push(`metrics.path is ${show(m.path)}, but it must be an absolute HTTP path; e.g. '/metrics'`);
  }
  for (const [field, value] of [['requestsMetric', m.requestsMetric], ['latencyMetric', m.latencyMetric]] as const) {
    if (!METRIC_NAME.test(value)) {
      problems.push(`metrics.${field} is ${show(value)}, which is not a Prometheus metric name (allowed: [a-zA-Z_:][a-zA-Z0-9_:]*); e.g. 'http_requests_total'`);
    }
  }
  if (!LABEL_NAME.test(m.statusLabel) || m.statusLabel.startsWith('__')) {
    problems.push(`metrics.statusLabel is ${show(m.statusLabel)}, which is not a Prometheus label name (allowed: [a-zA-Z_][a-zA-Z0-9_]*, not starting with '__'); e.g. 'code'`);
  }
  if (server.kind === ModelServerKind.KSERVE) {
    const ports = [...new Set([ServedModel.isServedModel(props.model) ? props.model.port : undefined, m.port])];
    for (const port of ports.filter((p): p is number => p !== undefined && ENDPOINT_LIMITS.knativeReservedPorts.includes(p))) {
      problems.push(`port ${port} is reserved by Knative's queue-proxy in a KServe pod (reserved: ${ENDPOINT_LIMITS.knativeReservedPorts.join(', ')}); serve the model and its metrics on another port, e.g. 8080`);
    }
  }
  return problems;
}

function optional(problem: string | undefined): string[] {
  return problem === undefined ? [] : [problem];
}
