import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CanaryEndpoint, ModelSource, Rollout } from '../../constructs/aws';

export interface CanaryEndpointStackProps extends StackProps {
  /** The Iris model's inference image (ECR). @default an ECR image in this account, 'iris-serving:latest' */
  readonly image?: string;
  /** The Iris model artifact. @default 's3://iris-models-<account>/iris/model.tar.gz' */
  readonly modelData?: string;
  /** The model package group the Iris pipeline registers in. @default 'iris-classifier' */
  readonly modelPackageGroup?: string;
}

/**
 * The Iris model behind two endpoints:
 * - 'Iris': from an artifact, 90/10 A/B split between two variants; every update is a canary of
 *   10 % of the new fleet for 10 minutes, then the rest, rolled back on 5xx > 1 % or p99 > 500 ms;
 * - 'IrisRegistry': the newest approved package of the registry group, rolled out linearly in
 *   steps of 25 % on every later approval.
 */
export class CanaryEndpointStack extends Stack {
  public readonly artifactEndpoint: CanaryEndpoint;
  public readonly registryEndpoint: CanaryEndpoint;

  constructor(scope: Construct, id: string, props: CanaryEndpointStackProps = {}) {
    super(scope, id, { description: 'cdk-mlops example: the Iris model behind guarded canary endpoints', ...props });
    const image = props.image ?? `${this.account}.dkr.ecr.${this.region}.amazonaws.com/iris-serving:latest`;
    const iris = ModelSource.fromArtifact(image, props.modelData ?? `s3://iris-models-${this.account}/iris/model.tar.gz`);
    this.artifactEndpoint = new CanaryEndpoint(this, 'Iris', {
      model: iris,
      variants: [
        { name: 'champion', weight: 90, instanceType: 'ml.m5.large', autoScaling: { minCapacity: 1, maxCapacity: 4, invocationsPerInstance: 200 } },
        { name: 'challenger', weight: 10, instanceType: 'ml.m5.large' },
      ],
      rollout: Rollout.canary({ percent: 10, bake: Duration.minutes(10), terminationWait: Duration.minutes(5), maximumExecutionTimeout: Duration.hours(1) }),
      rollbackOn: { p99LatencyMs: 500, errorRatePercent: 1 },
    });
    this.registryEndpoint = new CanaryEndpoint(this, 'IrisRegistry', {
      model: ModelSource.fromRegistry(props.modelPackageGroup ?? 'iris-classifier', { approvedOnly: true }),
      rollout: Rollout.linear({ stepPercent: 25, interval: Duration.minutes(5) }),
      rollbackOn: { p99LatencyMs: 500, errorRatePercent: 1 },
    });
    new CfnOutput(this, 'EndpointName', { value: this.artifactEndpoint.endpointName, description: 'Invoke: aws sagemaker-runtime invoke-endpoint --endpoint-name <this>' });
    new CfnOutput(this, 'RegistryEndpointName', { value: this.registryEndpoint.endpointName, description: 'Serves the newest approved iris-classifier package' });
  }
}
