import { Annotations, CfnResource, Names, Resource, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as mwaa from 'aws-cdk-lib/aws-mwaa';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PipelineValidationError, show } from '../../../lib/pipeline/errors';
import { executionRole } from './execution-role';
import { MWAA_LIMITS } from './limits';
import { AirflowMetricFunction, AirflowMetricOptions, environmentMetric } from './metrics';
import { acknowledgeAirflowFindings } from './nag';
import { defaultVpc, environmentSecurityGroup, environmentSubnets, privateSubnetSummary } from './network';
import { AirflowEnvironmentProps, AirflowLogging, AirflowLogLevel, WebServerAccess } from './props';
import { AirflowSageMakerAccess, sageMakerStatements } from './sagemaker-access';
import { dagBucket, environmentKey } from './storage';
import { customResourceFunction, PinnedObject, uploadPlugins, uploadRequirements } from './uploads';
import { airflowProblems, classOf, scalingOf } from './validate';

/**
 * An Amazon MWAA environment (AWS::MWAA::Environment): Apache Airflow with its DAG bucket
 * (versioned, KMS-encrypted, SSL only, access-logged, retained), a least-privilege execution role,
 * two private subnets with a self-referencing security group, every component's logs in
 * CloudWatch, and requirements.txt / plugins.zip uploaded and pinned by S3 object version.
 */
export class AirflowEnvironment extends Resource {
  /** The environment's name. */
  public readonly environmentName: string;
  /** The environment's ARN. */
  public readonly environmentArn: string;
  /** The bucket MWAA reads DAGs, requirements.txt and plugins.zip from. */
  public readonly dagBucket: s3.IBucket;
  /** The key prefix of the DAG folder in `dagBucket` (with its trailing '/'): put DAG files under it. */
  public readonly dagsPrefix: string = 'dags/';
  /** The role Airflow's schedulers and workers run as: grant it what the DAGs use. */
  public readonly executionRole: iam.IRole;
  /** The key of the DAG bucket, the environment's data and its logs. */
  public readonly encryptionKey: kms.IKey;
  /** The VPC the environment runs in. */
  public readonly vpc: ec2.IVpc;
  /** The environment's security group (self-referencing). */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The Airflow UI's host name (WebserverUrl), known at deploy time. */
  public readonly webServerUrl: string;
  /** The underlying CloudFormation resource. */
  public readonly cfnEnvironment: mwaa.CfnEnvironment;

  constructor(scope: Construct, id: string, props: AirflowEnvironmentProps) {
    super(scope, id);
    const problems = airflowProblems(props);
    const subnets = props.vpc ? environmentSubnets(props.vpc) : [];
    if (props.vpc && subnets.length < 2) {
      const { subnets: count, zones } = privateSubnetSummary(props.vpc);
      problems.push(`vpc has ${count} private subnet(s) in ${zones} Availability Zone(s), but MWAA needs 2 private subnets in 2 different zones; ` +
        'add a private subnet in a second zone, or leave vpc out for a new VPC');
    }
    if (problems.length > 0) {
      throw new PipelineValidationError(`AirflowEnvironment '${this.node.path}'`, problems);
    }
    const scaling = scalingOf(props);
    if (scaling.maxWorkers > MWAA_LIMITS.workerQuota) {
      Annotations.of(this).addWarningV2('cdk-mlops:airflow-worker-quota', `maxWorkers ${show(scaling.maxWorkers)} is above MWAA's default quota of ` +
        `${MWAA_LIMITS.workerQuota} workers per environment; the deployment fails unless the account's quota was raised (Service Quotas, Amazon MWAA)`);
    }
    const stack = Stack.of(this);
    this.environmentName = props.environmentName ?? Names.uniqueResourceName(this, { maxLength: MWAA_LIMITS.nameMaxLength, separator: '-' });
    this.environmentArn = stack.formatArn({ service: 'airflow', resource: 'environment', resourceName: this.environmentName });
    const key = props.encryptionKey ?? environmentKey(this);
    this.encryptionKey = key;
    const { bucket, logs } = dagBucket(this, key);
    this.dagBucket = bucket;
    const role = executionRole(this, this.environmentName, this.environmentArn, bucket, key);
    this.executionRole = role;
    this.vpc = props.vpc ?? defaultVpc(this, key);
    const chosen = props.vpc ? subnets : environmentSubnets(this.vpc);
    this.securityGroup = environmentSecurityGroup(this, this.vpc);

    const hadUploadFunction = customResourceFunction(this) !== undefined;
    const requirements = props.requirements && props.requirements.length > 0 ? uploadRequirements(this, bucket, key, props.requirements) : undefined;
    const plugins = props.plugins !== undefined ? uploadPlugins(this, bucket, key, props.plugins) : undefined;

    this.cfnEnvironment = new mwaa.CfnEnvironment(this, 'Resource', {
      name: this.environmentName,
      airflowVersion: props.airflowVersion.version,
      environmentClass: classOf(props).name,
      executionRoleArn: role.roleArn,
      kmsKey: key.keyArn,
      sourceBucketArn: bucket.bucketArn,
      dagS3Path: this.dagsPrefix.replace(/\/$/, ''),
      networkConfiguration: { subnetIds: chosen.map((s) => s.subnetId), securityGroupIds: [this.securityGroup.securityGroupId] },
      webserverAccessMode: props.webServerAccess ?? WebServerAccess.PRIVATE,
      endpointManagement: 'SERVICE',
      minWorkers: scaling.minWorkers,
      maxWorkers: scaling.maxWorkers,
      schedulers: scaling.schedulers,
      loggingConfiguration: renderLogging(props.logging ?? {}),
      airflowConfigurationOptions: props.airflowConfigurationOptions && Object.keys(props.airflowConfigurationOptions).length > 0
        ? props.airflowConfigurationOptions : undefined,
      ...pinned('requirements', requirements),
      ...pinned('plugins', plugins),
    });
    // MWAA checks the role's access to the bucket and key when it creates the environment.
    const rolePolicy = role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (rolePolicy instanceof CfnResource) {
      this.cfnEnvironment.node.addDependency(rolePolicy);
    }
    this.webServerUrl = this.cfnEnvironment.attrWebserverUrl;
    acknowledgeAirflowFindings(this, {
      data: bucket,
      logs,
      securityGroup: this.securityGroup,
      ownVpc: props.vpc ? undefined : this.vpc as ec2.Vpc,
      uploadFunction: hadUploadFunction ? undefined : customResourceFunction(this),
    });
  }

  /**
   * Lets the DAGs' SageMaker operators run processing and training jobs as `access.jobRole`
   * (named with `access.jobNamePrefix`), follow their logs and register model packages.
   */
  public grantSageMaker(access: AirflowSageMakerAccess): iam.Grant {
    const grants = sageMakerStatements(Stack.of(this), access).map((s) => iam.Grant.addToPrincipal({
      grantee: this.executionRole,
      actions: s.actions,
      resourceArns: s.resources,
      conditions: s.conditions,
    }));
    if (access.runData) {
      grants.push(access.runData.bucket.grantRead(this.executionRole, `${access.runData.prefix.replace(/^\/+|\/+$/g, '')}/runs/*`));
    }
    acknowledgeAirflowFindings(this, { sageMaker: true });
    return grants.reduce((all, g) => all.combine(g));
  }

  /** Lets `grantee` put DAG files under `dagsPrefix` (e.g. a CI role or an MlPipeline's deployment). */
  public grantPutDags(grantee: iam.IGrantable): iam.Grant {
    return this.dagBucket.grantPut(grantee, `${this.dagsPrefix}*`);
  }

  /** An Airflow metric of this environment in AmazonMWAA for one component (Sum over 1 minute unless given). */
  public metric(metricName: string, fn: AirflowMetricFunction, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return environmentMetric(this.environmentName, metricName, fn, props);
  }

  /** Scheduler heartbeats (Sum per minute; 0 means the schedulers are down). */
  public metricSchedulerHeartbeat(props: AirflowMetricOptions = {}): cloudwatch.Metric {
    return this.metricFor('SchedulerHeartbeat', AirflowMetricFunction.SCHEDULER, props);
  }

  /** Tasks queued for a worker (Maximum unless given): a lasting queue means too few workers. */
  public metricQueuedTasks(props: AirflowMetricOptions = {}): cloudwatch.Metric {
    return this.metricFor('QueuedTasks', AirflowMetricFunction.EXECUTOR, { statistic: 'Maximum', ...props });
  }

  /** Tasks running on the workers (Maximum unless given). */
  public metricRunningTasks(props: AirflowMetricOptions = {}): cloudwatch.Metric {
    return this.metricFor('RunningTasks', AirflowMetricFunction.EXECUTOR, { statistic: 'Maximum', ...props });
  }

  /** Seconds to parse all DAG files (Maximum unless given): should stay well below the parse interval. */
  public metricTotalParseTime(props: AirflowMetricOptions = {}): cloudwatch.Metric {
    return this.metricFor('TotalParseTime', AirflowMetricFunction.DAG_PROCESSING, { statistic: 'Maximum', ...props });
  }

  /** DAG files that failed to import (Maximum unless given): above 0 means a broken DAG. */
  public metricImportErrors(props: AirflowMetricOptions = {}): cloudwatch.Metric {
    return this.metricFor('ImportErrors', AirflowMetricFunction.DAG_PROCESSING, { statistic: 'Maximum', ...props });
  }

  private metricFor(metricName: string, fn: AirflowMetricFunction, props: AirflowMetricOptions): cloudwatch.Metric {
    const { component, ...rest } = props;
    return this.metric(metricName, component ?? fn, rest);
  }
}

const LOG_DEFAULTS: Required<AirflowLogging> = {
  dagProcessing: AirflowLogLevel.WARNING,
  scheduler: AirflowLogLevel.WARNING,
  task: AirflowLogLevel.INFO,
  worker: AirflowLogLevel.WARNING,
  webServer: AirflowLogLevel.WARNING,
};

function renderLogging(logging: AirflowLogging): mwaa.CfnEnvironment.LoggingConfigurationProperty {
  const levels = { ...LOG_DEFAULTS, ...Object.fromEntries(Object.entries(logging).filter(([, v]) => v !== undefined)) };
  const module = (logLevel: AirflowLogLevel) => ({ enabled: true, logLevel });
  return {
    dagProcessingLogs: module(levels.dagProcessing),
    schedulerLogs: module(levels.scheduler),
    taskLogs: module(levels.task),
    workerLogs: module(levels.worker),
    webserverLogs: module(levels.webServer),
  };
}

function pinned(kind: 'requirements' | 'plugins', object: PinnedObject | undefined): Partial<mwaa.CfnEnvironmentProps> {
  if (!object) {
    return {};
  }
  return kind === 'requirements'
    ? { requirementsS3Path: object.key, requirementsS3ObjectVersion: object.version }
    : { pluginsS3Path: object.key, pluginsS3ObjectVersion: object.version };
}
