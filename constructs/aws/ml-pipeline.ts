import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, IConstruct } from 'constructs';
import { isA } from '../../lib/pipeline/brand';
import { paramText } from '../../lib/pipeline/contract';
import { PipelineValidationError } from '../../lib/pipeline/errors';
import { Pipeline } from '../../lib/pipeline/pipeline';
import { RegisterModelStep } from '../../lib/pipeline/steps/register-model-step';
import { bucketPrefixProblems, claimBucketPrefix } from './bucket-prefix';
import { renderAtSynth } from './late-render';
import { DefinitionStorage, INLINE_DEFINITION_BUDGET } from './orchestrators/definition-storage';
import { OrchestratorBinding } from './orchestrators/renderer';
import { IMlPipeline, ImportedMlPipeline, MlPipelineBase } from './pipeline-base';
import { propProblems } from './prop-problems';
import { MlPipelineProps } from './props';
import { alertOnFailure, createBucket, createKey, createTopic } from './resources';
import { PipelineTrigger, PipelineTriggerProps } from './trigger';
import { writePipelineDocumentAtSynth } from './pipeline-document-file';

export * from './orchestrators/definition-storage-choice';
export * from './props';

/**
 * SageMaker, for this stack's account only (confused-deputy conditions): the pipeline and the
 * processing and training jobs it starts each assume the role with their own ARN as aws:SourceArn
 * (pipeline/<name>/execution/<id>, processing-job/<name>, training-job/<name>), so the ARN is
 * matched up to the resource: any SageMaker resource of this account and region.
 */
function sageMakerPrincipal(scope: Construct): iam.IPrincipal {
  const stack = Stack.of(scope);
  return new iam.ServicePrincipal('sagemaker.amazonaws.com').withConditions({
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'sagemaker', resource: '*' }) },
  });
}

/**
 * An ML pipeline on AWS: the pipeline model compiled for its orchestrator, with everything it
 * needs to run. Orchestrator.sageMaker(): an AWS::SageMaker::Pipeline, execution role, encrypted
 * artifact bucket, step code as assets, model package groups, an optional schedule and an alert
 * on failed executions. Orchestrator.airflow(environment): an Airflow DAG deployed into an MWAA
 * environment's DAG bucket, with the same role, bucket and code assets (see docs/airflow.md).
 *
 * The construct makes its resources when it is created, and what follows from the pipeline's
 * content (definition, execution policy, code assets, model package groups, image permissions)
 * at synth time, from the pipeline as it is then (see late-render.ts). Problems with the
 * pipeline are reported by CDK validation, with this construct's path.
 */
export class MlPipeline extends MlPipelineBase {
  /**
   * Largest definition kept inline, in bytes of template text: half of CloudFormation's 1 MB
   * template limit, leaving room for the rest of the stack.
   */
  public static readonly INLINE_DEFINITION_BUDGET = INLINE_DEFINITION_BUDGET;

  /**
   * A SageMaker pipeline deployed elsewhere, by name, in this stack's account and region. Its
   * triggers pass parameter values unchecked (its parameters are not known here).
   */
  public static fromPipelineName(scope: Construct, id: string, pipelineName: string): IMlPipeline {
    return ImportedMlPipeline.fromName(scope, id, pipelineName);
  }

  /**
   * A SageMaker pipeline deployed elsewhere, by ARN (`arn:<partition>:sagemaker:<region>:<account>:pipeline/<name>`).
   * Its triggers pass parameter values unchecked.
   */
  public static fromPipelineArn(scope: Construct, id: string, pipelineArn: string): IMlPipeline {
    return ImportedMlPipeline.fromArn(scope, id, pipelineArn);
  }

  /** The SageMaker pipeline's name (on Airflow: `pipelineName`, the DAG id unless the orchestrator sets one). */
  public readonly pipelineName: string;
  /** The pipeline's ARN (in lower case, as SageMaker reports it; on Airflow the MWAA environment's ARN). */
  public readonly pipelineArn: string;
  public readonly role: iam.IRole;
  public readonly bucket: s3.IBucket;
  /** Key prefix in `bucket` under which the pipeline writes. */
  public readonly bucketPrefix: string;
  public readonly encryptionKey: kms.IKey;
  /** The AWS::SageMaker::Pipeline resource (its definition is filled in at synth time); none on Airflow. */
  public readonly cfnPipeline?: sagemaker.CfnPipeline;
  /** The trigger that runs the pipeline on `schedule`, when one is given (SageMaker; on Airflow the DAG schedules itself). */
  public readonly scheduleTrigger?: PipelineTrigger;
  /** @internal */
  public readonly _startArns: string[];
  /** @internal */
  public readonly _subject: string;
  /** @internal */
  public readonly _startDependency?: IConstruct;
  /** @internal */
  public readonly _notStartable?: string;
  private readonly model: Pipeline;
  private readonly topic?: sns.ITopic;
  private readonly binding: OrchestratorBinding;
  private renderProblems?: string[];

  constructor(scope: Construct, id: string, props: MlPipelineProps) {
    super(scope, id);
    this._subject = `MlPipeline '${this.node.path}'`;
    const problems = propProblems(props);
    if (problems.length > 0) {
      throw new PipelineValidationError(this._subject, problems);
    }
    this.model = props.pipeline;
    this.pipelineName = props.pipelineName ?? props.pipeline.name;
    this.bucketPrefix = props.bucketPrefix ?? `pipelines/${this.pipelineName}`;

    const ownKey = !props.encryptionKey && !props.bucket?.encryptionKey;
    this.encryptionKey = props.encryptionKey ?? props.bucket?.encryptionKey ?? createKey(this, this.pipelineName);
    this.bucket = props.bucket ?? createBucket(this, this.encryptionKey);
    this.role = props.role ?? new iam.Role(this, 'ExecutionRole', {
      assumedBy: sageMakerPrincipal(this),
      description: `Runs ML pipeline ${this.pipelineName} and its SageMaker jobs`,
    });
    // Our own resources' L1 attributes resolve faster than the L2 ones (which are lazy, for
    // cross-environment names), and the definition references them in every step.
    const ownBucket = props.bucket ? undefined : (this.bucket.node.defaultChild as s3.CfnBucket);
    this.binding = props.orchestrator._renderer.bind({
      scope: this,
      subject: this._subject,
      pipeline: props.pipeline,
      pipelineName: this.pipelineName,
      role: this.role,
      givenRole: props.role !== undefined,
      roleArn: props.role ? this.role.roleArn : (this.role.node.defaultChild as iam.CfnRole).attrArn,
      bucket: this.bucket,
      bucketName: ownBucket ? ownBucket.ref : this.bucket.bucketName,
      bucketArn: ownBucket ? ownBucket.attrArn : this.bucket.bucketArn,
      bucketPrefix: this.bucketPrefix,
      encryptionKey: this.encryptionKey,
      definitionStorage: props.definitionStorage ?? DefinitionStorage.AUTO,
      createModelPackageGroups: props.createModelPackageGroups ?? true,
      trackingUri: props.tracking?.trackingUri,
      schedule: props.schedule,
      catchup: props.catchup,
      startDate: props.startDate,
      maxActiveRuns: props.maxActiveRuns,
    });
    props.tracking?.grantAccess(this.role);
    this.cfnPipeline = this.binding.resource as sagemaker.CfnPipeline | undefined;
    this.pipelineArn = this.binding.pipelineArn;
    this._startArns = this.binding.startArns;
    this._startDependency = this.cfnPipeline;
    this._notStartable = this.binding.notStartable;
    renderAtSynth(this, () => {
      this.renderProblems = this.binding.render();
    });
    writePipelineDocumentAtSynth(this, props.pipeline);
    if (props.bucket) {
      claimBucketPrefix(this, props.bucket, this.bucketPrefix);
    }
    this.node.addValidation({
      validate: () => {
        const prefixProblems = props.bucket ? bucketPrefixProblems(this, props.bucket, this.bucketPrefix) : [];
        return [
          ...this.renderProblems ?? [`${this._subject}: internal: the pipeline was not rendered before validation (was the construct created during synthesis, after aspects ran?)`],
          ...prefixProblems.map((p) => new PipelineValidationError(this._subject, [p]).message),
        ];
      },
    });

    if (!this.binding.eventBridgeRuns) {
      // The engine schedules itself (the schedule is in the compiled DAG) and emits no run events.
      return;
    }
    const topic = props.alarmTopic ?? createTopic(this, this.pipelineName, this.encryptionKey, ownKey);
    this.topic = topic;
    for (const email of props.alarmEmails ?? []) {
      topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    alertOnFailure(this, this.pipelineName, this.pipelineArn, topic);
    if (props.schedule) {
      // The same trigger addTrigger makes; its messages say 'schedule' as the prop is called.
      const triggerProps: PipelineTriggerProps & { _label: string } = { pipeline: this, schedule: props.schedule, _label: 'schedule' };
      this.scheduleTrigger = new PipelineTrigger(this, 'Schedule', triggerProps);
    }
  }

  /**
   * Receives a message for every failed execution; subscribe to it. SageMaker only: on Airflow
   * (MWAA emits no per-run events) reading it is a synth error naming what to use instead.
   */
  public get alarmTopic(): sns.ITopic {
    if (!this.topic) {
      throw new PipelineValidationError(this._subject, [`has no alarm topic: it ${this._notStartable ?? 'has no failure events'}; ` +
        "alert on failures with the DAG's own callbacks or the environment's metrics (AirflowEnvironment.metric...)"]);
    }
    return this.topic;
  }

  /**
   * Lets `grantee` (an endpoint's execution role) read what the pipeline's register steps
   * registered: the model artifacts under the bucket prefix (and their KMS key), and the inference
   * code tarballs the model packages name in SAGEMAKER_SUBMIT_DIRECTORY.
   */
  /** The model package groups the pipeline's register steps write to, as the pipeline is now. */
  public get registeredGroups(): string[] {
    return [...new Set(this.model.allSteps().filter((s): s is RegisterModelStep => isA(s, RegisterModelStep)).map((s) => s.group))].sort();
  }

  public grantReadRegisteredModels(grantee: iam.IGrantable): void {
    this.bucket.grantRead(grantee, `${this.bucketPrefix}/*`);
    this.encryptionKey.grantDecrypt(grantee);
    this.binding.grantReadServingCode(grantee);
  }

  /**
   * The compiled document, which may hold deploy-time values: the one synthesized, or before
   * synthesis the pipeline as it is now. SageMaker: a `SageMakerPipelineDefinition`
   * (lib/compile/sagemaker). Airflow: an `AirflowDag` (lib/compile/airflow: dagId, fileName,
   * source, ...). Typed `any` here to keep the public API jsii-compatible.
   */
  public get definition(): any {
    return this.binding.document().definition;
  }

  /** Where the definition is kept: INLINE or S3 (never AUTO; Airflow: S3, the DAG file in the environment's bucket). */
  public get definitionStorage(): DefinitionStorage {
    return this.binding.document().storage;
  }

  /** The size of the definition in template text (bytes), as measured for the inline budget (Airflow: the DAG file's bytes). */
  public get definitionSize(): number {
    return this.binding.document().size;
  }

  /** @internal */
  public _triggerParameters(given: { [name: string]: string }): { values: { [name: string]: string }; problems: string[] } {
    try {
      const resolved = this.model.resolveParameters(given);
      return { values: Object.fromEntries(Object.keys(given).map((k) => [k, paramText(resolved[k])])), problems: [] };
    } catch (e) {
      if (!isA(e, PipelineValidationError)) {
        throw e;
      }
      return { values: { ...given }, problems: e.problems };
    }
  }
}
