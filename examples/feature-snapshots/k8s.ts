import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { ArgoWorkflows, ArtifactRepository, Engine, MlPipeline } from '../../constructs/k8s';
import { Schedule } from '../../lib';
import { IRIS_API_SERVER, IRIS_IMAGE } from '../iris/k8s';
import { featurePipeline, trainingPipeline } from './pipelines';

export interface FeatureSnapshotsChartProps extends ChartProps {
  /** The Argo Workflows install in 'ml' to use (one per namespace). @default a new one, as in the Iris chart */
  readonly controller?: ArgoWorkflows;
}

/**
 * Both pipelines on Argo Workflows in 'ml', with the store in the artifact repository's bucket
 * (an in-cluster MinIO, bucket 'mlops'): Argo downloads a table's folder with the repository's
 * credentials. The commit step writes with boto3, so its image needs boto3 and S3 credentials.
 */
export class FeatureSnapshotsChart extends Chart {
  public readonly features: MlPipeline;
  public readonly training: MlPipeline;

  constructor(scope: Construct, id: string, props: FeatureSnapshotsChartProps = {}) {
    super(scope, id, { namespace: 'ml', ...props });
    const controller = props.controller ?? new ArgoWorkflows(this, 'Argo', {
      artifactRepository: ArtifactRepository.s3({
        bucket: 'mlops',
        endpoint: 'minio.minio.svc.cluster.local:9000',
        insecure: true,
        accessKeySecret: { name: 'minio-credentials', key: 'accesskey' },
        secretKeySecret: { name: 'minio-credentials', key: 'secretkey' },
      }),
      apiServer: IRIS_API_SERVER,
    });
    const store = 's3://mlops/feature-snapshots/';
    const engine = Engine.argo({ controller, defaultImage: IRIS_IMAGE });
    this.features = new MlPipeline(this, 'Features', { pipeline: featurePipeline({ store }), engine, schedule: Schedule.cron('0 * * * *'), apiServer: IRIS_API_SERVER });
    this.training = new MlPipeline(this, 'Training', { pipeline: trainingPipeline({ store }), engine, schedule: Schedule.cron('0 4 * * 1'), apiServer: IRIS_API_SERVER });
  }
}
