import { Chart, Duration, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { NetworkEndpoint, SynthWarnings } from '../../../constructs/k8s';
import { CanaryEndpoint, CanaryEndpointProps, EndpointRollout, ModelServer, ServedModel } from '../../../constructs/k8s/endpoint';
import { broadEgressProblems, validateManifests } from '../../support/k8s';
import { endpointPodSecurityProblems, endpointResourceProblems, hasEndpointPods } from '../../support/k8s/endpoint-pods';

jest.spyOn(console, 'warn').mockImplementation(() => undefined);

type Json = { [key: string]: any };

const IMAGE = 'registry.example.com/iris-serving:1';
const PROMETHEUS = 'http://prometheus.monitoring:9090';

function synth(props: Partial<CanaryEndpointProps> = {}): { objects: Json[]; warnings: string[]; endpoint: CanaryEndpoint } {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
  const endpoint = new CanaryEndpoint(chart, 'Churn', {
    model: ServedModel.fromImage(IMAGE),
    server: ModelServer.argoRollouts({ prometheusAddress: PROMETHEUS }),
    replicas: 10,
    ...props,
  });
  return { objects: Testing.synth(chart), warnings: SynthWarnings.of(chart), endpoint };
}

const byKind = (objects: Json[], kind: string, name?: string) => objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
const one = (objects: Json[], kind: string, name?: string) => {
  const found = byKind(objects, kind, name);
  expect(found).toHaveLength(1);
  return found[0];
};

/** The endpoint as the brief's user writes it, on each server. */
const SHAPES: [string, Partial<CanaryEndpointProps>][] = [
  ['Argo Rollouts', {
    model: ServedModel.fromImage(IMAGE, { modelUri: 's3://models/churn/3/', port: 8080, env: { MODEL_NAME: 'churn' } }),
    rollout: EndpointRollout.canary({ percent: 10, bake: Duration.minutes(10) }),
    rollbackOn: { p99LatencyMs: 500, errorRatePercent: 1 },
    egress: [NetworkEndpoint.ipBlock('10.20.0.0/16', [443])],
    resources: { cpu: 2, memoryGiB: 4 },
  }],
  ['KServe', {
    model: ServedModel.fromImage(IMAGE, { modelUri: 's3://models/churn/3/', port: 8080 }),
    rollout: EndpointRollout.canary({ percent: 10, bake: Duration.minutes(10) }),
    rollbackOn: { p99LatencyMs: 500, errorRatePercent: 1 },
    server: ModelServer.kserve(),
    egress: [NetworkEndpoint.ipBlock('10.20.0.0/16', [443])],
  }],
];

describe.each(SHAPES)('on %s', (_name, props) => {
  const { objects } = synth(props);

  test('snapshot', () => {
    expect(YAML.stringify(objects)).toMatchSnapshot();
  });

  test('every manifest validates against Kubernetes 1.30 and the CRD schemas (unknown fields rejected)', () => {
    expect(validateManifests(objects)).toEqual([]);
  });

  test("the server pods pass Pod Security 'restricted' with a read-only root, and request and limit CPU and memory", () => {
    const workloads = objects.filter(hasEndpointPods);
    expect(workloads).toHaveLength(1);
    expect(workloads.flatMap((o) => endpointPodSecurityProblems(o))).toEqual([]);
    expect(workloads.flatMap(endpointResourceProblems)).toEqual([]);
  });

  test('default-deny policies, ingress only from callers and Prometheus, egress only to DNS and the given store', () => {
    expect(byKind(objects, 'NetworkPolicy').map((p) => p.metadata.name)).toEqual(['churn-server-deny-all', 'churn-server-allow']);
    const allow = one(objects, 'NetworkPolicy', 'churn-server-allow');
    expect(allow.spec.podSelector).toEqual({ matchLabels: { 'mlops.cdk.io/endpoint': 'churn' } });
    expect(allow.spec.egress.map((r: Json) => r.to)).toEqual([
      [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      [{ ipBlock: { cidr: '10.20.0.0/16' } }],
    ]);
    expect(allow.spec.ingress.at(-1)).toEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }],
      ports: [{ protocol: 'TCP', port: 8080 }],
    });
    expect(objects.flatMap(broadEgressProblems)).toEqual([]);
  });

  test('a ServiceMonitor scrapes the metrics port of every server pod through a headless Service', () => {
    const svc = one(objects, 'Service', 'churn-metrics');
    expect(svc.spec).toEqual({ clusterIP: 'None', selector: { 'mlops.cdk.io/endpoint': 'churn' }, ports: [{ name: 'metrics', port: 8080, targetPort: 8080, protocol: 'TCP' }] });
    const monitor = one(objects, 'ServiceMonitor');
    expect(monitor.spec.selector).toEqual({ matchLabels: { 'mlops.cdk.io/endpoint-metrics': 'churn' } });
    expect(svc.metadata.labels['mlops.cdk.io/endpoint-metrics']).toBe('churn');
    expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s', scheme: 'http' }]);
    expect(monitor.spec.namespaceSelector).toEqual({ matchNames: ['ml'] });
  });

  test('alerts on the whole endpoint at the rollback thresholds', () => {
    const rules = one(objects, 'PrometheusRule').spec.groups[0].rules;
    expect(rules.map((r: Json) => r.alert)).toEqual(['CanaryEndpointErrorRate', 'CanaryEndpointP99Latency', 'CanaryEndpointNotScraped']);
    expect(rules[0].expr).toBe('(sum(rate(http_requests_total{namespace="ml", service="churn-metrics", code=~"5.."}[5m]))\n/\nsum(rate(http_requests_total{namespace="ml", service="churn-metrics"}[5m]))) * 100 > 1');
    expect(rules[1].expr).toBe('histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="ml", service="churn-metrics"}[5m]))) * 1000 > 500');
  });
});

describe('Argo Rollouts', () => {
  const { objects, endpoint } = synth(SHAPES[0][1]);
  const rollout = one(objects, 'Rollout');

  test('a canary rollout is one setWeight and a timed pause; Argo Rollouts then promotes to 100 %', () => {
    expect(rollout.spec.strategy.canary.steps).toEqual([{ setWeight: 10 }, { pause: { duration: '600s' } }]);
    expect(rollout.spec.replicas).toBe(10);
  });

  test('linear steps up to (not including) 100 %, each watched for the interval; all at once is 100 % watched for the bake', () => {
    const linear = one(synth({ rollout: EndpointRollout.linear({ stepPercent: 30, interval: Duration.minutes(5) }) }).objects, 'Rollout');
    expect(linear.spec.strategy.canary.steps).toEqual([
      { setWeight: 30 }, { pause: { duration: '300s' } },
      { setWeight: 60 }, { pause: { duration: '300s' } },
      { setWeight: 90 }, { pause: { duration: '300s' } },
    ]);
    const all = one(synth({ rollout: EndpointRollout.allAtOnce() }).objects, 'Rollout');
    expect(all.spec.strategy.canary.steps).toEqual([{ setWeight: 100 }, { pause: { duration: '300s' } }]);
    const byDefault = one(synth({}).objects, 'Rollout');
    expect(byDefault.spec.strategy.canary.steps).toEqual([{ setWeight: 10 }, { pause: { duration: '600s' } }]);
  });

  test('the Rollout runs the AnalysisTemplate in the background, passing the canary pods\' template hash', () => {
    const template = one(objects, 'AnalysisTemplate');
    expect(template.metadata.name).toBe('churn-canary-analysis');
    expect(rollout.spec.strategy.canary.analysis).toEqual({
      templates: [{ templateName: 'churn-canary-analysis' }],
      args: [{ name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } }],
    });
    expect(template.spec.args).toEqual([{ name: 'canary-hash' }]);
    // The ServiceMonitor copies the pod label onto each series; Prometheus Operator writes '-' as '_'.
    expect(one(objects, 'ServiceMonitor').spec.podTargetLabels).toEqual(['rollouts-pod-template-hash']);
  });

  test('two Prometheus metrics on the canary only; an empty or NaN result fails, never passes', () => {
    const [success, latency] = one(objects, 'AnalysisTemplate').spec.metrics;
    const canary = 'namespace="ml", service="churn-metrics", rollouts_pod_template_hash="{{args.canary-hash}}"';
    expect(success).toEqual({
      name: 'success-rate',
      interval: '60s',
      initialDelay: '60s',
      failureLimit: 2,
      successCondition: 'len(result) > 0 && result[0] >= 0.99',
      provider: { prometheus: { address: PROMETHEUS, query: `sum(rate(http_requests_total{${canary}, code!~"5.."}[120s]))\n/\nsum(rate(http_requests_total{${canary}}[120s]))` } },
    });
    expect(latency).toEqual({
      name: 'p99-latency',
      interval: '60s',
      initialDelay: '60s',
      failureLimit: 2,
      successCondition: 'len(result) > 0 && result[0] <= 0.5',
      provider: { prometheus: { address: PROMETHEUS, query: `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{${canary}}[120s])))` } },
    });
  });

  test('without rollbackOn the analysis watches the error rate at 1 %, as on AWS; thresholds render exactly', () => {
    const metrics = one(synth({}).objects, 'AnalysisTemplate').spec.metrics;
    expect(metrics.map((m: Json) => [m.name, m.successCondition])).toEqual([['success-rate', 'len(result) > 0 && result[0] >= 0.99']]);
    const odd = one(synth({ rollbackOn: { errorRatePercent: 7, p99LatencyMs: 250 } }).objects, 'AnalysisTemplate').spec.metrics;
    expect(odd.map((m: Json) => m.successCondition)).toEqual(['len(result) > 0 && result[0] >= 0.93', 'len(result) > 0 && result[0] <= 0.25']);
  });

  test('analysis options and custom metric names reach the template', () => {
    const { objects: custom } = synth({
      server: ModelServer.argoRollouts({ prometheusAddress: 'https://prom.example.com', interval: Duration.seconds(30), failureLimit: 0, initialDelay: Duration.minutes(2) }),
      metrics: { port: 9100, requestsMetric: 'model_requests_total', statusLabel: 'status' },
    });
    const [m] = one(custom, 'AnalysisTemplate').spec.metrics;
    expect([m.interval, m.initialDelay, m.failureLimit, m.provider.prometheus.address]).toEqual(['30s', '120s', 0, 'https://prom.example.com']);
    expect(m.provider.prometheus.query).toContain('sum(rate(model_requests_total{namespace="ml", service="churn-metrics", rollouts_pod_template_hash="{{args.canary-hash}}", status!~"5.."}[60s]))');
    const container = one(custom, 'Rollout').spec.template.spec.containers[0];
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'metrics', containerPort: 9100, protocol: 'TCP' }]);
    expect(one(custom, 'Service', 'churn-metrics').spec.ports[0].targetPort).toBe(9100);
  });

  test('clients, stable and canary Services select the server pods; the Rollout names the last two', () => {
    const names = byKind(objects, 'Service').map((s) => s.metadata.name);
    expect(names).toEqual(['churn', 'churn-stable', 'churn-canary', 'churn-metrics']);
    for (const name of ['churn', 'churn-stable', 'churn-canary']) {
      expect(one(objects, 'Service', name).spec).toEqual({ selector: { 'mlops.cdk.io/endpoint': 'churn' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] });
    }
    expect(rollout.spec.strategy.canary).toMatchObject({ canaryService: 'churn-canary', stableService: 'churn-stable' });
    expect(rollout.spec.selector).toEqual({ matchLabels: { 'mlops.cdk.io/endpoint': 'churn' } });
    expect(rollout.spec.template.metadata.labels['mlops.cdk.io/endpoint']).toBe('churn');
    expect(endpoint.url).toBe('http://churn.ml.svc.cluster.local');
  });

  test('the pod: restricted security context, no token, writable /tmp only, model URI and env, resources', () => {
    const pod = rollout.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe('churn-server');
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    const [c] = pod.containers;
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.env).toEqual([{ name: 'MLOPS_MODEL_URI', value: 's3://models/churn/3/' }, { name: 'MODEL_NAME', value: 'churn' }]);
    expect(c.resources).toEqual({ requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } });
    expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(c.readinessProbe).toEqual({ tcpSocket: { port: 8080 }, periodSeconds: 5, failureThreshold: 3 });
    expect(one(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
  });

  test('ingress on the serving port from the given clients only (default: pods of the namespace)', () => {
    const ingress = (o: Json[]) => one(o, 'NetworkPolicy', 'churn-server-allow').spec.ingress;
    expect(ingress(objects)[0]).toEqual({ from: [{ podSelector: {} }], ports: [{ protocol: 'TCP', port: 8080 }] });
    const gateway = NetworkEndpoint.pods({ namespace: 'gateway', podLabels: { app: 'api' }, ports: [1] });
    expect(ingress(synth({ clients: [gateway] }).objects)[0]).toEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway' } }, podSelector: { matchLabels: { app: 'api' } } }],
      ports: [{ protocol: 'TCP', port: 8080 }],
    });
  });

  test('a replica count that cannot split traffic near the asked share is a warning; modelUri without egress too', () => {
    expect(synth({ replicas: 2 }).warnings).toEqual([
      '[test/Churn] replicas 2: without a traffic router Argo Rollouts splits traffic by pod count, so the 10 % step runs 1 of 2 pods and takes about 50 % of requests; use replicas: 10 (or a multiple) for an exact 10 % step',
    ]);
    expect(synth({ replicas: 10 }).warnings).toEqual([]);
    expect(synth({ replicas: 3, rollout: EndpointRollout.linear({ stepPercent: 20, interval: Duration.minutes(1) }) }).warnings[0]).toContain('the 20 % step runs 1 of 3 pods and takes about 33 % of requests; use replicas: 5');
    // 1 of 4 pods for a 25 % step is exact: no warning.
    expect(synth({ replicas: 4, rollout: EndpointRollout.linear({ stepPercent: 25, interval: Duration.minutes(1) }) }).warnings).toEqual([]);
    expect(synth({ model: ServedModel.fromImage(IMAGE, { modelUri: 's3://models/x/' }) }).warnings).toEqual([
      "[test/Churn] model modelUri 's3://models/x/' is given, but NetworkPolicy 'churn-server-allow' allows egress only to the DNS, so the server cannot download the model where the cluster enforces NetworkPolicies; add egress: [NetworkEndpoint.ipBlock('<store CIDR>', [443])] or NetworkEndpoint.pods({...}) for an in-cluster store",
    ]);
  });

  test('networkPolicies: false makes none; monitoringLabels reach the ServiceMonitor and PrometheusRule', () => {
    const { objects: open } = synth({ networkPolicies: false, monitoringLabels: { release: 'kube-prometheus-stack' } });
    expect(byKind(open, 'NetworkPolicy')).toEqual([]);
    expect(one(open, 'ServiceMonitor').metadata.labels.release).toBe('kube-prometheus-stack');
    expect(one(open, 'PrometheusRule').metadata.labels.release).toBe('kube-prometheus-stack');
  });
});

describe('KServe', () => {
  const { objects, warnings } = synth(SHAPES[1][1]);
  const isvc = one(objects, 'InferenceService');

  test('one InferenceService in Serverless mode with the canary percent; no Rollout, no Argo objects', () => {
    expect(isvc.metadata.annotations).toEqual({ 'serving.kserve.io/deploymentMode': 'Serverless' });
    expect(isvc.spec.predictor).toMatchObject({ canaryTrafficPercent: 10, minReplicas: 10, maxReplicas: 10 });
    expect(isvc.spec.predictor.labels).toEqual({ 'app.kubernetes.io/managed-by': 'cdk-mlops', 'mlops.cdk.io/endpoint': 'churn' });
    expect(byKind(objects, 'Rollout')).toEqual([]);
    expect(byKind(objects, 'AnalysisTemplate')).toEqual([]);
    expect(byKind(objects, 'Service').map((s) => s.metadata.name)).toEqual(['churn-metrics']);
    expect(one(objects, 'ServiceMonitor').spec.podTargetLabels).toBeUndefined();
  });

  test('the predictor container: KServe\'s name, one Knative port, STORAGE_URI for the storage initializer', () => {
    const [c] = isvc.spec.predictor.containers;
    expect(c.name).toBe('kserve-container');
    expect(c.ports).toEqual([{ name: 'http1', containerPort: 8080, protocol: 'TCP' }]);
    expect(c.env).toEqual([{ name: 'MLOPS_MODEL_URI', value: 's3://models/churn/3/' }, { name: 'STORAGE_URI', value: 's3://models/churn/3/' }]);
    expect(isvc.spec.predictor.securityContext.runAsNonRoot).toBe(true);
  });

  test('allAtOnce renders no canaryTrafficPercent (the new revision takes all traffic)', () => {
    const all = one(synth({ server: ModelServer.kserve(), rollout: EndpointRollout.allAtOnce() }).objects, 'InferenceService');
    expect(all.spec.predictor.canaryTrafficPercent).toBeUndefined();
  });

  test('ingress only on the queue-proxy port from Knative and the ingress gateway, and from Prometheus', () => {
    const { objects: custom } = synth({ server: ModelServer.kserve({ ingressNamespace: 'kourier-system' }) });
    expect(one(custom, 'NetworkPolicy', 'churn-server-allow').spec.ingress.map((r: Json) => [r.from[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name'], r.ports[0].port])).toEqual([
      ['knative-serving', 8012], ['kourier-system', 8012], ['monitoring', 8080],
    ]);
  });

  test('synth warns that rollback is not metric-driven and that injected containers are outside the manifests', () => {
    expect(warnings).toEqual([
      '[test/Churn] KServe does not roll back on metrics: rollbackOn only sets the alerts of the PrometheusRule, and the new revision keeps 10 % of traffic (the bake is not applied) until you promote it (EndpointRollout.allAtOnce(), or remove canaryTrafficPercent) or roll it back to the last ready revision (canaryTrafficPercent: 0); use ModelServer.argoRollouts() for automatic, metric-driven rollback',
      "[test/Churn] KServe and Knative add containers to the predictor pod (queue-proxy; storage-initializer when modelUri is given) whose security context comes from the cluster's configuration (Knative secure-pod-defaults, KServe's storageInitializer config), so these manifests cannot promise the pod passes Pod Security 'restricted'",
    ]);
  });
});

test('the default server is Argo Rollouts with the Prometheus Operator\'s Service in monitoring', () => {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
  new CanaryEndpoint(chart, 'Iris', { model: ServedModel.fromImage(IMAGE), replicas: 10 });
  const objects = Testing.synth(chart);
  expect(one(objects, 'AnalysisTemplate').spec.metrics[0].provider.prometheus.address).toBe('http://prometheus-operated.monitoring.svc:9090');
  expect(one(objects, 'Rollout').metadata.name).toBe('iris');
});

test('the pod checks catch what they claim to (a root, writable, unlimited container fails)', () => {
  const { objects } = synth();
  const rollout = JSON.parse(JSON.stringify(one(objects, 'Rollout')));
  const c = rollout.spec.template.spec.containers[0];
  c.securityContext = { runAsUser: 0 };
  delete c.resources;
  expect(endpointPodSecurityProblems(rollout)).toEqual(expect.arrayContaining([
    "Rollout 'churn' container 'server': allowPrivilegeEscalation is not false",
    "Rollout 'churn' container 'server': runAsUser is 0 (root)",
    "Rollout 'churn' container 'server': readOnlyRootFilesystem is not true",
  ]));
  expect(endpointResourceProblems(rollout)).toContain("Rollout 'churn' container 'server': no cpu limits");
});

test('the schema check is strict on these kinds: a misspelt field in each custom resource fails', () => {
  const argo = synth().objects;
  const kserve = synth({ server: ModelServer.kserve() }).objects;
  const broken = (o: Json, path: string[]) => {
    const copy = JSON.parse(JSON.stringify(o));
    const parent = path.slice(0, -1).reduce((x, k) => x[k], copy);
    parent[path.at(-1)!] = 1;
    return copy;
  };
  const cases: [Json, string[]][] = [
    [one(argo, 'Rollout'), ['spec', 'strategy', 'canary', 'stepz']],
    [one(argo, 'AnalysisTemplate'), ['spec', 'metrics', '0', 'successConditon']],
    [one(argo, 'ServiceMonitor'), ['spec', 'podTargetLabel']],
    [one(kserve, 'InferenceService'), ['spec', 'predictor', 'canaryTraficPercent']],
  ];
  for (const [object, path] of cases) {
    expect(validateManifests([broken(object, path)]).join('\n')).toMatch(new RegExp(`must NOT have additional properties.*${path.at(-1)}|${path.at(-1)}.*additional`));
  }
});
