import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AirflowEnvironment, AirflowVersion, MlPipeline, Orchestrator } from '../../constructs/aws';
import { Schedule } from '../../lib';
import { airflowIrisPipeline } from './pipeline';

/** The first data interval the DAG runs: with catchup, MWAA backfills every day since then. */
export const START_DATE = new Date('2026-11-01T00:00:00Z');

/**
 * The Airflow Iris pipeline on Amazon MWAA: an Airflow 2.10 environment, and the pipeline as a
 * daily DAG in it (catchup from START_DATE, one run per day). Each step runs as a SageMaker job
 * (processing for extract and clean, training for train), data under the artifact bucket.
 */
export class AirflowIrisStack extends Stack {
  public readonly airflow: AirflowEnvironment;
  public readonly pipeline: MlPipeline;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, { description: 'cdk-mlops example: the Airflow Iris pipeline as a DAG on Amazon MWAA', ...props });
    this.airflow = new AirflowEnvironment(this, 'Airflow', { airflowVersion: AirflowVersion.V2_10_3 });
    this.pipeline = new MlPipeline(this, 'Iris', {
      pipeline: airflowIrisPipeline(),
      orchestrator: Orchestrator.airflow(this.airflow),
      schedule: Schedule.daily(),
      catchup: true,
      startDate: START_DATE,
    });
    new CfnOutput(this, 'DagId', { value: this.pipeline.pipelineName, description: 'The DAG in the Airflow UI; backfill: airflow dags backfill -s <from> -e <to> <this>' });
    new CfnOutput(this, 'AirflowUi', { value: this.airflow.webServerUrl, description: 'The Airflow UI (private: reach it from the VPC)' });
    new CfnOutput(this, 'ArtifactBucket', { value: this.pipeline.bucket.bucketName, description: `Run data, one folder per day: ${this.pipeline.bucketPrefix}/runs/<run id>/` });
  }
}
