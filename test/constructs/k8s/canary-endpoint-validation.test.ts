/** k8s.CanaryEndpoint bad inputs: each message names the construct, the value, what is allowed and the fix. */
import { Chart, Duration, Testing } from 'cdk8s';
import { CanaryEndpoint, CanaryEndpointProps, EndpointRollout, ModelServer, ServedModel } from '../../../constructs/k8s/endpoint';
import { ENDPOINT_LIMITS } from '../../../constructs/k8s/endpoint/limits';
import { ROLLOUT_LIMITS } from '../../../constructs/aws/endpoint/limits';
import { errorOf } from '../../support/errors';

jest.spyOn(console, 'warn').mockImplementation(() => undefined);

const IMAGE = 'registry.example.com/iris-serving:1';
const AT = "CanaryEndpoint 'test/Churn':";

const bad = (props: Partial<CanaryEndpointProps>) => errorOf(() => {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
  new CanaryEndpoint(chart, 'Churn', { model: ServedModel.fromImage(IMAGE), replicas: 10, ...props });
});
const list = (...problems: string[]) => [AT, ...problems.map((p) => `  - ${p}`)].join('\n');
const canary = (percent: number, bake = Duration.minutes(5)) => EndpointRollout.canary({ percent, bake });
const linear = (stepPercent: number, interval = Duration.minutes(5)) => EndpointRollout.linear({ stepPercent, interval });

test('canary percent outside 1–99 (whole numbers)', () => {
  expect(bad({ rollout: canary(0) })).toBe(`${AT} rollout canary percent is 0 %, but it must be a whole number 1–99 %; e.g. 10`);
  expect(bad({ rollout: canary(100) })).toBe(`${AT} rollout canary percent is 100 %, but it must be a whole number 1–99 %; e.g. 10`);
  expect(bad({ rollout: canary(12.5) })).toBe(`${AT} rollout canary percent is 12.5 %, but it must be a whole number 1–99 %; e.g. 10`);
  expect(() => bad({ rollout: canary(1) })).toThrow('expected an error');
  expect(() => bad({ rollout: canary(99) })).toThrow('expected an error');
});

test('linear step outside 10–50 %, the AWS construct\'s range', () => {
  expect(ENDPOINT_LIMITS.linearPercent).toEqual(ROLLOUT_LIMITS.linearPercent);
  expect(bad({ rollout: linear(5) })).toBe(`${AT} rollout linear stepPercent is 5 %, but it must be a whole number 10–50 %; e.g. 20`);
  expect(bad({ rollout: linear(60) })).toBe(`${AT} rollout linear stepPercent is 60 %, but it must be a whole number 10–50 %; e.g. 20`);
  expect(() => bad({ rollout: linear(10) })).toThrow('expected an error');
  expect(() => bad({ rollout: linear(50) })).toThrow('expected an error');
});

test('bake or interval ≤ 0, or not whole seconds', () => {
  const fix = 'but the analysis needs time to watch each step: it must be > 0 and whole seconds; e.g. Duration.minutes(10)';
  expect(bad({ rollout: canary(10, Duration.seconds(0)) })).toBe(`${AT} rollout bake is 0 s, ${fix}`);
  expect(bad({ rollout: EndpointRollout.allAtOnce({ bake: Duration.seconds(0) }) })).toBe(`${AT} rollout bake is 0 s, ${fix}`);
  expect(bad({ rollout: linear(20, Duration.millis(1500)) })).toBe(`${AT} rollout interval is 1.5 s, ${fix}`);
});

test('rollback thresholds ≤ 0 (and an error rate over 100 %), all reported at once', () => {
  expect(bad({ rollbackOn: { p99LatencyMs: 0, errorRatePercent: -1 } })).toBe(list(
    'rollbackOn.p99LatencyMs is 0, but a rollback threshold must be > 0; e.g. 500, or leave it out',
    'rollbackOn.errorRatePercent is -1, but a rollback threshold must be > 0 and ≤ 100; e.g. 1, or leave it out',
  ));
  expect(bad({ rollbackOn: { errorRatePercent: 150 } })).toBe(`${AT} rollbackOn.errorRatePercent is 150, but a rollback threshold must be > 0 and ≤ 100; e.g. 1, or leave it out`);
});

test('linear on KServe, which has one canary percent and no steps', () => {
  expect(bad({ server: ModelServer.kserve(), rollout: linear(20) })).toBe(`${AT} rollout is linear, but KServe has one canary traffic percent (canaryTrafficPercent) and no steps; ` +
    'use EndpointRollout.canary({ percent, bake }) or allAtOnce() with KServe, or ModelServer.argoRollouts() for linear steps');
});

test('replicas < 1 or fractional', () => {
  expect(bad({ replicas: 0 })).toBe(`${AT} replicas is 0, but it must be a whole number ≥ 1; e.g. 10 (Argo Rollouts splits traffic by pod count)`);
  expect(bad({ replicas: 1.5 })).toBe(`${AT} replicas is 1.5, but it must be a whole number ≥ 1; e.g. 10 (Argo Rollouts splits traffic by pod count)`);
});

test('an invalid image reference', () => {
  expect(bad({ model: ServedModel.fromImage('registry.example.com/iris serving:1') })).toBe(
    `${AT} model image 'registry.example.com/iris serving:1' is not an image reference; give e.g. 'registry.example.com/iris-serving:1'`);
  expect(bad({ model: ServedModel.fromImage('ghcr.io/Org/iris:1') })).toBe(`${AT} model image 'ghcr.io/Org/iris:1' is not a valid image reference: image repository 'Org/iris' is invalid ` +
    "(allowed: lower-case path components of letters and digits, separated by '/', each may contain '.', '_', '__' or runs of '-' between letters or digits); repositories are lower-case: write 'org/iris'");
});

test('the model\'s port, model URI and env names', () => {
  expect(bad({ model: ServedModel.fromImage(IMAGE, { port: 70000, modelUri: 'models/iris', env: { '1BAD': 'x' } }) })).toBe(list(
    'model port is 70000, but a port must be a whole number 1–65535; e.g. 8080',
    "model modelUri is 'models/iris', but it must be a URI with a scheme, e.g. 's3://models/iris/1/' or 'gs://models/iris/1/'",
    "model env name '1BAD' is invalid (allowed: letters, digits, '_', '-' and '.', not starting with a digit); rename it, e.g. 'MODEL_NAME'",
  ));
});

test('Argo Rollouts options: a Prometheus address that is no URL, too short an interval, a negative failureLimit', () => {
  expect(bad({ server: ModelServer.argoRollouts({ prometheusAddress: 'prometheus:9090' }) })).toBe(
    `${AT} ModelServer.argoRollouts prometheusAddress 'prometheus:9090' is not an http(s) URL with a host, which Argo Rollouts requires; e.g. 'http://prometheus.monitoring:9090'`);
  expect(bad({ server: ModelServer.argoRollouts({ interval: Duration.seconds(5), failureLimit: -1 }) })).toBe(list(
    'ModelServer.argoRollouts interval is 5 s, but it must be whole seconds ≥ 10 s (Prometheus scrapes every 30 s); e.g. Duration.minutes(1)',
    'ModelServer.argoRollouts failureLimit is -1, but it must be a whole number ≥ 0; e.g. 2',
  ));
});

test('a port Knative reserves, on KServe only', () => {
  expect(bad({ server: ModelServer.kserve(), model: ServedModel.fromImage(IMAGE, { port: 8012 }) })).toBe(
    `${AT} port 8012 is reserved by Knative's queue-proxy in a KServe pod (reserved: 8012, 8013, 8022, 9090, 9091); serve the model and its metrics on another port, e.g. 8080`);
  expect(() => bad({ model: ServedModel.fromImage(IMAGE, { port: 8012 }) })).toThrow('expected an error');
});

test('names, namespace, user, metrics and resources', () => {
  expect(bad({ name: 'Churn_Model' })).toBe(`${AT} name 'Churn_Model' (props.name) is invalid (allowed: a DNS-1035 label: lower-case letters, digits and '-', starting with a letter, ` +
    "at most 40 chars, so that '<name>-canary-analysis' and pod names fit); set props.name, e.g. 'churn-model'");
  expect(errorOf(() => new CanaryEndpoint(new Chart(Testing.app(), 'bare'), 'Churn', { model: ServedModel.fromImage(IMAGE) }))).toBe(
    "CanaryEndpoint 'bare/Churn': has no namespace; set props.namespace or the Chart's namespace (the Prometheus queries and network policies name it)");
  expect(bad({ runAsUser: 0 })).toBe(`${AT} runAsUser is 0, but the server must run as a numeric non-root user (a whole number ≥ 1), as Pod Security 'restricted' requires; e.g. 1000`);
  expect(bad({ metrics: { requestsMetric: 'http-requests', statusLabel: '__code', port: 0 } })).toBe(list(
    'metrics.port is 0, but a port must be a whole number 1–65535; e.g. 9100',
    "metrics.requestsMetric is 'http-requests', which is not a Prometheus metric name (allowed: [a-zA-Z_:][a-zA-Z0-9_:]*); e.g. 'http_requests_total'",
    "metrics.statusLabel is '__code', which is not a Prometheus label name (allowed: [a-zA-Z_][a-zA-Z0-9_]*, not starting with '__'); e.g. 'code'",
  ));
  expect(bad({ resources: { cpu: 0.0001 } })).toBe(`${AT} resources: resources.cpu 0.0001 is too small for a Kubernetes quantity (allowed: at least 0.001 (Kubernetes' smallest CPU unit, 1m)); ` +
    "it would be emitted as zero, so give the amount in the model's unit (vCPUs)");
});

test('values that are not the option classes (plain JavaScript callers)', () => {
  expect(bad({ model: 'registry/iris:1' as unknown as ServedModel })).toBe(`${AT} model is 'registry/iris:1'; use ServedModel.fromImage('registry/image:tag', {...})`);
  expect(bad({ rollout: { percent: 10 } as unknown as EndpointRollout })).toBe(
    `${AT} rollout is {"percent":10}; use EndpointRollout.canary({...}), EndpointRollout.linear({...}) or EndpointRollout.allAtOnce()`);
  expect(bad({ server: 'argo' as unknown as ModelServer })).toBe(`${AT} server is 'argo'; use ModelServer.argoRollouts({...}) or ModelServer.kserve()`);
});

test('env that modelUri already sets', () => {
  expect(bad({ model: ServedModel.fromImage(IMAGE, { modelUri: 's3://m/1/', env: { STORAGE_URI: 's3://other/' } }) })).toBe(
    `${AT} model env 'STORAGE_URI' is set from modelUri by the construct; remove it from env, or leave modelUri out and set it yourself`);
});

test('two endpoints with one name in one namespace are a synth error naming both', () => {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
  new CanaryEndpoint(chart, 'Churn', { model: ServedModel.fromImage(IMAGE), replicas: 10 });
  new CanaryEndpoint(chart, 'Other', { model: ServedModel.fromImage(IMAGE), replicas: 10, name: 'churn' });
  const message = errorOf(() => Testing.synth(chart));
  expect(message).toContain("[test/Other] CanaryEndpoint 'Other' ('test/Other') and CanaryEndpoint 'Churn' ('test/Churn') both emit 11 objects with the same API group, kind, namespace and name: ServiceAccount 'churn-server' in namespace 'ml' (v1);");
  expect(message).toContain("Give each CanaryEndpoint its own name with props.name (e.g. name: 'churn-2'), or put them in different namespaces.");
});
