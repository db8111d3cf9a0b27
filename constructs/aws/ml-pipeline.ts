import * as crypto from 'crypto';
import { Annotations, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, Dependable } from 'constructs';
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
import { acknowledgeIamFindings, acknowledgeWildcardResources } from './nag-acknowledgements';
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
const INLINE_DEFINITION_BUDGET = 512_000;

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
  /**
   * Largest definition kept inline, in bytes of template text: half of CloudFormation's 1 MB
   * template limit, leaving room for the rest of the stack.
   */
  public static readonly INLINE_DEFINITION_BUDGET = INLINE_DEFINITION_BUDGET;

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
  /**
   * The compiled SageMaker definition, a `SageMakerPipelineDefinition` (lib/compile/sagemaker),
   * which may hold deploy-time values. Typed `any` here to keep the public API jsii-compatible.
   */
  public readonly definition: any;
  /** Where the definition ended up: INLINE or S3 (never AUTO). */
  public readonly definitionStorage: DefinitionStorage;
  /** The size of the definition in template text (bytes), as measured for the inline budget. */
  public readonly definitionSize: number;
  /** The AWS::SageMaker::Pipeline resource. */
  public readonly cfnPipeline: sagemaker.CfnPipeline;
  private readonly pipelineArns: string[];
  private readonly model: Pipeline;
  /** True when this construct created the key (so it may add to the key policy). */
  private readonly ownKey: boolean;

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

    const steps = pipeline.allSteps();
    const containerSteps = steps.filter((s): s is ContainerStep => s instanceof ContainerStep);

    this.ownKey = !props.encryptionKey && !props.bucket?.encryptionKey;
    this.encryptionKey = props.encryptionKey ?? props.bucket?.encryptionKey ?? this.createKey();
    this.bucket = props.bucket ?? this.createBucket(this.encryptionKey);
    this.role = props.role ?? new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `Runs ML pipeline ${this.pipelineName} and its SageMaker jobs`,
    });
    // Our own resources' L1 attributes resolve faster than the L2 ones (which are lazy, for
    // cross-environment names), and the definition references them in every step.
    const roleArn = props.role ? this.role.roleArn : (this.role.node.defaultChild as iam.CfnRole).attrArn;
    const bucketName = props.bucket ? this.bucket.bucketName : (this.bucket.node.defaultChild as s3.CfnBucket).ref;
    const bucketArn = props.bucket ? this.bucket.bucketArn : (this.bucket.node.defaultChild as s3.CfnBucket).attrArn;
    // Assets are made as the compiler asks for code locations, i.e. only once the model is valid.
    const code = new CodeAssets(this, 'StepCode');

    // The region's image (and its mapping) only when a step runs it.
    const registerSteps = steps.filter((s): s is RegisterModelStep => s instanceof RegisterModelStep);
    const needsDefault = containerSteps.some((s) => s.image === undefined) || (options.defaultInferenceImage === undefined && registerSteps.some((s) => s.image === undefined));
    const regionImage = options.defaultImage === undefined && needsDefault ? defaultImage(this, subject) : undefined;
    // With no step on the default image, the compiler never reads it.
    const defaultImageUri = options.defaultImage ?? regionImage?.uri ?? '';
    const inferenceImage = options.defaultInferenceImage ?? defaultImageUri;
    let definition: SageMakerPipelineDefinition;
    try {
      definition = compileSageMaker(pipeline, {
        roleArn,
        bucketName,
        prefix: this.bucketPrefix,
        kmsKeyArn: this.encryptionKey.keyArn,
        defaultImage: defaultImageUri,
        defaultInferenceImage: inferenceImage,
        codeLocation: (c) => code.location(c),
        isUnresolved: (v) => Token.isUnresolved(v),
      });
    } catch (e) {
      if (e instanceof PipelineValidationError) {
        // The model's own problems, or what SageMaker cannot run: say which, with this construct's path.
        const engine = e.message.startsWith(`Pipeline '${pipeline.name}' on SageMaker:`) ? ' on SageMaker' : '';
        throw new PipelineValidationError(`${subject}: pipeline '${pipeline.name}'${engine}`, e.problems);
      }
      throw e;
    }
    this.definition = definition;

    const groups = [...new Set(registerSteps.map((s) => s.group))];
    const images = [
      ...containerSteps.map((s) => s.image ?? defaultImageUri),
      ...registerSteps.map((s) => s.image ?? inferenceImage),
    ];
    // The region's image is a deploy-time value whose repository we know; other token images are not.
    const repositoryArns = images.filter((i) => !Token.isUnresolved(i)).map((i) => ecrRepositoryArn(stack, i));
    if (regionImage && images.includes(regionImage.uri)) {
      repositoryArns.push(regionImage.repositoryArn);
    }
    const statements = executionStatements(this, {
      roleArn,
      bucketArn,
      prefix: this.bucketPrefix,
      key: this.encryptionKey,
      runsProcessingJobs: steps.some((s) => s instanceof ScriptStep),
      runsTrainingJobs: steps.some((s) => s instanceof TrainingStep),
      codeAssets: code.all,
      modelPackageGroups: groups,
      repositoryArns,
      anyRepository: images.some((i) => Token.isUnresolved(i) && i !== regionImage?.uri),
    });
    const policy = this.grantExecution(statements, props.role !== undefined,
      'Scoped as far as the services allow: SageMaker names jobs per run (processing-job/*, training-job/*), numbers ' +
      'model versions within their group (model-package/<group>/*) and creates a log stream per job ' +
      '(log-group:/aws/sagemaker/<type>Jobs:*); outputs live under the pipeline\'s own bucket prefix (<prefix>/*); ' +
      'ecr:GetAuthorizationToken and cloudwatch:PutMetricData (namespace-conditioned) have no resource-level permissions.');

    const { storage, size, body, s3Location, deployment } = this.storeDefinition(props.definitionStorage ?? DefinitionStorage.AUTO, subject);
    this.definitionStorage = storage;
    this.definitionSize = size;
    this.cfnPipeline = new sagemaker.CfnPipeline(this, 'Resource', {
      pipelineName: this.pipelineName,
      pipelineDescription: pipeline.description,
      roleArn,
      // An untyped property in the L1: rendered as written, so CloudFormation's own key names.
      pipelineDefinition: s3Location
        ? { PipelineDefinitionS3Location: { Bucket: s3Location.bucket, Key: s3Location.key } }
        : { PipelineDefinitionBody: body },
      // Also untyped in the L1: CloudFormation's key names.
      parallelismConfiguration: options.maxParallelSteps !== undefined ? { MaxParallelExecutionSteps: options.maxParallelSteps } : undefined,
    });
    if (policy) {
      this.cfnPipeline.node.addDependency(policy);
    }
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
    if (prefix !== undefined && (prefix === '' || prefix.startsWith('/') || prefix.endsWith('/') || !/^[A-Za-z0-9!_.*'()/-]+$/.test(prefix))) {
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

  /**
   * Gives the execution role its permissions: an inline AWS::IAM::Policy on our own role (L1, it
   * is internal), or the given role's own policy (addToPrincipalPolicy). A given immutable role
   * takes nothing; a warning lists what it needs. Returns what the pipeline must wait for.
   */
  private grantExecution(statements: iam.PolicyStatement[], givenRole: boolean, reason: string): Construct | undefined {
    if (!givenRole) {
      const policy = new iam.CfnPolicy(this, 'ExecutionPolicy', {
        policyName: 'MlPipelineExecution',
        roles: [this.role.roleName],
        policyDocument: new iam.PolicyDocument({ statements, minimize: false }),
      });
      acknowledgeWildcardResources(policy, statements, reason);
      return policy;
    }
    const added = statements.map((statement) => this.role.addToPrincipalPolicy(statement));
    // An immutable role says the statements were added, but its policy dependable is empty.
    const roots = added.flatMap((a) => (a.policyDependable ? Dependable.of(a.policyDependable).dependencyRoots : []));
    if (added.some((a) => !a.statementAdded) || roots.length === 0) {
      Annotations.of(this).addWarningV2('cdk-mlops:ImmutableRole',
        `the given role takes no policy (it is immutable), so it must already allow: ${[...new Set(statements.flatMap((st) => st.actions))].join(', ')} on this pipeline's bucket prefix, key, jobs and images`);
      return undefined;
    }
    acknowledgeWildcardResources(this.role, statements, reason);
    return roots[0] as Construct;
  }

  /**
   * A customer managed key with rotation, retained on delete, that the account administers (the
   * same policy kms.Key writes). Written with the L1 class behind an IKey (kms.Key.fromCfnKey, which
   * still takes key policy additions): the L2 Key costs synth time and adds nothing here.
   */
  private createKey(): kms.IKey {
    const stack = Stack.of(this);
    const key = new kms.CfnKey(this, 'Key', {
      description: `Encrypts the artifacts, job volumes and alerts of ML pipeline ${this.pipelineName}`,
      enableKeyRotation: true,
      keyPolicy: {
        Version: '2012-10-17',
        Statement: [{
          Sid: 'AccountAdministersKey',
          Effect: 'Allow',
          Principal: { AWS: `arn:${stack.partition}:iam::${stack.account}:root` },
          Action: 'kms:*',
          Resource: '*',
        }],
      },
    });
    key.applyRemovalPolicy(RemovalPolicy.RETAIN);
    return kms.Key.fromCfnKey(key);
  }

  /**
   * The artifact bucket, and a second bucket for its server access logs. The log bucket is internal
   * plumbing, written with L1 classes (an L2 Bucket costs synth time and adds nothing here).
   */
  private createBucket(key: kms.IKey): s3.IBucket {
    const logs = new s3.CfnBucket(this, 'AccessLogs', {
      // S3 server access logging cannot deliver to SSE-KMS buckets.
      bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] },
      publicAccessBlockConfiguration: { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      ownershipControls: { rules: [{ objectOwnership: 'BucketOwnerEnforced' }] },
      versioningConfiguration: { status: 'Enabled' },
    });
    logs.applyRemovalPolicy(RemovalPolicy.RETAIN);
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket receives the server access logs of the artifact bucket; logging it too would only log the log delivery.',
    });
    const bucket = new s3.Bucket(this, 'Artifacts', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const prefix = 'artifacts/';
    (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = { destinationBucketName: logs.ref, logFilePrefix: prefix };
    new s3.CfnBucketPolicy(this, 'AccessLogsPolicy', {
      bucket: logs.ref,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Resource: [logs.attrArn, `${logs.attrArn}/*`],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
          {
            Sid: 'AllowArtifactBucketAccessLogs',
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: `${logs.attrArn}/${prefix}*`,
            Condition: { ArnLike: { 'aws:SourceArn': bucket.bucketArn }, StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
          },
        ],
      },
    });
    return bucket;
  }

  private createTopic(key: kms.IKey): sns.ITopic {
    const topic = new sns.Topic(this, 'Alerts', {
      displayName: `ML pipeline ${this.pipelineName} alerts`,
      masterKey: key,
      enforceSSL: true,
    });
    // EventBridge publishes to the encrypted topic, so it needs to use the key (only via SNS).
    if (this.ownKey) {
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

  /**
   * An EventBridge rule on this pipeline's failed executions, publishing a short JSON message to
   * the alert topic. The topic lets EventBridge publish for this rule only (aws:SourceArn).
   */
  private alertOnFailure(): void {
    const rule = new events.CfnRule(this, 'ExecutionFailed', {
      description: `Reports failed executions of ML pipeline ${this.pipelineName}`,
      state: 'ENABLED',
      eventPattern: {
        'source': ['aws.sagemaker'],
        'detail-type': ['SageMaker Model Building Pipeline Execution Status Change'],
        // SageMaker reports the ARN in lower case; match whatever case it arrives in.
        'detail': { currentPipelineExecutionStatus: ['Failed'], pipelineArn: [{ 'equals-ignore-case': this.pipelineArn }] },
      },
      targets: [{
        id: 'AlertTopic',
        arn: this.alarmTopic.topicArn,
        inputTransformer: {
          inputPathsMap: { status: '$.detail.currentPipelineExecutionStatus', execution: '$.detail.pipelineExecutionArn', time: '$.time' },
          inputTemplate: `{"pipeline":${JSON.stringify(this.pipelineName)},"status":<status>,"execution":<execution>,"time":<time>}`,
        },
      }],
    });
    this.alarmTopic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowFailureAlertsFromEventBridge',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [this.alarmTopic.topicArn],
      conditions: { ArnEquals: { 'aws:SourceArn': rule.attrArn } },
    }));
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
    // Internal plumbing, so L1: EventBridge Scheduler may start this pipeline and nothing else.
    const role = new iam.CfnRole(this, 'ScheduleRole', {
      description: `Starts ML pipeline ${this.pipelineName} on its schedule`,
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
        }],
      },
      policies: [{
        policyName: 'StartPipeline',
        policyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sagemaker:StartPipelineExecution', Resource: this.pipelineArns.length === 1 ? this.pipelineArns[0] : this.pipelineArns }],
        },
      }],
    });
    const cfnSchedule = new scheduler.CfnSchedule(this, 'Schedule', {
      description: `Runs ML pipeline ${this.pipelineName} at ${schedule} (${expression.timeZone})`,
      scheduleExpression: expression.expression,
      scheduleExpressionTimezone: expression.timeZone,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: this.pipelineArn,
        roleArn: role.attrArn,
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
        sageMakerPipelineParameters: Object.keys(values).length > 0
          ? { pipelineParameterList: Object.entries(values).map(([name, value]) => ({ name, value: paramText(value) })) }
          : undefined,
      },
    });
    cfnSchedule.node.addDependency(this.cfnPipeline);
  }

  /**
   * Inline when the definition fits the budget (or storage says so), else written to the
   * artifact bucket by a BucketDeployment, which fills in deploy-time values (ARNs, bucket names)
   * when it writes the file. CloudFormation reads the file when it creates or updates the pipeline.
   */
  private storeDefinition(requested: DefinitionStorage, subject: string): {
    storage: DefinitionStorage;
    size: number;
    s3Location?: sagemaker.CfnPipeline.S3LocationProperty;
    body?: string;
    deployment?: Construct;
  } {
    const stack = Stack.of(this);
    const body = stack.toJsonString(this.definition);
    const { size, characters } = definitionSize(this.definition);
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
    // Token names differ from run to run; the resolved form is stable, so the key changes only with the definition.
    const hash = crypto.createHash('sha256').update(JSON.stringify(stack.resolve(body))).digest('hex').slice(0, 16);
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

/** A CDK string token as it appears in unresolved text, e.g. `${Token[AWS.Region.9]}`. */
const TOKEN = /\$\{Token\[[^\]]*\]\}/g;

/** Bytes a reference to a deploy-time value takes in template text ({"Fn::GetAtt": [...]}, separators). */
const TOKEN_TEMPLATE_BYTES = 80;

/**
 * The size of a definition without resolving it: `size` is the bytes of template text it takes
 * inline (the JSON text, escaped into a string, each deploy-time value a reference), `characters`
 * what SageMaker receives once the values are filled in (each counted as TOKEN_SIZE_ESTIMATE).
 */
function definitionSize(definition: object): { size: number; characters: number } {
  const text = JSON.stringify(definition);
  let tokens = 0;
  let tokenText = 0;
  for (const match of text.matchAll(TOKEN)) {
    tokens++;
    tokenText += match[0].length;
  }
  const escaped = Buffer.byteLength(JSON.stringify(text), 'utf8');
  return {
    size: escaped - tokenText + tokens * TOKEN_TEMPLATE_BYTES,
    characters: text.length - tokenText + tokens * TOKEN_SIZE_ESTIMATE,
  };
}

/** The ECR repository ARN of an image URI `<account>.dkr.ecr.<region>.<suffix>/<repo>[:tag|@digest]`. */
function ecrRepositoryArn(stack: Stack, image: string): string {
  const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.[^/]+\/([^:@]+)/.exec(image);
  if (!match) {
    throw new Error(`internal: image ${image} passed the ECR check but does not parse`);
  }
  return stack.formatArn({ service: 'ecr', account: match[1], region: match[2], resource: 'repository', resourceName: match[3] });
}
