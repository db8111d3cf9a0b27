import { Annotations, ArnFormat, Duration, IResource, Lazy, Names, Resource, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { PipelineValidationError } from '../../../lib/pipeline/errors';
import { endpointDashboard, errorRateMetric, rollbackAlarms, variantMetric } from './alarms';
import { endpointRole } from './execution-role';
import { ModelSource, ModelSourceKind } from './model-source';
import { acknowledgeEndpointFindings } from './nag';
import { CanaryEndpointProps, VariantProps } from './props';
import { ApprovalRollout, LatestModelPackage } from './registry';
import { Rollout } from './rollout';
import { endpointProblems, variantsOf } from './validate';

/** Options of a variant's metric: which variant (the first one by default). */
export interface VariantMetricOptions extends cloudwatch.MetricOptions {
  /** The variant. @default - the endpoint's first variant ('AllTraffic' for an imported endpoint) */
  readonly variantName?: string;
}

/** A SageMaker endpoint: invoke it, watch it. */
export interface ICanaryEndpoint extends IResource {
  /** @attribute */
  readonly endpointName: string;
  /** @attribute */
  readonly endpointArn: string;
  /** Allows `grantee` sagemaker:InvokeEndpoint on this endpoint only. */
  grantInvoke(grantee: iam.IGrantable): iam.Grant;
  /** A metric of one variant in AWS/SageMaker (Sum over 1 minute unless given). */
  metric(metricName: string, props?: VariantMetricOptions): cloudwatch.Metric;
  /** Invocations of a variant (Sum). */
  metricInvocations(props?: VariantMetricOptions): cloudwatch.Metric;
  /** ModelLatency of a variant in microseconds (p99 unless given). */
  metricModelLatency(props?: VariantMetricOptions): cloudwatch.Metric;
  /** 5xx responses of a variant (Sum). */
  metricServerErrors(props?: VariantMetricOptions): cloudwatch.Metric;
  /** Percent of a variant's invocations that answered 5xx. */
  metricErrorRate(props?: VariantMetricOptions): cloudwatch.IMetric;
}

abstract class CanaryEndpointBase extends Resource implements ICanaryEndpoint {
  public abstract readonly endpointName: string;
  public abstract readonly endpointArn: string;
  protected abstract readonly defaultVariant: string;

  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:InvokeEndpoint'], resourceArns: [this.endpointArn] });
  }

  public metric(metricName: string, props: VariantMetricOptions = {}): cloudwatch.Metric {
    const { variantName, ...rest } = props;
    return variantMetric(this.endpointName, variantName ?? this.defaultVariant, metricName, rest);
  }

  public metricInvocations(props: VariantMetricOptions = {}): cloudwatch.Metric {
    return this.metric('Invocations', props);
  }

  public metricModelLatency(props: VariantMetricOptions = {}): cloudwatch.Metric {
    return this.metric('ModelLatency', { statistic: 'p99', ...props });
  }

  public metricServerErrors(props: VariantMetricOptions = {}): cloudwatch.Metric {
    return this.metric('Invocation5XXErrors', props);
  }

  public metricErrorRate(props: VariantMetricOptions = {}): cloudwatch.IMetric {
    return errorRateMetric(this.endpointName, props.variantName ?? this.defaultVariant, props.period);
  }
}

/**
 * A SageMaker real-time endpoint whose updates are guarded blue/green rollouts (canary, linear or
 * all at once) that SageMaker rolls back when an alarm fires: the variants' error rate and p99
 * latency alarms it creates, plus any given.
 */
export class CanaryEndpoint extends CanaryEndpointBase {
  /** An endpoint made elsewhere, by name. */
  public static fromEndpointName(scope: Construct, id: string, endpointName: string): ICanaryEndpoint {
    class Imported extends CanaryEndpointBase {
      public readonly endpointName = endpointName;
      public readonly endpointArn = Stack.of(scope).formatArn({ service: 'sagemaker', resource: 'endpoint', resourceName: endpointName.toLowerCase() });
      protected readonly defaultVariant = 'AllTraffic';
    }
    return new Imported(scope, id);
  }

  public readonly endpointName: string;
  public readonly endpointArn: string;
  /** The role SageMaker hosts the models with. */
  public readonly role: iam.IRole;
  /**
   * The key of the variants' volumes, captured data and the construct's Lambda log groups (SageMaker
   * takes no volume key for serverless variants, so there it encrypts only the logs and captures).
   */
  public readonly encryptionKey: kms.IKey;
  /** The alarms that roll an update back (the construct's and the given ones). */
  public readonly rollbackAlarms: cloudwatch.IAlarm[];
  /** The rollout every update runs. */
  public readonly rollout: Rollout;
  /** The dashboard, unless `dashboard: false`. */
  public readonly dashboard?: cloudwatch.Dashboard;
  /** The approval rules (one per registry model), which roll newly approved packages out. */
  public readonly approvalRules: events.IRule[] = [];
  protected readonly defaultVariant: string;
  private readonly endpoint: sagemaker.CfnEndpoint;
  private readonly functions: lambda.Function[] = [];
  private readonly latestPackages: LatestModelPackage[] = [];

  constructor(scope: Construct, id: string, props: CanaryEndpointProps) {
    // The alarms name the endpoint and the endpoint names the alarms, so the name is chosen here
    // (a generated name would be a cycle).
    super(scope, id, { physicalName: props.endpointName });
    const problems = endpointProblems(props);
    if (problems.length > 0) {
      throw new PipelineValidationError(`CanaryEndpoint '${this.node.path}'`, problems);
    }
    const stack = Stack.of(this);
    const variants = variantsOf(props);
    const serverless = variants.some((v) => v.serverless);
    this.defaultVariant = variants[0].name;
    this.rollout = props.rollout ?? Rollout._default();
    this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'Key', { enableKeyRotation: true, description: `Volumes, captured data and logs of endpoint ${this.node.path}` });
    this.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) } },
    }));
    const role = endpointRole(this, this.encryptionKey, props.dataCapture);
    this.role = role;

    const models = new Map<ModelSource, sagemaker.CfnModel>();
    const modelOf = (v: VariantProps): sagemaker.CfnModel => {
      const source = v.model ?? props.model;
      let model = models.get(source);
      if (!model) {
        model = this.renderModel(`Model${models.size || ''}`, source, role);
        models.set(source, model);
      }
      return model;
    };
    const config = new sagemaker.CfnEndpointConfig(this, 'Config', {
      productionVariants: variants.map((v) => ({
        variantName: v.name,
        modelName: modelOf(v).attrModelName,
        initialVariantWeight: v.weight ?? 1,
        ...(v.serverless
          ? { serverlessConfig: { memorySizeInMb: v.serverless.memorySizeMb ?? 2048, maxConcurrency: v.serverless.maxConcurrency ?? 5 } }
          : { instanceType: v.instanceType ?? 'ml.m5.large', initialInstanceCount: v.instanceCount ?? v.autoScaling?.minCapacity ?? 1 }),
      })),
      kmsKeyId: serverless ? undefined : this.encryptionKey.keyArn,
      dataCaptureConfig: props.dataCapture && {
        enableCapture: true,
        initialSamplingPercentage: props.dataCapture.samplingPercent ?? 100,
        destinationS3Uri: props.dataCapture.bucket.s3UrlForObject(props.dataCapture.prefix ?? 'data-capture'),
        kmsKeyId: this.encryptionKey.keyArn,
        captureOptions: [{ captureMode: 'Input' }, { captureMode: 'Output' }],
      },
    });

    this.endpoint = new sagemaker.CfnEndpoint(this, 'Resource', {
      endpointName: props.endpointName ?? Names.uniqueResourceName(this, { maxLength: 63, separator: '-' }),
      endpointConfigName: config.attrEndpointConfigName,
      deploymentConfig: Lazy.any({ produce: () => this.renderDeploymentConfig(serverless, false) }),
    });
    this.endpointName = this.endpoint.endpointName!;
    this.endpointArn = this.endpoint.ref;
    this.latestPackages.forEach((latest) => latest.resolveAgainWhenChanged(config, this.endpoint, ...models.values()));

    const thresholds = props.rollbackOn ?? {};
    const own = variants.flatMap((v) => rollbackAlarms(this, this.endpointName, v.name, thresholds.p99LatencyMs, thresholds.errorRatePercent ?? 1));
    this.rollbackAlarms = [...own, ...(thresholds.alarms ?? [])];
    if (serverless) {
      Annotations.of(this).addWarningV2('cdk-mlops:endpoint-serverless-rollout', 'serverless variants: SageMaker deployment guardrails do not apply, so updates ' +
        'replace the endpoint config without traffic shifting or automatic rollback; the alarms still watch the endpoint');
    }

    variants.forEach((v) => this.scale(v));
    if (props.dashboard ?? true) {
      this.dashboard = endpointDashboard(this, this.endpointName, variants.map((v) => v.name), this.rollbackAlarms);
    }
    for (const [source, model] of models) {
      if (source.kind === ModelSourceKind.REGISTRY) {
        const rollout = new ApprovalRollout(this, `ApprovalRollout${this.approvalRules.length || ''}`, {
          group: source.group!,
          approvedOnly: source.approvedOnly!,
          endpointName: this.endpointName,
          endpointArn: this.endpointArn,
          executionRole: role,
          key: this.encryptionKey,
          deploymentConfig: Lazy.any({ produce: () => this.renderDeploymentConfig(serverless, true) }),
        });
        this.encryptionKey.grant(rollout.function, 'kms:CreateGrant', 'kms:DescribeKey');
        rollout.node.addDependency(model);
        this.approvalRules.push(rollout.rule);
        this.functions.push(rollout.function);
      }
    }
    acknowledgeEndpointFindings(this, this.rollbackAlarms, this.functions);
  }

  private renderModel(id: string, source: ModelSource, role: iam.Role): sagemaker.CfnModel {
    const partition = Stack.of(this).partition;
    source._grantRead(role, partition);
    let container: sagemaker.CfnModel.ContainerDefinitionProperty;
    if (source.kind === ModelSourceKind.REGISTRY) {
      const latest = new LatestModelPackage(this, `${id}Package`, source.group!, source.approvedOnly!, this.encryptionKey);
      this.functions.push(latest.function);
      this.latestPackages.push(latest);
      container = { modelPackageName: latest.modelPackageArn, environment: source.environment };
    } else {
      container = { image: source.image, modelDataUrl: source.modelData, environment: source.environment };
    }
    const model = new sagemaker.CfnModel(this, id, { executionRoleArn: role.roleArn, primaryContainer: container });
    model.node.addDependency(role);
    return model;
  }

  /** The DeploymentConfig, in CloudFormation's spelling or (forApi) UpdateEndpoint's. */
  private renderDeploymentConfig(serverless: boolean, forApi: boolean): any {
    if (serverless) {
      return undefined;
    }
    const config = {
      blueGreenUpdatePolicy: this.rollout._renderBlueGreen(),
      autoRollbackConfiguration: { alarms: this.rollbackAlarms.map((a) => ({ alarmName: a.alarmName })) },
    };
    return forApi ? pascal(config) : config;
  }

  private scale(v: VariantProps): void {
    if (!v.autoScaling) {
      return;
    }
    const target = new autoscaling.ScalableTarget(this, `${v.name}Scaling`, {
      serviceNamespace: autoscaling.ServiceNamespace.SAGEMAKER,
      resourceId: `endpoint/${this.endpointName}/variant/${v.name}`,
      scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      minCapacity: v.autoScaling.minCapacity,
      maxCapacity: v.autoScaling.maxCapacity,
    });
    target.scaleToTrackMetric('InvocationsPerInstance', {
      predefinedMetric: autoscaling.PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE,
      targetValue: v.autoScaling.invocationsPerInstance,
      scaleInCooldown: Duration.minutes(5),
      scaleOutCooldown: Duration.minutes(1),
    });
  }
}

function pascal(value: any): any {
  if (Array.isArray(value)) {
    return value.map(pascal);
  }
  if (value && typeof value === 'object' && value.constructor === Object) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k[0].toUpperCase() + k.slice(1), pascal(v)]));
  }
  return value;
}


