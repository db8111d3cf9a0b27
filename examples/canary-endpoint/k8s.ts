import { Chart, ChartProps, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { CanaryEndpoint, EndpointRollout, ModelServer, NetworkEndpoint, ServedModel } from '../../constructs/k8s';

/** The Iris model's serving image. A placeholder: push yours and pass it. */
export const IRIS_SERVING_IMAGE = 'registry.example.com/iris-serving:1';

export interface CanaryEndpointChartProps extends ChartProps {
  /** @default IRIS_SERVING_IMAGE */
  readonly image?: string;
  /** Where the model store is reached (the servers download the model from it). @default 10.0.0.0/16 on 443, a placeholder */
  readonly modelStore?: NetworkEndpoint;
}

/**
 * The Iris model behind two Kubernetes endpoints in namespace 'ml':
 * - 'iris' on Argo Rollouts: every update is a canary of 10 % for 10 minutes, watched by a
 *   Prometheus analysis of the new pods (success rate >= 99 %, p99 <= 500 ms); a breach, or no
 *   data, aborts and sends all traffic back to the stable pods. 10 replicas make the 10 % exact.
 * - 'iris-kserve' on KServe: the new revision takes 10 % until it is promoted by hand.
 */
export class CanaryEndpointChart extends Chart {
  public readonly rollouts: CanaryEndpoint;
  public readonly kserve: CanaryEndpoint;

  constructor(scope: Construct, id: string, props: CanaryEndpointChartProps = {}) {
    super(scope, id, { namespace: 'ml', ...props });
    const image = props.image ?? IRIS_SERVING_IMAGE;
    const modelStore = props.modelStore ?? NetworkEndpoint.ipBlock('10.0.0.0/16', [443]);
    const rollbackOn = { p99LatencyMs: 500, errorRatePercent: 1 };
    this.rollouts = new CanaryEndpoint(this, 'Iris', {
      model: ServedModel.fromImage(image, { modelUri: 's3://iris-models/iris/model.tar.gz' }),
      rollout: EndpointRollout.canary({ percent: 10, bake: Duration.minutes(10) }),
      rollbackOn,
      server: ModelServer.argoRollouts({ prometheusAddress: 'http://prometheus-operated.monitoring.svc:9090' }),
      replicas: 10,
      egress: [modelStore],
    });
    this.kserve = new CanaryEndpoint(this, 'IrisKServe', {
      name: 'iris-kserve',
      model: ServedModel.fromImage(image, { modelUri: 's3://iris-models/iris/model.tar.gz' }),
      rollout: EndpointRollout.canary({ percent: 10, bake: Duration.minutes(10) }),
      rollbackOn,
      server: ModelServer.kserve(),
      replicas: 2,
      egress: [modelStore],
    });
  }
}
