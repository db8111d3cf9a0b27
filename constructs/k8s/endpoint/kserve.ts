import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { EndpointRollout, EndpointTrafficShift } from './rollout';

type Json = { [key: string]: any };

export interface InferenceServiceProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: { [label: string]: string };
  readonly podLabels: { [label: string]: string };
  readonly replicas: number;
  readonly rollout: EndpointRollout;
  readonly podSpec: Json;
}

/**
 * A KServe InferenceService in Serverless mode (canaryTrafficPercent needs Knative revisions; the
 * RawDeployment mode has no canary), the pod spec inline in the predictor, a fixed replica count.
 * A canary rollout sends `percent` of traffic to the newest revision and the rest to the last ready
 * one, and stays there: KServe has no bake or automatic promotion.
 */
export function inferenceService(scope: Construct, props: InferenceServiceProps): ApiObject {
  const canary = props.rollout.shift === EndpointTrafficShift.CANARY ? { canaryTrafficPercent: props.rollout.percent } : {};
  return new ApiObject(scope, 'InferenceService', {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: {
      name: props.name,
      namespace: props.namespace,
      labels: { ...props.labels },
      annotations: { 'serving.kserve.io/deploymentMode': 'Serverless' },
    },
    spec: {
      predictor: {
        minReplicas: props.replicas,
        maxReplicas: props.replicas,
        ...canary,
        labels: { ...props.labels, ...props.podLabels },
        ...props.podSpec,
      },
    },
  });
}
