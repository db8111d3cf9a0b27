import * as crypto from 'crypto';
import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { compileSageMaker } from '../../lib/compile/sagemaker/compile';
import { SageMakerPipelineDefinition } from '../../lib/compile/sagemaker/definition';
import { LIMITS } from '../../lib/compile/sagemaker/limits';
import { eventBridgeSchedule } from '../../lib/compile/sagemaker/schedule';
import { ContainerStep } from '../../lib/pipeline/container-step';
import { PipelineValidationError, show } from '../../lib/pipeline/errors';
import { PIPELINE_NAME } from '../../lib/pipeline/names';
import { Pipeline } from '../../lib/pipeline/pipeline';
import { RegisterModelStep } from '../../lib/pipeline/register-model-step';
import { Schedule } from '../../lib/pipeline/schedule';
import { ScriptStep } from '../../lib/pipeline/script-step';
import { TrainingStep } from '../../lib/pipeline/training-step';
import { paramText } from '../../lib/pipeline/contract';
import { CodeAssets } from './code-assets';
import { defaultImage } from './default-image';
import { executionStatements } from './execution-policy';
import { acknowledgeIamFindings } from './nag-acknowledgements';
import { Orchestrator, OrchestratorKind } from './orchestrator';

/** Where the compiled pipeline definition is kept. */
export enum DefinitionStorage {
  /** Inline while it fits the inline budget, else in S3. */
  AUTO = 'auto',
  /** Always in the CloudFormation template; a definition over the inline budget is a synth error. */
  INLINE = 'inline',
  /** Always in the artifact bucket (deployed with the stack, deploy-time values filled in). */
  S3 = 's3',
}

/**
 * Largest definition kept inline, in bytes of template text: half of CloudFormation's 1 MB
 * template limit, leaving room for the rest of the stack.
 */
export const INLINE_DEFINITION_BUDGET = 512_000;

/** A deploy-time value (token) counts as this many characters when sizing a definition. */
const TOKEN_SIZE_ESTIMATE = 128;

export interface MlPipelineProps {
  /** The pipeline to deploy; it is compiled when the construct is created. */
  readonly pipeline: Pipeline;
  /** Which engine runs it: `Orchestrator.sageMaker()`. */
  readonly orchestrator: Orchestrator;
  /**
   * The SageMaker pipeline name (unique per account and region).
   * @default the pipeline's name
   */
  readonly pipelineName?: string;
  /** Runs the pipeline by itself, with the schedule's parameter values. @default no schedule */
  readonly schedule?: Schedule;
  /**
   * Bucket for step outputs, metrics and models.
   * @default a new KMS-encrypted, versioned, SSL-only bucket (retained), with access logs in a second bucket
   */
  readonly bucket?: s3.IBucket;
  /** Key prefix of everything the pipeline writes. @default 'pipelines/<pipelineName>' */
  readonly bucketPrefix?: string;
  /**
   * KMS key for the bucket, job outputs and volumes, and the alert topic.
   * @default the bucket's key when an encrypted bucket is given, else a new key with rotation (retained)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Role the pipeline and its jobs run as. The construct adds the permissions the pipeline needs
   * (an immutable imported role must already have them; see docs/aws.md).
   * @default a new role that SageMaker assumes, with a least-privilege policy
   */
  readonly role?: iam.IRole;
  /** Topic failed executions are reported to. @default a new KMS-encrypted, SSL-only topic */
  readonly alarmTopic?: sns.ITopic;
  /** E-mail addresses subscribed to the alert topic. @default none */
  readonly alarmEmails?: string[];
  /** Where the compiled definition is kept. @default DefinitionStorage.AUTO */
  readonly definitionStorage?: DefinitionStorage;
  /**
   * Create the model package groups that register-model steps register into (retained on delete).
   * Turn off when the groups exist already.
   * @default true
   */
  readonly createModelPackageGroups?: boolean;
}

/**
 * An ML pipeline on AWS: the pipeline model compiled for SageMaker Pipelines, with everything it
 * needs to run: execution role, encrypted artifact bucket, step code as assets, model package
 * groups, an optional schedule, and an alert on failed executions.
 */
export class MlPipeline extends Construct {
  /** The SageMaker pipeline's name. */
  public readonly pipelineName: string;
  /** The pipeline's ARN (in lower case, as SageMaker reports it). */
  public readonly pipelineArn: string;
  public readonly role: iam.IRole;
  public readonly bucket: s3.IBucket;
  /** Key prefix in `bucket` under which the pipeline writes. */
  public readonly bucketPrefix: string;
  public readonly encryptionKey: kms.IKey;
  /** Receives a message for every failed execution; subscribe to it. */
  public readonly alarmTopic: sns.ITopic;
  /** The compiled SageMaker definition (may hold deploy-time values). */
  public readonly definition: SageMakerPipelineDefinition;
  /** Where the definition ended up. */
  public readonly definitionStorage: DefinitionStorage.INLINE | DefinitionStorage.S3;
  /** The size of the definition in template text (bytes), as measured for the inline budget. */
  public readonly definitionSize: number;
  /** The AWS::SageMaker::Pipeline resource. */
  public readonly cfnPipeline: sagemaker.CfnPipeline;
  private readonly pipelineArns: string[];
  private readonly model: Pipeline;

  constructor(scope: Construct, id: string, props: MlPipelineProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const subject = `MlPipeline '${this.node.path}'`;
    const problems = this.propProblems(props);
    if (problems.length > 0) {
      throw new PipelineValidationError(subject, problems);
    }
    const pipeline = props.pipeline;
    this.model = pipeline;
    const options = props.orchestrator.sageMakerOptions;
    this.pipelineName = props.pipelineName ?? pipeline.name;
    this.bucketPrefix = props.bucketPrefix ?? `pipelines/${this.pipelineName}`;
    this.pipelineArns = [...new Set([this.pipelineName.toLowerCase(), this.pipelineName])].map((n) =>
      stack.formatArn({ service: 'sagemaker', resource: 'pipeline', resourceName: n }),
    );
    this.pipelineArn = this.pipelineArns[0];

    // Everything the compiler needs is known before the pipeline is compiled, except problems in
    // the model itself: validate it first so those come with the construct's path.
    const model = pipeline.problems();
    if (model.length > 0) {
      throw new PipelineValidationError(`${subject}: pipeline '${pipeline.name}'`, model);
    }
    const steps = pipeline.allSteps();
    const containerSteps = steps.filter((s): s is ContainerStep => s instanceof ContainerStep);

    this.encryptionKey = props.encryptionKey ?? props.bucket?.encryptionKey ?? new kms.Key(this, 'Key', {
      description: `Encrypts the artifacts, job volumes and alerts of ML pipeline ${this.pipelineName}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = props.bucket ?? this.createBucket(this.encryptionKey);
    this.role = props.role ?? new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `Runs ML pipeline ${this.pipelineName} and its SageMaker jobs`,
    });
    const code = new CodeAssets(this, 'StepCode', containerSteps.map((s) => s.code));

    // The region's image (and its mapping) only when a step runs it.
    const registerSteps = steps.filter((s): s is RegisterModelStep => s instanceof RegisterModelStep);
    const needsDefault = containerSteps.some((s) => s.image === undefined) || (options.defaultInferenceImage === undefined && registerSteps.some((s) => s.image === undefined));
    const image = options.defaultImage ?? (needsDefault ? defaultImage(this, subject) : 'no-default-image-needed');
    const defaultImageUri = typeof image === 'string' ? image : image.uri;
    const inferenceImage = options.defaultInferenceImage ?? defaultImageUri;
    try {
      this.definition = compileSageMaker(pipeline, {
        roleArn: this.role.roleArn,
        bucketName: this.bucket.bucketName,
        prefix: this.bucketPrefix,
        kmsKeyArn: this.encryptionKey.keyArn,
        defaultImage: defaultImageUri,
        defaultInferenceImage: inferenceImage,
        codeLocation: (c) => code.location(c),
        isUnresolved: (v) => Token.isUnresolved(v),
      });
    } catch (e) {
      if (e instanceof PipelineValidationError) {
        throw new PipelineValidationError(`${subject}: pipeline '${pipeline.name}' on SageMaker`, e.problems);
      }
      throw e;
    }

    const groups = [...new Set(registerSteps.map((s) => s.group))];
    const images = [
      ...containerSteps.map((s) => s.image ?? defaultImageUri),
      ...registerSteps.map((s) => s.image ?? inferenceImage),
    ];
    const repositoryArns = images.filter((i) => !Token.isUnresolved(i)).map((i) => ecrRepositoryArn(stack, i));
    if (typeof image !== 'string' && images.some((i) => i === defaultImageUri)) {
      repositoryArns.push(image.repositoryArn);
    }
    const policy = new iam.Policy(this, 'ExecutionPolicy', {
      statements: executionStatements(this, {
        role: this.role,
        bucket: this.bucket,
        prefix: this.bucketPrefix,
        key: this.encryptionKey,
        runsProcessingJobs: steps.some((s) => s instanceof ScriptStep),
        runsTrainingJobs: steps.some((s) => s instanceof TrainingStep),
        codeAssets: code.all,
        modelPackageGroups: groups,
        repositoryArns,
        anyRepository: images.some((i) => Token.isUnresolved(i) && i !== defaultImageUri),
      }),
    });
    policy.attachToRole(this.role);
    acknowledgeIamFindings(policy, {
      wildcardResources:
        'Scoped as far as the services allow: SageMaker names jobs per run (processing-job/*, training-job/*), numbers ' +
        'model versions within their group (model-package/<group>/*) and creates a log stream per job ' +
        '(log-group:/aws/sagemaker/<type>Jobs:*); outputs live under the pipeline\'s own bucket prefix (<prefix>/*); ' +
        'ecr:GetAuthorizationToken and cloudwatch:PutMetricData (namespace-conditioned) have no resource-level permissions.',
    });

    const { storage, size, body, s3Location, deployment } = this.storeDefinition(props.definitionStorage ?? DefinitionStorage.AUTO, subject);
    this.definitionStorage = storage;
    this.definitionSize = size;
    this.cfnPipeline = new sagemaker.CfnPipeline(this, 'Resource', {
      pipelineName: this.pipelineName,
      pipelineDescription: pipeline.description,
      roleArn: this.role.roleArn,
      // An untyped property in the L1: rendered as written, so CloudFormation's own key names.
      pipelineDefinition: s3Location
        ? { PipelineDefinitionS3Location: { Bucket: s3Location.bucket, Key: s3Location.key } }
        : { PipelineDefinitionBody: body },
      // Also untyped in the L1: CloudFormation's key names.
      parallelismConfiguration: options.maxParallelSteps !== undefined ? { MaxParallelExecutionSteps: options.maxParallelSteps } : undefined,
    });
    this.cfnPipeline.node.addDependency(policy);
    if (deployment) {
      this.cfnPipeline.node.addDependency(deployment);
    }

    if (props.createModelPackageGroups ?? true) {
      groups.forEach((group, i) => {
        const cfnGroup = new sagemaker.CfnModelPackageGroup(this, `ModelPackageGroup${i + 1}`, {
          modelPackageGroupName: group,
          modelPackageGroupDescription: `Models registered by ML pipeline ${this.pipelineName}`,
        });
        cfnGroup.applyRemovalPolicy(RemovalPolicy.RETAIN);
        this.cfnPipeline.node.addDependency(cfnGroup);
      });
    }

    this.alarmTopic = props.alarmTopic ?? this.createTopic(this.encryptionKey);
    for (const email of props.alarmEmails ?? []) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    this.alertOnFailure();
    if (props.schedule) {
      this.addSchedule(props.schedule, subject);
    }
  }

  /** Allows `grantee` to start executions of this pipeline, and nothing else. */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:StartPipelineExecution'], resourceArns: this.pipelineArns });
  }

  /**
   * A metric SageMaker publishes for this pipeline in AWS/Sagemaker/ModelBuildingPipeline
   * (ExecutionStarted, ExecutionFailed, ExecutionSucceeded, ExecutionStopped, ExecutionDuration).
   */
  public metric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Sagemaker/ModelBuildingPipeline',
      metricName,
      dimensionsMap: { PipelineName: this.pipelineName },
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(5),
      ...props,
    });
  }

  /** Failed executions (sum per period). */
  public metricExecutionsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ExecutionFailed', props);
  }

  /** Succeeded executions (sum per period). */
  public metricExecutionsSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ExecutionSucceeded', props);
  }

  /** Started executions (sum per period). */
  public metricExecutionsStarted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ExecutionStarted', props);
  }

  /** Execution duration in milliseconds (average per period). */
  public metricExecutionDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ExecutionDuration', { statistic: cloudwatch.Stats.AVERAGE, ...props });
  }

  private propProblems(props: MlPipelineProps): string[] {
    const problems: string[] = [];
    if (!(props.pipeline instanceof Pipeline)) {
      return [`pipeline is ${show(props.pipeline)}, not a Pipeline; pass new Pipeline('name', {...})`];
    }
    if (!(props.orchestrator instanceof Orchestrator)) {
      problems.push(`orchestrator is ${show(props.orchestrator)}; use Orchestrator.sageMaker()`);
    } else if (props.orchestrator.kind !== OrchestratorKind.SAGEMAKER) {
      problems.push(`orchestrator '${props.orchestrator.kind}' is not supported yet; use Orchestrator.sageMaker()`);
    } else {
      const parallel = props.orchestrator.sageMakerOptions.maxParallelSteps;
      if (parallel !== undefined && (!Number.isSafeInteger(parallel) || parallel < 1)) {
        problems.push(`Orchestrator.sageMaker maxParallelSteps ${show(parallel)} is invalid (allowed: a whole number >= 1)`);
      }
    }
    const name = props.pipelineName;
    if (name !== undefined && !Token.isUnresolved(name) && !PIPELINE_NAME.pattern.test(name)) {
      problems.push(`pipelineName ${show(name)} is invalid for SageMaker (allowed: ${PIPELINE_NAME.allowed}); e.g. ${show(name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'pipeline')}`);
    }
    const prefix = props.bucketPrefix;
    if (prefix !== undefined && (prefix === '' || prefix.startsWith('/') || prefix.endsWith('/') || !/^[A-Za-z0-9!_.*'()\/-]+$/.test(prefix))) {
      problems.push(`bucketPrefix ${show(prefix)} is invalid (allowed: S3-safe characters without a leading or trailing '/'); e.g. 'pipelines/iris'`);
    }
    const description = props.pipeline.description;
    if (description !== undefined && description.length > 3072) {
      problems.push(`pipeline '${props.pipeline.name}' description has ${description.length} characters, but a SageMaker pipeline description takes at most 3072; shorten it`);
    }
    for (const email of props.alarmEmails ?? []) {
      if (!Token.isUnresolved(email) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
        problems.push(`alarmEmails holds ${show(email)}, which is not an e-mail address`);
      }
    }
    return problems;
  }

  private createBucket(key: kms.IKey): s3.IBucket {
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED, // S3 server access logging cannot write to SSE-KMS buckets
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket receives the server access logs of the artifact bucket; logging it too would only log the log delivery.',
    });
    return new s3.Bucket(this, 'Artifacts', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'artifacts/',
    });
  }

  private createTopic(key: kms.IKey): sns.ITopic {
    const topic = new sns.Topic(this, 'Alerts', {
      displayName: `ML pipeline ${this.pipelineName} alerts`,
      masterKey: key,
      enforceSSL: true,
    });
    // EventBridge publishes to the encrypted topic, so it needs to use the key (only via SNS).
    if (key instanceof kms.Key) {
      key.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowEventBridgeToPublishEncryptedAlerts',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:ViaService': `sns.${Stack.of(this).region}.${Stack.of(this).urlSuffix}` } },
      }));
    }
    return topic;
  }

  private alertOnFailure(): void {
    new events.Rule(this, 'ExecutionFailed', {
      description: `Reports failed executions of ML pipeline ${this.pipelineName}`,
      eventPattern: {
        source: ['aws.sagemaker'],
        detailType: ['SageMaker Model Building Pipeline Execution Status Change'],
        detail: {
          currentPipelineExecutionStatus: ['Failed'],
          pipelineArn: events.Match.equalsIgnoreCase(this.pipelineArn),
        },
      },
      targets: [new targets.SnsTopic(this.alarmTopic, {
        message: events.RuleTargetInput.fromObject({
          pipeline: this.pipelineName,
          status: events.EventField.fromPath('$.detail.currentPipelineExecutionStatus'),
          execution: events.EventField.fromPath('$.detail.pipelineExecutionArn'),
          time: events.EventField.time,
        }),
      })],
    });
  }

  private addSchedule(schedule: Schedule, subject: string): void {
    const problems: string[] = [];
    let expression: ReturnType<typeof eventBridgeSchedule> | undefined;
    try {
      expression = eventBridgeSchedule(schedule);
    } catch (e) {
      problems.push(`schedule: ${(e as Error).message}`);
    }
    let values: { [name: string]: string | number | boolean } = {};
    try {
      const resolved = this.model.resolveParameters(schedule.parameters);
      values = Object.fromEntries(Object.keys(schedule.parameters).map((k) => [k, resolved[k]]));
    } catch (e) {
      const messages = e instanceof PipelineValidationError ? e.problems : [(e as Error).message];
      problems.push(...messages.map((m) => `schedule parameters: ${m}`));
    }
    for (const [name, value] of Object.entries(values)) {
      if (paramText(value) === '') {
        problems.push(`schedule parameters: parameter '${name}' is set to an empty string, which EventBridge Scheduler cannot pass (values need 1 to 1024 characters); leave it out to use the default, or give a value`);
      }
    }
    if (problems.length > 0 || !expression) {
      throw new PipelineValidationError(subject, problems);
    }
    const role = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: `Starts ML pipeline ${this.pipelineName} on its schedule`,
    });
    this.grantStartExecution(role);
    const cfnSchedule = new scheduler.CfnSchedule(this, 'Schedule', {
      description: `Runs ML pipeline ${this.pipelineName} at ${schedule} (${expression.timeZone})`,
      scheduleExpression: expression.expression,
      scheduleExpressionTimezone: expression.timeZone,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: this.pipelineArn,
        roleArn: role.roleArn,
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
        sageMakerPipelineParameters: Object.keys(values).length > 0
          ? { pipelineParameterList: Object.entries(values).map(([name, value]) => ({ name, value: paramText(value) })) }
          : undefined,
      },
    });
    cfnSchedule.node.addDependency(this.cfnPipeline);
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      cfnSchedule.node.addDependency(policy);
    }
  }

  /**
   * Inline when the definition fits the budget (or storage says so), else written to the
   * artifact bucket by a BucketDeployment, which fills in deploy-time values (ARNs, bucket names)
   * when it writes the file. CloudFormation reads the file when it creates or updates the pipeline.
   */
  private storeDefinition(requested: DefinitionStorage, subject: string): {
    storage: DefinitionStorage.INLINE | DefinitionStorage.S3;
    size: number;
    s3Location?: sagemaker.CfnPipeline.S3LocationProperty;
    body?: string;
    deployment?: Construct;
  } {
    const stack = Stack.of(this);
    const body = stack.toJsonString(this.definition);
    const resolved = stack.resolve(body);
    const templateText = JSON.stringify(resolved);
    const size = Buffer.byteLength(templateText, 'utf8');
    const characters = deployedLength(resolved);
    if (characters > LIMITS.definitionCharacters) {
      throw new PipelineValidationError(subject, [
        `pipeline '${this.pipelineName}' compiles to a SageMaker definition of about ${characters} characters, more than SageMaker accepts (${LIMITS.definitionCharacters}, inline or from S3); split it into smaller pipelines or remove steps`,
      ]);
    }
    const inline = requested === DefinitionStorage.INLINE || (requested === DefinitionStorage.AUTO && size <= INLINE_DEFINITION_BUDGET);
    if (inline) {
      if (size > INLINE_DEFINITION_BUDGET) {
        throw new PipelineValidationError(subject, [
          `definitionStorage is INLINE, but pipeline '${this.pipelineName}' compiles to ${size} bytes of template text, more than the ${INLINE_DEFINITION_BUDGET}-byte inline budget (half of CloudFormation's 1 MB template limit); use DefinitionStorage.AUTO or DefinitionStorage.S3`,
        ]);
      }
      return { storage: DefinitionStorage.INLINE, size, body };
    }
    const hash = crypto.createHash('sha256').update(templateText).digest('hex').slice(0, 16);
    const key = `${this.bucketPrefix}/definition/${hash}.json`;
    const deployment = new s3deploy.BucketDeployment(this, 'Definition', {
      sources: [s3deploy.Source.jsonData(key, this.definition)],
      destinationBucket: this.bucket,
      prune: false,
      retainOnDelete: true,
      extract: true,
    });
    this.encryptionKey.grantEncryptDecrypt(deployment.handlerRole);
    // BucketDeployment (aws-cdk-lib) brings a Lambda handler whose role and runtime it chooses.
    const handlerReasons = {
      wildcardResources: 'The BucketDeployment handler (aws-cdk-lib) reads its source asset and writes objects under the destination prefix; its grants use object wildcards.',
      managedPolicies: 'The BucketDeployment handler (aws-cdk-lib) writes its logs through AWSLambdaBasicExecutionRole.',
    };
    acknowledgeIamFindings(deployment, handlerReasons);
    for (const handler of stack.node.children.filter((c) => c.node.id.replace(/[^A-Za-z]/g, '').startsWith('CustomCDKBucketDeployment'))) {
      acknowledgeIamFindings(handler, handlerReasons);
      Validations.of(handler).acknowledge({ id: 'AwsSolutions-L1', reason: 'The BucketDeployment handler runtime is chosen by aws-cdk-lib.' });
    }
    return {
      storage: DefinitionStorage.S3,
      size,
      s3Location: { bucket: this.bucket.bucketName, key },
      deployment,
    };
  }
}

/** The characters a resolved definition has once deployed, estimating each deploy-time value. */
function deployedLength(resolved: unknown): number {
  if (typeof resolved === 'string') {
    return resolved.length;
  }
  const join = (resolved as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) {
    return join[1].reduce<number>((n, part) => n + (typeof part === 'string' ? part.length : TOKEN_SIZE_ESTIMATE), 0);
  }
  return TOKEN_SIZE_ESTIMATE;
}

/** The ECR repository ARN of an image URI `<account>.dkr.ecr.<region>.<suffix>/<repo>[:tag|@digest]`. */
function ecrRepositoryArn(stack: Stack, image: string): string {
  const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.[^/]+\/([^:@]+)/.exec(image);
  if (!match) {
    throw new Error(`internal: image ${image} passed the ECR check but does not parse`);
  }
  return stack.formatArn({ service: 'ecr', account: match[1], region: match[2], resource: 'repository', resourceName: match[3] });
}
