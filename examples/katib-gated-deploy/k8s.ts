import { Chart, ChartProps, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  ArgoWorkflows, ArtifactRepository, CanaryEndpoint, Engine, EndpointRollout, MlflowArtifactStore, MlflowBackendStore, MlflowServer, MlPipeline,
  ModelServer, NetworkEndpoint, ServedModel,
} from '../../constructs/k8s';
import { IRIS_API_SERVER, IRIS_IMAGE } from '../iris/k8s';
import { gatedDeployPipeline } from './pipeline';

/**
 * The serving image of the tuned model: a placeholder. It must download MLOPS_MODEL_URI (the
 * registered model directory the pipeline hands over) and answer /ready only once it has loaded it.
 */
export const TUNED_IRIS_SERVING_IMAGE = 'registry.example.com/iris-serving:1';

/** Where the model store is reached from the serving pods (a placeholder: your store's CIDR and port). */
export const TUNED_IRIS_MODEL_STORE = NetworkEndpoint.ipBlock('10.0.0.0/16', [443, 9000]);

export interface GatedDeployChartProps extends ChartProps {
  /** @default IRIS_API_SERVER (kind's Docker network) */
  readonly apiServer?: NetworkEndpoint;
}

export interface GatedDeployKubeflowChartProps extends GatedDeployChartProps {
  /** @default TUNED_IRIS_SERVING_IMAGE */
  readonly servingImage?: string;
  /** @default TUNED_IRIS_MODEL_STORE */
  readonly modelStore?: NetworkEndpoint;
}

export interface GatedDeployArgoChartProps extends GatedDeployChartProps {
  /**
   * The Argo Workflows install in namespace 'ml' to run on: one install per namespace, so an app
   * that already has one (bin/k8s.ts: IrisArgoChart's) passes it. @default a namespaced install in
   * this chart, its artifact repository an in-cluster MinIO
   */
  readonly controller?: ArgoWorkflows;
}

/** The MLflow server the trials log to (each chart has its own, in the pipeline's namespace). */
function trackingServer(chart: Chart): MlflowServer {
  return new MlflowServer(chart, 'Mlflow', {
    // The database password comes from the Secret 'mlflow-db' (key 'password'), created outside this chart.
    backendStore: MlflowBackendStore.postgres({ password: { name: 'mlflow-db', key: 'password' } }),
    artifactStore: MlflowArtifactStore.persistentVolume(),
  });
}

/**
 * The tuned Iris pipeline on Kubeflow Pipelines (>= 2.x, Kubernetes-native API mode) in namespace
 * 'kubeflow': the tuning step is a Katib Experiment (Katib must be installed), each trial logs to
 * the MLflow server of this chart, and a model that passes the gate is handed to the KServe
 * endpoint 'iris-tuned': after the register step succeeds, the pipeline patches the
 * InferenceService with the new version's URI (ServedModel.fromPipeline), which starts a canary
 * revision with 10 % of the traffic until it is promoted.
 */
export class GatedDeployKubeflowChart extends Chart {
  public readonly tracking: MlflowServer;
  public readonly pipeline: MlPipeline;
  public readonly endpoint: CanaryEndpoint;

  constructor(scope: Construct, id: string, props: GatedDeployKubeflowChartProps = {}) {
    super(scope, id, { namespace: 'kubeflow', ...props });
    this.tracking = trackingServer(this);
    this.pipeline = new MlPipeline(this, 'TunedIris', {
      pipeline: gatedDeployPipeline(),
      engine: Engine.kubeflow({ defaultImage: IRIS_IMAGE }),
      tracking: this.tracking,
      apiServer: props.apiServer ?? IRIS_API_SERVER,
    });
    this.endpoint = new CanaryEndpoint(this, 'TunedIrisEndpoint', {
      name: 'iris-tuned',
      model: ServedModel.fromPipeline(this.pipeline, { image: props.servingImage ?? TUNED_IRIS_SERVING_IMAGE, readinessPath: '/ready' }),
      rollout: EndpointRollout.canary({ percent: 10, bake: Duration.minutes(10) }),
      rollbackOn: { p99LatencyMs: 500, errorRatePercent: 1 },
      server: ModelServer.kserve(),
      replicas: 2,
      egress: [props.modelStore ?? TUNED_IRIS_MODEL_STORE],
    });
  }
}

/**
 * The same pipeline on Argo Workflows in namespace 'ml', on the given Argo Workflows install or a
 * namespaced one of its own whose artifact repository is an in-cluster MinIO (credentials from
 * the Secret 'minio-credentials', created outside this chart); the tuning step is a Katib Experiment and
 * the trials log to this chart's MLflow server. The registered model stays in the artifact
 * repository (GatedDeployKubeflowChart shows the hand-off to an endpoint).
 */
export class GatedDeployArgoChart extends Chart {
  public readonly controller: ArgoWorkflows;
  public readonly tracking: MlflowServer;
  public readonly pipeline: MlPipeline;

  constructor(scope: Construct, id: string, props: GatedDeployArgoChartProps = {}) {
    super(scope, id, { namespace: 'ml', ...props });
    const apiServer = props.apiServer ?? IRIS_API_SERVER;
    this.controller = props.controller ?? new ArgoWorkflows(this, 'Argo', {
      artifactRepository: ArtifactRepository.s3({
        bucket: 'mlops',
        endpoint: 'minio.minio.svc.cluster.local:9000',
        insecure: true,
        accessKeySecret: { name: 'minio-credentials', key: 'accesskey' },
        secretKeySecret: { name: 'minio-credentials', key: 'secretkey' },
      }),
      apiServer,
    });
    this.tracking = trackingServer(this);
    this.pipeline = new MlPipeline(this, 'TunedIris', {
      pipeline: gatedDeployPipeline(),
      engine: Engine.argo({ controller: this.controller, defaultImage: IRIS_IMAGE }),
      tracking: this.tracking,
      apiServer,
    });
  }
}
