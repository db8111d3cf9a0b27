import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CanaryEndpoint, MlPipeline, ModelSource, Orchestrator, Rollout } from '../../constructs/aws';
import { gatedDeployPipeline } from './pipeline';

export interface GatedDeploySageMakerStackProps extends StackProps {
  /** E-mail addresses told about failed runs. @default none (subscribe to the AlertTopic output later) */
  readonly alarmEmails?: string[];
  /**
   * Deploy the endpoint too. It serves the newest approved package of 'iris-tuned', and a group
   * without one fails the deployment: deploy with `false` first (`-c tunedIrisEndpoint=false` with bin/app.ts),
   * run the pipeline until it registers a model, then deploy with the endpoint. @default true
   */
  readonly endpoint?: boolean;
}

/**
 * The tuned Iris pipeline on SageMaker: its tuning step is a SageMaker hyperparameter tuning job
 * (8 trials, 2 at a time), and the best trial's model is registered, approved, in 'iris-tuned'
 * only when its accuracy reaches minAccuracy. The endpoint serves the newest approved version of
 * that group; each later approval is rolled out as a canary of 10 % for 10 minutes, rolled back
 * on 5xx > 1 % or p99 > 500 ms.
 */
export class GatedDeploySageMakerStack extends Stack {
  public readonly pipeline: MlPipeline;
  public readonly endpoint?: CanaryEndpoint;

  constructor(scope: Construct, id: string, props: GatedDeploySageMakerStackProps = {}) {
    super(scope, id, { description: 'cdk-mlops example: tune an Iris classifier, deploy the best model when it is accurate enough', ...props });
    this.pipeline = new MlPipeline(this, 'TunedIris', {
      pipeline: gatedDeployPipeline(),
      orchestrator: Orchestrator.sageMaker(),
      alarmEmails: props.alarmEmails,
    });
    new CfnOutput(this, 'PipelineName', { value: this.pipeline.pipelineName, description: 'Start a run: aws sagemaker start-pipeline-execution --pipeline-name <this>' });
    if (props.endpoint ?? true) {
      this.endpoint = new CanaryEndpoint(this, 'TunedIrisEndpoint', {
        model: ModelSource.fromPipeline(this.pipeline),
        rollout: Rollout.canary({ percent: 10, bake: Duration.minutes(10), terminationWait: Duration.minutes(5), maximumExecutionTimeout: Duration.hours(1) }),
        rollbackOn: { p99LatencyMs: 500, errorRatePercent: 1 },
      });
      new CfnOutput(this, 'EndpointName', { value: this.endpoint.endpointName, description: 'Serves the newest approved iris-tuned model package' });
    }
    new CfnOutput(this, 'AlertTopic', { value: this.pipeline.alarmTopic.topicArn, description: 'Subscribe to hear about failed runs' });
  }
}
