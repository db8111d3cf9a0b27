import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { ArgoWorkflows, ArtifactRepository, Engine, MlPipeline, NetworkEndpoint } from '../../constructs/k8s';
import { Schedule } from '../../lib';
import { irisPipeline } from './pipeline';

/**
 * The image Iris steps run in on Kubernetes: Jupyter's scipy-notebook has python3, pandas,
 * scikit-learn (with joblib) and numpy (examples/requirements.txt), runs as the numeric non-root
 * user 1000, and is pinned by date tag. Any image with those packages and a numeric user works.
 */
export const IRIS_IMAGE = 'quay.io/jupyter/scipy-notebook:2024-12-02';

/**
 * Where the example's pods reach the Kubernetes API server: kind's Docker network, where kind puts
 * its control plane. Give your cluster's API server addresses
 * (`kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes`).
 */
export const IRIS_API_SERVER = NetworkEndpoint.apiServer('172.18.0.0/16');

export interface IrisChartProps extends ChartProps {
  /** @default IRIS_API_SERVER */
  readonly apiServer?: NetworkEndpoint;
}

export interface IrisArgoChartProps extends IrisChartProps {
  /** S3-compatible store for artifacts and registered models. @default an in-cluster MinIO at minio.minio.svc.cluster.local:9000, bucket 'mlops' */
  readonly artifactRepository?: ArtifactRepository;
}

/**
 * Iris on Argo Workflows, with the controller: a namespaced Argo Workflows install in 'ml', its
 * artifact repository in an in-cluster MinIO (credentials from the Secret 'minio-credentials',
 * created outside this chart), and the pipeline scheduled daily at 03:00 UTC.
 */
export class IrisArgoChart extends Chart {
  public readonly controller: ArgoWorkflows;
  public readonly pipeline: MlPipeline;

  constructor(scope: Construct, id: string, props: IrisArgoChartProps = {}) {
    super(scope, id, { namespace: 'ml', ...props });
    this.controller = new ArgoWorkflows(this, 'Argo', {
      artifactRepository: props.artifactRepository ?? ArtifactRepository.s3({
        bucket: 'mlops',
        endpoint: 'minio.minio.svc.cluster.local:9000',
        insecure: true,
        accessKeySecret: { name: 'minio-credentials', key: 'accesskey' },
        secretKeySecret: { name: 'minio-credentials', key: 'secretkey' },
      }),
      apiServer: props.apiServer ?? IRIS_API_SERVER,
    });
    this.pipeline = new MlPipeline(this, 'Iris', {
      pipeline: irisPipeline(),
      engine: Engine.argo({ controller: this.controller, defaultImage: IRIS_IMAGE }),
      schedule: Schedule.cron('0 3 * * *'),
      apiServer: props.apiServer ?? IRIS_API_SERVER,
    });
  }
}

/**
 * Iris on Kubeflow Pipelines (>= 2.x, Kubernetes-native API mode, which is not installed here):
 * the Pipeline and PipelineVersion in KFP's namespace 'kubeflow' (standalone mode; a profile
 * namespace in multi-user mode), and a daily recurring run at 03:00 UTC.
 */
export class IrisKubeflowChart extends Chart {
  public readonly pipeline: MlPipeline;

  constructor(scope: Construct, id: string, props: IrisChartProps = {}) {
    super(scope, id, { namespace: 'kubeflow', ...props });
    this.pipeline = new MlPipeline(this, 'Iris', {
      pipeline: irisPipeline(),
      engine: Engine.kubeflow({ defaultImage: IRIS_IMAGE }),
      schedule: Schedule.cron('0 3 * * *'),
      apiServer: props.apiServer ?? IRIS_API_SERVER,
    });
  }
}
