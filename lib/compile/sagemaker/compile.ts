import type { ProcessingInstanceType, TrainingInstanceType } from '@aws-sdk/client-sagemaker';
import { Code } from '../../pipeline/code';
import { Branch, ConditionStep } from '../../pipeline/condition-step';
import { ContainerStep } from '../../pipeline/container-step';
import * as contract from '../../pipeline/contract';
import { PipelineValidationError, show } from '../../pipeline/errors';
import { FailStep } from '../../pipeline/fail-step';
import { PipelineGraph, StepNode } from '../../pipeline/graph';
import { STEP_NAME } from '../../pipeline/names';
import { Pipeline } from '../../pipeline/pipeline';
import { CachePolicy, RetryPolicy } from '../../pipeline/policies';
import { RegisterModelStep } from '../../pipeline/register-model-step';
import { ScriptStep } from '../../pipeline/script-step';
import { Step } from '../../pipeline/step';
import { TrainingStep } from '../../pipeline/training-step';
import { LiteralValue, MetricRef, ParameterRef, StepArtifact, Value, ValueType } from '../../pipeline/values';
import { conditionList } from './conditions';
import {
  CacheConfigDefinition,
  DEFINITION_VERSION,
  ExpressionOrScalar,
  ParameterType,
  PipelineParameterDefinition,
  ProcessingStepDefinition,
  RegisterModelStepDefinition,
  RetryPolicyDefinition,
  SageMakerPipelineDefinition,
  StepDefinition,
  StringValue,
  TrainingStepDefinition,
} from './definition';

type TrainingChannel = NonNullable<TrainingStepDefinition['Arguments']['InputDataConfig']>[number];
type ProcessingInputs = NonNullable<ProcessingStepDefinition['Arguments']['ProcessingInputs']>;
type ProcessingOutputs = NonNullable<ProcessingStepDefinition['Arguments']['ProcessingOutputConfig']>['Outputs'];
type ProcessingS3Input = NonNullable<ProcessingInputs[number]['S3Input']>;

import { closestNames, instanceSpec, JobKind, largestOffered, shortfall, smallestInstanceFor, validInstanceTypes } from './instance-types';
import { DEFAULTS, LIMITS } from './limits';

/** Where a packaged Code archive (lib/runtime packageCode) is stored. */
export interface CodeLocation {
  /** `s3://bucket/key` of the archive. */
  readonly s3Uri: string;
  /** The archive's file name (the key's last segment): SageMaker downloads it under that name. */
  readonly fileName: string;
}

/**
 * Everything deploy-specific the compiler needs. Values may be CDK tokens (opaque strings); the
 * construct serialises the result with `Stack.toJsonString`, which keeps them intact.
 */
export interface SageMakerTarget {
  /** The role the pipeline and its jobs run as. */
  readonly roleArn: string;
  /** The bucket (name) that receives step outputs, metrics and models. */
  readonly bucketName: string;
  /** Key prefix in that bucket, without leading or trailing '/', e.g. 'pipelines/iris'. */
  readonly prefix: string;
  /** KMS key (ARN) that encrypts job outputs and job volumes. @default SageMaker's default encryption */
  readonly kmsKeyArn?: string;
  /** Image for script and training steps that name none. */
  readonly defaultImage: string;
  /** Image registered models are served with when their step names none. @default defaultImage */
  readonly defaultInferenceImage?: string;
  /** Where each Code's archive is. */
  readonly codeLocation: (code: Code) => CodeLocation;
  /** True for deploy-time values (CDK tokens), which are used as given and not checked. @default never */
  readonly isUnresolved?: (value: string) => boolean;
}

/** The engine name in messages and in MLOPS_ENGINE. */
export const ENGINE = 'sagemaker';

/** Fixed names the compiler adds next to the user's inputs and outputs (none is a legal model identifier). */
export const CODE_INPUT = 'mlops-code';
export const METRICS_OUTPUT = 'mlops-metrics';
export const METRICS_PROPERTY_FILE = 'metrics';

const PROCESSING_ROOT = '/opt/ml/processing';
const TRAINING_INPUT_ROOT = '/opt/ml/input/data';
const TRAINING_MODEL_DIR = '/opt/ml/model';
const TRAINING_METRICS_FILE = '/opt/ml/output/data/metrics.json';

/** An ECR image reference, the only registry SageMaker jobs pull from without extra setup. */
const ECR_IMAGE = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[a-z0-9][a-z0-9._/-]*(:[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})?$/;

const PARAMETER_TYPES: { [t in ValueType]: ParameterType } = {
  [ValueType.STRING]: 'String',
  [ValueType.INTEGER]: 'Integer',
  [ValueType.NUMBER]: 'Float',
  [ValueType.BOOLEAN]: 'Boolean',
};

/** The run's execution id; one frozen object shared by every step that uses it. */
const EXECUTION_ID = Object.freeze({ Get: 'Execution.PipelineExecutionId' });
const METRICS_PROPERTY_FILES = Object.freeze([Object.freeze({ PropertyFileName: METRICS_PROPERTY_FILE, OutputName: METRICS_OUTPUT, FilePath: contract.METRICS_FILE_NAME })]);

/** Retried by SageMaker itself; a script's own non-zero exit is retried by the launcher. */
const SERVICE_FAULTS: RetryPolicyDefinition['ExceptionType'] = ['Step.SERVICE_FAULT', 'Step.THROTTLING'];
const JOB_FAULTS: RetryPolicyDefinition['ExceptionType'] = ['SageMaker.JOB_INTERNAL_ERROR', 'SageMaker.CAPACITY_ERROR', 'SageMaker.RESOURCE_LIMIT'];

/**
 * Compiles a pipeline to a SageMaker Pipelines definition. Pure and deterministic: the same model
 * and target give the same document. Throws a PipelineValidationError listing every problem,
 * model problems first, then what SageMaker cannot run.
 */
export function compileSageMaker(pipeline: Pipeline, target: SageMakerTarget): SageMakerPipelineDefinition {
  return new SageMakerCompiler(pipeline, pipeline.graph(), target).compile();
}

/** One SageMaker step a model step becomes (forEach steps become one per item). */
interface Copy {
  readonly name: string;
  readonly item?: string;
}

class SageMakerCompiler {
  private readonly problems: string[] = [];
  private readonly copies = new Map<Step, Copy[]>();
  private readonly members = new Map<ConditionStep, { then: StepNode[]; otherwise: StepNode[] }>();
  private readonly isUnresolved: (value: string) => boolean;
  /**
   * Parts that are the same for many steps (a Code's input and entrypoint, a cluster, a retry
   * policy) are built once, frozen, and shared: a 1,000-step pipeline then allocates a fraction
   * of the objects. JSON serialisation and CDK token resolution do not care about sharing.
   */
  private readonly shared = new Map<unknown, unknown>();

  constructor(
    private readonly pipeline: Pipeline,
    private readonly graph: PipelineGraph,
    private readonly target: SageMakerTarget,
  ) {
    this.isUnresolved = target.isUnresolved ?? (() => false);
  }

  public compile(): SageMakerPipelineDefinition {
    this.nameCopies();
    const topLevel: StepNode[] = [];
    for (const node of this.graph.nodes) {
      const inner = node.scope[node.scope.length - 1];
      if (inner === undefined) {
        topLevel.push(node);
      } else {
        let branches = this.members.get(inner.condition);
        if (!branches) {
          branches = { then: [], otherwise: [] };
          this.members.set(inner.condition, branches);
        }
        branches[inner.branch === Branch.THEN ? 'then' : 'otherwise'].push(node);
      }
    }
    const definition: SageMakerPipelineDefinition = {
      Version: DEFINITION_VERSION,
      Metadata: {},
      Parameters: this.parameters(),
      Steps: topLevel.flatMap((node) => this.step(node)),
    };
    if (this.problems.length > 0) {
      throw new PipelineValidationError(`Pipeline '${this.pipeline.name}' on SageMaker`, this.problems);
    }
    return definition;
  }

  private once<T>(key: unknown, make: () => T): T {
    let value = this.shared.get(key) as T | undefined;
    if (value === undefined) {
      value = deepFreeze(make());
      this.shared.set(key, value);
    }
    return value;
  }

  private problem(step: Step, message: string): void {
    this.problems.push(`step '${step.name}': ${message}`);
  }

  /** SageMaker step names: the model's name, or one per forEach item, checked for validity and clashes. */
  private nameCopies(): void {
    const taken = new Map<string, Step>();
    for (const node of this.graph.nodes) {
      const step = node.step;
      const items = step instanceof ScriptStep ? step.forEach : undefined;
      const copies: Copy[] = items ? items.map((item) => ({ name: `${step.name}-${item}`, item })) : [{ name: step.name }];
      for (const copy of copies) {
        if (copy.item !== undefined && !STEP_NAME.pattern.test(copy.name)) {
          this.problem(step, `forEach item ${show(copy.item)} gives the SageMaker step name ${show(copy.name)}, which is invalid (allowed: ${STEP_NAME.allowed}); use items of letters, digits, '-' and '_', or a shorter step name`);
        }
        const other = taken.get(copy.name);
        if (other !== undefined && other !== step) {
          this.problem(step, `forEach item ${show(copy.item ?? copy.name)} gives the SageMaker step name ${show(copy.name)}, which step '${other.name}' already has; SageMaker step names must be unique, rename one of the steps or items`);
        }
        taken.set(copy.name, step);
      }
      this.copies.set(step, copies);
    }
  }

  private parameters(): PipelineParameterDefinition[] {
    return Object.entries(this.pipeline.parameters).map(([name, p]) => ({
      Name: name,
      Type: PARAMETER_TYPES[p.type],
      ...(p.defaultValue !== undefined ? { DefaultValue: p.defaultValue } : {}),
      ...(p.allowedValues ? { EnumValues: [...p.allowedValues] } : {}),
    }));
  }

  private step(node: StepNode): StepDefinition[] {
    const step = node.step;
    if (step instanceof ScriptStep) {
      return this.copies.get(step)!.map((copy) => this.processingStep(node, step, copy));
    }
    if (step instanceof TrainingStep) {
      return [this.trainingStep(node, step)];
    }
    if (step instanceof ConditionStep) {
      return [this.conditionStep(step)];
    }
    if (step instanceof RegisterModelStep) {
      return [this.registerModelStep(step)];
    }
    if (step instanceof FailStep) {
      return [{ Name: step.name, Type: 'Fail', ...this.common(step), Arguments: { ErrorMessage: step.message } }];
    }
    this.problem(step, `steps of kind '${step.kind}' are not supported on SageMaker; remove the step or run the pipeline on an engine that has it`);
    return [];
  }

  /** Description and DependsOn, shared by every step type. */
  private common(step: Step): { Description?: string; DependsOn?: string[] } {
    const common: { Description?: string; DependsOn?: string[] } = {};
    if (step.description !== undefined) {
      common.Description = step.description;
    }
    if (step.dependsOn.length > 0) {
      common.DependsOn = step.dependsOn.flatMap((d) => (this.copies.get(d) ?? [{ name: d.name }]).map((c) => c.name));
    }
    return common;
  }

  private processingStep(node: StepNode, step: ScriptStep, copy: Copy): ProcessingStepDefinition {
    const codeDir = `${PROCESSING_ROOT}/mlops/code`;
    const metricsDir = `${PROCESSING_ROOT}/mlops/metrics`;
    const hasMetrics = step.metricNames.length + step.stringMetricNames.length > 0;
    const code = this.once(step.code, () => this.target.codeLocation(step.code));
    const env: { [name: string]: StringValue } = {};
    const inputs: ProcessingInputs = [
      this.once(`processing-code:${code.s3Uri}`, () => ({ InputName: CODE_INPUT, S3Input: this.processingS3Input(code.s3Uri, codeDir) })),
    ];
    const modelInputs: string[] = [];
    for (const [name, source] of Object.entries(step.inputs())) {
      const localPath = `${PROCESSING_ROOT}/input/${name}`;
      inputs.push({ InputName: name, S3Input: this.processingS3Input(this.sourceUri(step, name, source), localPath) });
      env[contract.inputVar(name)] = localPath;
      if (source instanceof StepArtifact && source.isModel) {
        modelInputs.push(name);
      }
    }
    const outputs: ProcessingOutputs = [];
    for (const name of step.outputNames) {
      const localPath = `${PROCESSING_ROOT}/output/${name}`;
      outputs.push({ OutputName: name, S3Output: { S3Uri: this.outputUri(copy.name, name), LocalPath: localPath, S3UploadMode: 'EndOfJob' } });
      env[contract.outputVar(name)] = localPath;
    }
    if (hasMetrics) {
      outputs.push({ OutputName: METRICS_OUTPUT, S3Output: { S3Uri: this.outputUri(copy.name, 'metrics'), LocalPath: metricsDir, S3UploadMode: 'EndOfJob' } });
      env[contract.METRICS_FILE_VAR] = `${metricsDir}/${contract.METRICS_FILE_NAME}`;
    }
    if (inputs.length > LIMITS.processingInputs) {
      this.problem(step, `has ${inputs.length - 1} inputs, but a SageMaker processing job takes at most ${LIMITS.processingInputs} (one carries the step's code), so at most ${LIMITS.processingInputs - 1}; merge inputs into fewer directories`);
    }
    if (outputs.length > LIMITS.processingOutputs) {
      this.problem(step, `has ${step.outputNames.length} outputs${hasMetrics ? ' plus its metrics' : ''}, but a SageMaker processing job writes at most ${LIMITS.processingOutputs}; merge outputs into fewer directories`);
    }

    const retry = node.retry;
    const instance = this.instanceType(step, node, JobKind.PROCESSING);
    const volumeGiB = this.volumeGiB(step, node, LIMITS.processingVolumeGiB);
    const timeout = step.timeoutSeconds;
    if (timeout !== undefined && timeout > LIMITS.processingRuntimeSeconds) {
      this.problem(step, `timeoutSeconds ${timeout} is more than a SageMaker processing job may run (${LIMITS.processingRuntimeSeconds} s, 9 days); lower it or make the step a training step`);
    }
    const args: ProcessingStepDefinition['Arguments'] = {
      ProcessingInputs: inputs,
      ProcessingOutputConfig: { Outputs: outputs, ...this.kmsKey() },
      ProcessingResources: this.once(`cluster:${instance.name}:${volumeGiB}:${instance.volumeKey}`, () => ({
        ClusterConfig: { InstanceCount: 1, InstanceType: instance.name as ProcessingInstanceType, VolumeSizeInGB: volumeGiB, ...(instance.volumeKey ? this.volumeKey() : {}) },
      })),
      ...(timeout !== undefined ? { StoppingCondition: { MaxRuntimeInSeconds: timeout } } : {}),
      AppSpecification: {
        ImageUri: this.image(step, step.image ?? this.target.defaultImage),
        ContainerEntrypoint: this.once(`processing-entrypoint:${code.fileName}`, () => ['python3', `${codeDir}/${code.fileName}`]),
        ContainerArguments: this.launcherArguments(step, retry, modelInputs, false),
      },
      Environment: this.environment(step, node, copy, env, LIMITS.processingEnvironmentValue),
      RoleArn: this.target.roleArn,
    };
    return {
      Name: copy.name,
      Type: 'Processing',
      ...this.common(step),
      Arguments: args,
      ...(hasMetrics ? { PropertyFiles: METRICS_PROPERTY_FILES as ProcessingStepDefinition['PropertyFiles'] } : {}),
      ...this.cacheConfig(node.cache),
      ...this.retryPolicies(step, retry),
    };
  }

  private trainingStep(node: StepNode, step: TrainingStep): TrainingStepDefinition {
    const codeDir = `${TRAINING_INPUT_ROOT}/${CODE_INPUT}`;
    const code = this.once(step.code, () => this.target.codeLocation(step.code));
    const env: { [name: string]: StringValue } = {
      [contract.MODEL_DIR_VAR]: TRAINING_MODEL_DIR,
      [contract.METRICS_FILE_VAR]: TRAINING_METRICS_FILE,
    };
    const channels: TrainingChannel[] = [this.once(`training-code:${code.s3Uri}`, () => this.channel(CODE_INPUT, code.s3Uri))];
    const modelInputs: string[] = [];
    for (const [name, source] of Object.entries(step.inputs())) {
      channels.push(this.channel(name, this.sourceUri(step, name, source)));
      env[contract.inputVar(name)] = `${TRAINING_INPUT_ROOT}/${name}`;
      if (source instanceof StepArtifact && source.isModel) {
        modelInputs.push(name);
      }
    }
    if (channels.length > LIMITS.trainingChannels) {
      this.problem(step, `has ${channels.length - 1} inputs, but a SageMaker training job takes at most ${LIMITS.trainingChannels} channels (one carries the step's code), so at most ${LIMITS.trainingChannels - 1}; merge inputs into fewer directories`);
    }
    if (step.metricNames.length > LIMITS.trainingMetrics) {
      this.problem(step, `declares ${step.metricNames.length} metrics, but a SageMaker training job reports at most ${LIMITS.trainingMetrics}; keep the ones conditions read`);
    }
    const retry = node.retry;
    const instance = this.instanceType(step, node, JobKind.TRAINING);
    const volumeGiB = this.volumeGiB(step, node, undefined);
    const args: TrainingStepDefinition['Arguments'] = {
      AlgorithmSpecification: {
        TrainingImage: this.image(step, step.image ?? this.target.defaultImage),
        TrainingInputMode: 'File',
        ContainerEntrypoint: this.once(`training-entrypoint:${code.fileName}`, () => ['python3', `${codeDir}/${code.fileName}`]),
        ContainerArguments: this.launcherArguments(step, retry, modelInputs, true),
        ...(step.metricNames.length > 0 ? { MetricDefinitions: step.metricNames.map((m) => ({ Name: m, Regex: metricRegex(m) })) } : {}),
      },
      RoleArn: this.target.roleArn,
      InputDataConfig: channels,
      OutputDataConfig: { S3OutputPath: `s3://${this.target.bucketName}/${this.target.prefix}/${step.name}`, ...this.kmsKey() },
      ResourceConfig: this.once(`resources:${instance.name}:${volumeGiB}:${instance.volumeKey}`, () => (
        { InstanceType: instance.name as TrainingInstanceType, InstanceCount: 1, VolumeSizeInGB: volumeGiB, ...(instance.volumeKey ? this.volumeKey() : {}) })),
      StoppingCondition: { MaxRuntimeInSeconds: step.timeoutSeconds ?? DEFAULTS.trainingRuntimeSeconds },
      Environment: this.environment(step, node, { name: step.name }, env, LIMITS.trainingEnvironmentValue),
    };
    return {
      Name: step.name,
      Type: 'Training',
      ...this.common(step),
      Arguments: args,
      ...this.cacheConfig(node.cache),
      ...this.retryPolicies(step, retry),
    };
  }

  private conditionStep(step: ConditionStep): StepDefinition {
    const branches = this.members.get(step) ?? { then: [], otherwise: [] };
    let conditions: ReturnType<typeof conditionList> = [];
    try {
      conditions = conditionList(step.when, (v) => this.value(step, v));
    } catch (e) {
      this.problem(step, (e as Error).message);
    }
    return {
      Name: step.name,
      Type: 'Condition',
      ...this.common(step),
      Arguments: {
        Conditions: conditions,
        IfSteps: branches.then.flatMap((n) => this.step(n)),
        ElseSteps: branches.otherwise.flatMap((n) => this.step(n)),
      },
    };
  }

  private registerModelStep(step: RegisterModelStep): RegisterModelStepDefinition {
    if (step.description !== undefined && step.description.length > LIMITS.modelPackageDescription) {
      this.problem(step, `description has ${step.description.length} characters, but a SageMaker model package description takes at most ${LIMITS.modelPackageDescription}; shorten it`);
    }
    const args: RegisterModelStepDefinition['Arguments'] = {
      ModelPackageGroupName: step.group,
      ...(step.description !== undefined ? { ModelPackageDescription: step.description } : {}),
      InferenceSpecification: {
        Containers: [{
          Image: this.image(step, step.image ?? this.target.defaultInferenceImage ?? this.target.defaultImage),
          ModelDataUrl: this.sourceUri(step, 'model', step.model),
        }],
        SupportedContentTypes: [...step.contentTypes],
        SupportedResponseMIMETypes: [...step.responseTypes],
      },
      ModelApprovalStatus: step.approval,
    };
    return { Name: step.name, Type: 'RegisterModel', ...this.common(step), Arguments: args };
  }

  // ---- pieces ----------------------------------------------------------------------------

  private processingS3Input(s3Uri: StringValue, localPath: string): ProcessingS3Input {
    return {
      S3Uri: s3Uri,
      LocalPath: localPath,
      S3DataType: 'S3Prefix',
      S3InputMode: 'File',
      S3DataDistributionType: 'FullyReplicated',
      S3CompressionType: 'None',
    };
  }

  private channel(name: string, s3Uri: StringValue): TrainingChannel {
    return {
      ChannelName: name,
      DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: s3Uri, S3DataDistributionType: 'FullyReplicated' } },
      InputMode: 'File',
      CompressionType: 'None',
    };
  }

  /** Each run writes its outputs under its own execution id, so runs never overwrite each other. */
  private outputUri(stepName: string, output: string): StringValue {
    return {
      'Std:Join': {
        On: '/',
        Values: ['s3:/', this.target.bucketName, this.target.prefix, EXECUTION_ID, stepName, output],
      },
    };
  }

  /** The S3 location of the data an input reads. */
  private sourceUri(step: Step, input: string, source: unknown): StringValue {
    if (source instanceof StepArtifact) {
      return source.isModel
        ? { Get: `Steps.${source.producer.name}.ModelArtifacts.S3ModelArtifacts` }
        : { Get: `Steps.${source.producer.name}.ProcessingOutputConfig.Outputs['${source.name}'].S3Output.S3Uri` };
    }
    this.problem(step, `input '${input}' reads ${String(source)}, a kind of data source SageMaker pipelines cannot read yet; read another step's output or model`);
    return '';
  }

  /** A value a condition compares or a step reads. */
  private value(step: Step, value: Value): ExpressionOrScalar {
    if (value instanceof LiteralValue) {
      return value.value;
    }
    if (value instanceof ParameterRef) {
      return { Get: `Parameters.${value.name}` };
    }
    if (value instanceof MetricRef) {
      if (value.step instanceof TrainingStep) {
        return { Get: `Steps.${value.step.name}.FinalMetricDataList['${value.name}'].Value` };
      }
      return { 'Std:JsonGet': { PropertyFile: { Get: `Steps.${value.step.name}.PropertyFiles.${METRICS_PROPERTY_FILE}` }, Path: value.name } };
    }
    this.problem(step, `value ${String(value)} has no SageMaker Pipelines form`);
    return '';
  }

  private launcherArguments(step: ContainerStep, retry: RetryPolicy | undefined, modelInputs: string[], echoMetrics: boolean): string[] {
    const args = ['--entry', step.entry];
    if (retry && retry.maxRetries > 0) {
      args.push('--retries', String(retry.maxRetries), '--interval', String(retry.intervalSeconds), '--backoff', String(retry.backoffRate));
    }
    step.metricNames.forEach((m) => args.push('--metric', m));
    if (step instanceof ScriptStep) {
      step.stringMetricNames.forEach((m) => args.push('--string-metric', m));
    }
    if (echoMetrics && step.metricNames.length > 0) {
      args.push('--echo-metrics');
    }
    modelInputs.forEach((input) => args.push('--unpack', input));
    if (step.arguments.length > 0) {
      args.push('--', ...step.arguments);
    }
    if (args.length > LIMITS.containerArguments) {
      this.problem(step, `needs ${args.length} container arguments (the launcher's options plus the script's ${step.arguments.length} arguments), but SageMaker takes at most ${LIMITS.containerArguments}; pass long lists in a file or a parameter`);
    }
    const tooLong = args.find((a) => a.length > LIMITS.containerArgumentLength);
    if (tooLong !== undefined) {
      this.problem(step, `argument ${show(tooLong.slice(0, 40) + '...')} has ${tooLong.length} characters, but SageMaker takes at most ${LIMITS.containerArgumentLength} per container argument; pass it in a file or split it`);
    }
    return args;
  }

  /** The step contract's variables, params and the user's env, sorted by name. */
  private environment(
    step: ContainerStep,
    node: StepNode,
    copy: Copy,
    /** The step's input, output and metrics variables; completed in place. */
    io: { [name: string]: StringValue },
    maxValue: number,
  ): { [name: string]: StringValue } {
    const env: { [name: string]: StringValue } = io;
    env[contract.ENGINE_VAR] = ENGINE;
    env[contract.PIPELINE_VAR] = this.pipeline.name;
    env[contract.STEP_VAR] = step.name;
    // A cached step's arguments must stay the same from run to run, so it does not get the run id.
    if (!node.cache?.enabled) {
      env[contract.RUN_ID_VAR] = EXECUTION_ID;
    }
    if (copy.item !== undefined) {
      env[contract.ITEM_VAR] = copy.item;
    }
    for (const name in step.params) {
      const value = step.params[name];
      env[contract.paramVar(name)] = value instanceof ParameterRef
        ? this.once(`parameter-text:${value.name}`, () => ({ 'Std:Join': { On: '', Values: [{ Get: `Parameters.${value.name}` }] } }))
        : contract.paramText((value as LiteralValue).value);
    }
    Object.assign(env, step.env);
    const names = Object.keys(env).sort();
    if (names.length > LIMITS.environmentEntries) {
      this.problem(step, `needs ${names.length} environment variables (the step contract's plus ${Object.keys(step.params).length} params and ${Object.keys(step.env).length} env entries), but SageMaker takes at most ${LIMITS.environmentEntries}; pass fewer params or env entries`);
    }
    const sorted: { [name: string]: StringValue } = {};
    for (const name of names) {
      const value = env[name];
      if (typeof value === 'string' && value.length > maxValue && !this.isUnresolved(value)) {
        this.problem(step, `environment variable ${name} is ${value.length} characters long, but SageMaker takes at most ${maxValue} for this job type; shorten the value or pass it in a file`);
      }
      sorted[name] = value;
    }
    return sorted;
  }

  private image(step: Step, image: string): string {
    if (!this.isUnresolved(image) && !ECR_IMAGE.test(image)) {
      this.problem(step, `image ${show(image)} is not in Amazon ECR, and SageMaker runs images only from ECR (<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>); push it to an ECR repository and use that URI, or leave image out for the region's scikit-learn image`);
    }
    return image;
  }

  /** The instance type for a job, and whether its volume can take a KMS key. */
  private instanceType(step: ContainerStep, node: StepNode, kind: JobKind): { name: string; volumeKey: boolean } {
    const resources = node.resources ?? {};
    const explicit = resources.sageMakerInstanceType;
    const jobType = kind === JobKind.PROCESSING ? 'processing' : 'training';
    if (explicit !== undefined) {
      const spec = instanceSpec(explicit);
      if (spec) {
        const short = shortfall(spec, resources);
        if (short) {
          this.problem(step, `resources ask for ${short} but sageMakerInstanceType is ${show(explicit)}; choose a larger instance type or lower the resources`);
        }
        return { name: explicit, volumeKey: !spec.instanceStorage };
      }
      const valid = validInstanceTypes(kind);
      if (!valid.has(explicit)) {
        const otherKind = kind === JobKind.PROCESSING ? JobKind.TRAINING : JobKind.PROCESSING;
        const elsewhere = validInstanceTypes(otherKind).has(explicit) ? ` (SageMaker has it for ${otherKind} jobs only)` : '';
        this.problem(step, `sageMakerInstanceType ${show(explicit)} is not a SageMaker ${jobType} instance type${elsewhere}; closest valid: ${closestNames(explicit, valid).join(', ')}`);
      }
      // Outside the table we cannot tell whether it has instance storage: leave the volume key out.
      return { name: explicit, volumeKey: false };
    }
    const spec = smallestInstanceFor(resources);
    if (!spec) {
      const max = largestOffered();
      this.problem(step, `no SageMaker instance type fits resources ${JSON.stringify(pick(resources))} (the largest offered here: ${max.vcpu} vCPUs, ${max.memoryGiB} GiB, ${max.gpu} GPUs, not all on one type); lower the resources or set resources.sageMakerInstanceType`);
      return { name: 'ml.m5.large', volumeKey: true };
    }
    return { name: spec.name, volumeKey: !spec.instanceStorage };
  }

  private volumeGiB(step: ContainerStep, node: StepNode, max: number | undefined): number {
    const disk = node.resources?.diskGiB;
    const size = disk === undefined ? DEFAULTS.volumeGiB : Math.ceil(disk);
    if (max !== undefined && size > max) {
      this.problem(step, `resources.diskGiB ${disk} is more than a SageMaker processing volume holds (${max} GiB); lower it`);
    }
    return size;
  }

  private kmsKey(): { KmsKeyId?: string } {
    return this.target.kmsKeyArn !== undefined ? { KmsKeyId: this.target.kmsKeyArn } : {};
  }

  private volumeKey(): { VolumeKmsKeyId?: string } {
    return this.target.kmsKeyArn !== undefined ? { VolumeKmsKeyId: this.target.kmsKeyArn } : {};
  }

  private cacheConfig(cache: CachePolicy | undefined): { CacheConfig?: CacheConfigDefinition } {
    if (!cache?.enabled) {
      return {};
    }
    const hours = cache.expireAfterHours;
    return { CacheConfig: this.once(cache, () => ({ Enabled: true, ...(hours !== undefined ? { ExpireAfter: isoDuration(hours) } : {}) })) };
  }

  /**
   * SageMaker retries its own faults (service errors, throttling, capacity, internal job errors);
   * the launcher retries the script. Both follow the model's policy.
   */
  private retryPolicies(step: Step, retry: RetryPolicy | undefined): { RetryPolicies?: RetryPolicyDefinition[] } {
    if (!retry || retry.maxRetries === 0) {
      return {};
    }
    if (retry.maxRetries > LIMITS.maxRetryAttempts) {
      this.problem(step, `retry maxRetries ${retry.maxRetries} is more than SageMaker allows (RetryPolicy MaxAttempts 1 to ${LIMITS.maxRetryAttempts}); use RetryPolicy.of({ maxRetries: ${LIMITS.maxRetryAttempts} }) or fewer`);
    }
    return {
      RetryPolicies: this.once(retry, () => {
        const policy = { IntervalSeconds: Math.ceil(retry.intervalSeconds), BackoffRate: retry.backoffRate, MaxAttempts: Math.min(retry.maxRetries, LIMITS.maxRetryAttempts) };
        return [{ ExceptionType: SERVICE_FAULTS, ...policy }, { ExceptionType: JOB_FAULTS, ...policy }];
      }),
    };
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** The regex SageMaker applies to a training job's log to read metric `name` ("[mlops-metric] name=value"). */
export function metricRegex(name: string): string {
  return `\\[mlops-metric\\] ${name}=([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)`;
}

/** Hours as an ISO 8601 duration in whole hours or minutes (SageMaker's smallest cache unit). */
export function isoDuration(hours: number): string {
  if (Number.isInteger(hours)) {
    return `PT${hours}H`;
  }
  return `PT${Math.ceil(hours * 60)}M`;
}

function pick(resources: { cpu?: number; memoryGiB?: number; gpu?: number }): object {
  return Object.fromEntries(Object.entries({ cpu: resources.cpu, memoryGiB: resources.memoryGiB, gpu: resources.gpu }).filter(([, v]) => v !== undefined));
}
