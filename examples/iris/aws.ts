import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { MlPipeline, Orchestrator } from '../../constructs/aws';
import { Schedule } from '../../lib';
import { irisPipeline } from './pipeline';

export interface IrisSageMakerStackProps extends StackProps {
  /** E-mail addresses told about failed runs. @default none (subscribe to the AlertTopic output later) */
  readonly alarmEmails?: string[];
}

/**
 * The Iris pipeline on SageMaker Pipelines: runs every day at 03:00 UTC, reports failed runs to
 * an SNS topic, and registers accurate models in the 'iris-classifier' model package group.
 */
export class IrisSageMakerStack extends Stack {
  public readonly pipeline: MlPipeline;

  constructor(scope: Construct, id: string, props: IrisSageMakerStackProps = {}) {
    super(scope, id, { description: 'cdk-mlops example: the Iris training pipeline on SageMaker Pipelines', ...props });
    this.pipeline = new MlPipeline(this, 'Iris', {
      pipeline: irisPipeline(),
      orchestrator: Orchestrator.sageMaker(),
      schedule: Schedule.cron('0 3 * * *'),
      alarmEmails: props.alarmEmails,
    });
    new CfnOutput(this, 'PipelineName', { value: this.pipeline.pipelineName, description: 'Start a run: aws sagemaker start-pipeline-execution --pipeline-name <this>' });
    new CfnOutput(this, 'ArtifactBucket', { value: this.pipeline.bucket.bucketName, description: `Step outputs and models, under ${this.pipeline.bucketPrefix}/` });
    new CfnOutput(this, 'AlertTopic', { value: this.pipeline.alarmTopic.topicArn, description: 'Subscribe to hear about failed runs' });
  }
}
