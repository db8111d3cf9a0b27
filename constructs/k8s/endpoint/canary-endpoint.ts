import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PipelineValidationError } from '../../../lib/pipeline/errors';
import { EgressRule, IngressRule, NetworkEndpoint, podNetworkPolicies } from '../network';
import { MANAGED_BY } from '../security';
import { collisionProblems, registerObjectOwner } from '../uniqueness';
import { SynthWarnings } from '../warnings';
import { handOffTarget } from './hand-off-target';
import { analysisTemplate } from './analysis';
import { argoRollout, podShare } from './argo-rollout';
import { inferenceService } from './kserve';
import { ModelServer, ModelServerKind } from './model-server';
import { endpointMonitoring, metricsServiceName } from './monitoring';
import { DEFAULT_SERVER_RESOURCES, serverPodSpec } from './pod';
import { CanaryEndpointProps } from './props';
import { EndpointRollout, EndpointTrafficShift } from './rollout';
import { endpointProblems, servingMetrics, thresholdsOf } from './validate';

/** Knative's queue-proxy port: where the activator and the ingress gateway send a KServe pod's requests. */
const QUEUE_PROXY_PORT = 8012;

/**
 * A model endpoint on Kubernetes whose every update is a guarded rollout. With Argo Rollouts (the
 * default) traffic moves in the rollout's steps while an AnalysisTemplate measures the new pods'
 * success rate and p99 latency in Prometheus; a breach aborts the update and Argo Rollouts sends all
 * traffic back to the stable pods. With KServe the new revision takes the canary percent until you
 * promote or roll it back. Both come with a ServiceMonitor, alerts, Pod Security 'restricted' pods
 * and default-deny network policies.
 */
export class CanaryEndpoint extends Construct {
  /** The base name of the endpoint's objects, and the name of the Service clients call. */
  public readonly name: string;
  public readonly namespace: string;
  /** The in-cluster address clients call (port 80). */
  public readonly url: string;
  /** Who serves the model. */
  public readonly serverKind: ModelServerKind;
  /** The rollout every update runs. */
  public readonly rollout: EndpointRollout;

  constructor(scope: Construct, id: string, props: CanaryEndpointProps) {
    super(scope, id);
    const subject = `CanaryEndpoint '${this.node.path}'`;
    const name = props.name ?? id.toLowerCase();
    const namespace = props.namespace ?? Chart.of(this).namespace;
    const problems = endpointProblems(props, name, namespace);
    if (problems.length > 0) {
      throw new PipelineValidationError(subject, problems);
    }
    const ns = namespace!;
    this.name = name;
    this.namespace = ns;
    this.url = `http://${name}.${ns}.svc.cluster.local`;
    const server = props.server ?? ModelServer.argoRollouts();
    this.serverKind = server.kind;
    this.rollout = props.rollout ?? EndpointRollout._default();
    const replicas = props.replicas ?? 2;
    const metrics = servingMetrics(props);
    const thresholds = thresholdsOf(props);
    const labels = { ...MANAGED_BY, 'mlops.cdk.io/endpoint': name };
    const podLabels = { 'mlops.cdk.io/endpoint': name };
    const serviceAccountName = `${name}-server`;
    const argo = server.kind === ModelServerKind.ARGO_ROLLOUTS;
    registerObjectOwner(this, {
      title: `CanaryEndpoint '${id}'`,
      baseName: name,
      givenName: props.name ?? id,
      nameOrigin: props.name !== undefined ? `props.name '${props.name}'` : `the construct id '${id}', lowercased`,
      fix: `Give each CanaryEndpoint its own name with props.name (e.g. name: '${name}-2'), or put them in different namespaces.`,
      renderObjects: () => undefined,
    });
    this.node.addValidation({ validate: () => collisionProblems(this) });

    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: serviceAccountName, namespace: ns, labels }, automountServiceAccountToken: false });
    const podSpec = serverPodSpec({
      containerName: argo ? 'server' : 'kserve-container',
      // Knative accepts only 'http1' or 'h2c' as the port name.
      portName: argo ? 'http' : 'http1',
      model: props.model,
      resources: props.resources ?? DEFAULT_SERVER_RESOURCES,
      runAsUser: props.runAsUser ?? 1000,
      serviceAccountName,
      // Knative allows one container port; the metrics Service targets the port by number.
      metricsPort: argo ? metrics.port : undefined,
      extraEnv: !argo && props.model.modelUri !== undefined ? { STORAGE_URI: props.model.modelUri } : undefined,
    });

    const source = props.model._source;
    if (source) {
      source.pipeline._addHandOff({ endpointTitle: subject, group: source.group, target: handOffTarget(server.kind, name, ns) });
      this.warnOnHandOff(props, server.kind);
    }

    if (argo) {
      const template = analysisTemplate(this, { name, namespace: ns, labels, metricsService: metricsServiceName(name), metrics, thresholds, server });
      argoRollout(this, { name, namespace: ns, labels, podLabels, replicas, rollout: this.rollout, podSpec, analysisTemplateName: template.name });
      this.warnOnPodSplit(replicas);
    } else {
      inferenceService(this, { name, namespace: ns, labels, podLabels, replicas, rollout: this.rollout, podSpec });
      SynthWarnings.add(this, 'KServe does not roll back on metrics: rollbackOn only sets the alerts of the PrometheusRule, ' +
        (this.rollout.shift === EndpointTrafficShift.CANARY
          ? `and the new revision keeps ${this.rollout.percent} % of traffic (the bake is not applied) until you promote it (EndpointRollout.allAtOnce(), or remove canaryTrafficPercent) or roll it back to the last ready revision (canaryTrafficPercent: 0); `
          : 'and allAtOnce sends all traffic to the new revision once it is ready; ') +
        'use ModelServer.argoRollouts() for automatic, metric-driven rollback');
      SynthWarnings.add(this, "KServe and Knative add containers to the predictor pod (queue-proxy; storage-initializer when modelUri is given) whose security context comes from the cluster's configuration (Knative secure-pod-defaults, KServe's storageInitializer config), so these manifests cannot promise the pod passes Pod Security 'restricted'");
    }
    endpointMonitoring(this, { name, namespace: ns, labels, podLabels, monitoringLabels: { ...(props.monitoringLabels ?? {}) }, metrics, thresholds, podTemplateHash: argo });

    if (props.networkPolicies ?? true) {
      const prometheus = props.prometheus ?? NetworkEndpoint.pods({ namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'prometheus' }, ports: [metrics.port] });
      const callers: IngressRule[] = argo
        ? (props.clients ?? [NetworkEndpoint.pods({ ports: [props.model.port] })]).map((from) => ({ from, ports: [props.model.port] }))
        : [server._knativeNamespace, server._ingressNamespace].map((namespace) => ({ from: NetworkEndpoint.pods({ namespace, ports: [QUEUE_PROXY_PORT] }), ports: [QUEUE_PROXY_PORT] }));
      const egress: EgressRule[] = [
        { to: props.dns ?? NetworkEndpoint.clusterDns(), askedBy: props.dns ? `${subject} prop dns` : 'the cluster DNS default' },
        ...(props.egress ?? []).map((to) => ({ to, askedBy: `${subject} prop egress` })),
      ];
      podNetworkPolicies(this, 'Server', { name: `${name}-server`, namespace: ns, labels, podLabels, ingress: [...callers, { from: prometheus, ports: [metrics.port] }], egress });
      if (props.model.modelUri !== undefined && (props.egress ?? []).length === 0) {
        SynthWarnings.add(this, `model modelUri '${props.model.modelUri}' is given, but NetworkPolicy '${name}-server-allow' allows egress only to the DNS, so the server cannot download the model where the cluster enforces NetworkPolicies; add egress: [NetworkEndpoint.ipBlock('<store CIDR>', [443])] or NetworkEndpoint.pods({...}) for an in-cluster store`);
      }
    }
  }

  /** What a served model from a pipeline needs from the cluster and the server, which the manifests cannot ensure. */
  private warnOnHandOff(props: CanaryEndpointProps, kind: ModelServerKind): void {
    const model = props.model;
    if (model.readinessPath === undefined) {
      SynthWarnings.add(this, `model from MlPipeline '${model._source!.pipeline.node.id}' has no readinessPath: until the pipeline's first hand-off MLOPS_MODEL_URI is empty, and the TCP check makes pods without a model Ready; give readinessPath, a path your server answers 200 on only once it has loaded a model`);
    }
    if (kind === ModelServerKind.KSERVE) {
      SynthWarnings.add(this, "the handed-over model reaches the KServe predictor as MLOPS_MODEL_URI through the downward API (env valueFrom.fieldRef), which Knative Serving refuses unless its config-features set 'kubernetes.podspec-fieldref: enabled'; KServe's storage initializer is not used (STORAGE_URI is not set), so the server downloads MLOPS_MODEL_URI itself");
    }
    if ((props.networkPolicies ?? true) && (props.egress ?? []).length === 0) {
      SynthWarnings.add(this, `the model comes from MlPipeline '${model._source!.pipeline.node.id}', but NetworkPolicy '${this.name}-server-allow' allows egress only to the DNS, so the server cannot download the handed-over model where the cluster enforces NetworkPolicies; add egress: [NetworkEndpoint.ipBlock('<store CIDR>', [443])] or NetworkEndpoint.pods({...}) for an in-cluster store`);
    }
  }

  /** Without a traffic router Argo Rollouts splits by pod count: warn when that is far from the asked share. */
  private warnOnPodSplit(replicas: number): void {
    for (const step of this.rollout._steps().filter((s) => s.weight < 100)) {
      const share = podShare(replicas, step.weight);
      if (share.percent > step.weight * 1.5) {
        const needed = 100 / gcd(step.weight, 100);
        SynthWarnings.add(this, `replicas ${replicas}: without a traffic router Argo Rollouts splits traffic by pod count, so the ${step.weight} % step runs ${share.canaryPods} of ${replicas} pods and takes about ${share.percent} % of requests; ` +
          `use replicas: ${needed} (or a multiple) for an exact ${step.weight} % step`);
        return;
      }
    }
  }
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
