import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CANARY_HASH_ARG } from './queries';
import { EndpointRollout } from './rollout';

type Json = { [key: string]: any };

export interface ArgoRolloutProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: { [label: string]: string };
  readonly podLabels: { [label: string]: string };
  readonly replicas: number;
  readonly rollout: EndpointRollout;
  readonly podSpec: Json;
  readonly analysisTemplateName: string;
}

/** The Services every Argo endpoint has: the clients' one (all pods) and the two Argo Rollouts pins to a ReplicaSet. */
export function serviceNames(name: string): { clients: string; stable: string; canary: string } {
  return { clients: name, stable: `${name}-stable`, canary: `${name}-canary` };
}

/**
 * A Rollout whose canary strategy is the rollout's steps (setWeight, then a timed pause), with the
 * AnalysisTemplate running in the background from the first step until promotion. A failed analysis
 * aborts the update: Argo Rollouts scales the canary down and sends all traffic back to the stable
 * ReplicaSet. Without a traffic router the split is by pod count, through the clients' Service that
 * selects both ReplicaSets; canaryService and stableService each select one (Argo Rollouts adds the
 * pod-template hash to their selectors), for callers that need one version.
 */
export function argoRollout(scope: Construct, props: ArgoRolloutProps): ApiObject[] {
  const names = serviceNames(props.name);
  const service = (id: string, name: string) => new k8s.KubeService(scope, id, {
    metadata: { name, namespace: props.namespace, labels: { ...props.labels } },
    spec: {
      selector: { ...props.podLabels },
      ports: [{ name: 'http', port: 80, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
    },
  });
  const services = [service('Service', names.clients), service('StableService', names.stable), service('CanaryService', names.canary)];
  const steps = props.rollout._steps().flatMap((s) => [{ setWeight: s.weight }, { pause: { duration: `${s.pauseSeconds}s` } }]);
  const rollout = new ApiObject(scope, 'Rollout', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
    spec: {
      replicas: props.replicas,
      revisionHistoryLimit: 3,
      selector: { matchLabels: { ...props.podLabels } },
      template: { metadata: { labels: { ...props.labels, ...props.podLabels } }, spec: props.podSpec },
      strategy: {
        canary: {
          canaryService: names.canary,
          stableService: names.stable,
          analysis: {
            templates: [{ templateName: props.analysisTemplateName }],
            args: [{ name: CANARY_HASH_ARG, valueFrom: { podTemplateHashValue: 'Latest' } }],
          },
          steps,
        },
      },
    },
  });
  return [...services, rollout];
}

/**
 * The share of requests the canary really takes at `weight` with `replicas` pods and no traffic
 * router: Argo Rollouts runs about ceil(replicas × weight / 100) canary pods.
 */
export function podShare(replicas: number, weight: number): { canaryPods: number; percent: number } {
  const canaryPods = Math.min(replicas, Math.ceil((replicas * weight) / 100));
  return { canaryPods, percent: Math.round((100 * canaryPods) / replicas) };
}
