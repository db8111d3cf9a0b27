import { Chart, ChartProps, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { CanaryEndpoint, Engine, EndpointRollout, MlPipeline, ModelServer, NetworkEndpoint, ServedModel } from '../../constructs/k8s';
import { IRIS_API_SERVER, IRIS_IMAGE } from '../iris/k8s';
import { irisPipeline } from '../iris/pipeline';

/** The Iris model's serving image. A placeholder: push yours and pass it. */
export const IRIS_SERVING_IMAGE = 'registry.example.com/iris-serving:1';

export interface CanaryEndpointChartProps extends ChartProps {
  /** @default IRIS_SERVING_IMAGE */
  readonly image?: string;
  /** Where the model store is reached (the servers download the model from it). @default 10.0.0.0/16 on 443, a placeholder */
  readonly modelStore?: NetworkEndpoint;
  /**
   * The Iris pipeline on Kubernetes whose register step hands each new version to the 'iris'
   * endpoint (e.g. IrisArgoChart's). @default an Iris pipeline on Argo in this chart, writing to bucket 'mlops'
   */
  readonly pipeline?: MlPipeline;
}

/**
 * The Iris model behind two Kubernetes endpoints in namespace 'ml':
 * - 'iris' on Argo Rollouts, fed by the Iris pipeline: after its register step succeeds, the
 *   pipeline patches the Rollout's pod template with the new version (ServedModel.fromPipeline),
 *   through a Role that may get and patch only that Rollout. Every update is a canary of 10 % for 10 minutes, watched by a
 *   Prometheus analysis of the new pods (success rate >= 99 %, p99 <= 500 ms); a breach, or no
 *   data, aborts and sends all traffic back to the stable pods. 10 replicas make the 10 % exact.
 * - 'iris-kserve' on KServe: the new revision takes 10 % until it is promoted by hand.
 */
export class CanaryEndpointChart extends Chart {
  public readonly rollouts: CanaryEndpoint;
  public readonly kserve: CanaryEndpoint;
  /** The pipeline whose registered versions 'iris' serves. */
  public readonly pipeline: MlPipeline;

  constructor(scope: Construct, id: string, props: CanaryEndpointChartProps = {}) {
    super(scope, id, { namespace: 'ml', ...props });
    const image = props.image ?? IRIS_SERVING_IMAGE;
    const modelStore = props.modelStore ?? NetworkEndpoint.ipBlock('10.0.0.0/16', [443]);
    const rollbackOn = { p99LatencyMs: 500, errorRatePercent: 1 };
    this.pipeline = props.pipeline ?? new MlPipeline(this, 'IrisPipeline', {
      pipeline: irisPipeline(),
      engine: Engine.argo({ defaultImage: IRIS_IMAGE, artifactRepositoryBucket: 'mlops', artifactStore: modelStore }),
      apiServer: IRIS_API_SERVER,
    });
    this.rollouts = new CanaryEndpoint(this, 'Iris', {
      // The newest version the pipeline registers into 'iris-classifier', as MLOPS_MODEL_URI; the
      // server answers /ready only once it has loaded one.
      model: ServedModel.fromPipeline(this.pipeline, { image, readinessPath: '/ready' }),
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
