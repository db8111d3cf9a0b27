import { ArtifactType, DataSource, describeType } from '../../pipeline/artifacts';
import { isA } from '../../pipeline/brand';
import { Code } from '../../pipeline/code';
import { ContainerStep } from '../../pipeline/steps/container-step';
import { PipelineValidationError, show } from '../../pipeline/errors';
import { PipelineGraph, StepNode } from '../../pipeline/graph';
import { sourceHandler, stepHandler } from '../../pipeline/handlers';
import { STEP_NAME } from '../../pipeline/names';
import { Pipeline } from '../../pipeline/pipeline';
import { Step } from '../../pipeline/step';
import { LiteralValue, MetricRef, ParameterRef, Value, ValueType } from '../../pipeline/values';
import { ENGINE_NAME } from './constants';
import { sageMakerRuleProblems } from './limits';
import {
  DEFINITION_VERSION,
  ExpressionOrScalar,
  ParameterType,
  PipelineExpression,
  PipelineParameterDefinition,
  SageMakerPipelineDefinition,
  StepDefinition,
} from './definition';
import { SAGEMAKER_SOURCES } from './sources';
import { ResolvedSource, SourcePart } from './sources/resolver';
import { SAGEMAKER_STEPS } from './steps';
import { SageMakerStepHandler } from './steps/handler';

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
  /**
   * The S3 URI of a Code as a `sourcedir.tar.gz` (packageCodeTarball), for register steps'
   * inference code (SAGEMAKER_SUBMIT_DIRECTORY). @default register steps cannot have inference code
   */
  readonly inferenceCodeUri?: (code: Code) => string;
  /**
   * The S3 URI of a Code as a tar.gz with the launcher beside it as `_mlops_launcher.py`
   * (packageTrialTarball), for tuning trials: SageMaker's training toolkit downloads it from
   * sagemaker_submit_directory and runs the launcher. @default tuning steps cannot be compiled
   */
  readonly trialCodeUri?: (code: Code) => string;
  /** MLFLOW_TRACKING_URI of every step (a SageMaker MLflow tracking server's ARN). @default none */
  readonly trackingUri?: string;
  /** True for deploy-time values (CDK tokens), which are used as given and not checked. @default never */
  readonly isUnresolved?: (value: string) => boolean;
}

/**
 * Compiles a pipeline to a SageMaker Pipelines definition. Pure and deterministic: the same model
 * and target give the same document. Throws a PipelineValidationError listing every problem,
 * model problems first, then what SageMaker cannot run.
 */
export function compileSageMaker(pipeline: Pipeline, target: SageMakerTarget): SageMakerPipelineDefinition {
  return new SageMakerCompilation(pipeline, pipeline.graph(), target).compile();
}

/** One SageMaker step a model step becomes (forEach steps become one per item). */
export interface Copy {
  readonly name: string;
  readonly item?: string;
}

/** An ECR image reference, the only registry SageMaker jobs pull from without extra setup. */
const ECR_IMAGE = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[a-z0-9][a-z0-9._/-]*(:[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})?$/;

const PARAMETER_TYPES: { [t in ValueType]: ParameterType } = {
  [ValueType.STRING]: 'String',
  [ValueType.INTEGER]: 'Integer',
  [ValueType.NUMBER]: 'Float',
  [ValueType.BOOLEAN]: 'Boolean',
};

/**
 * One compilation: the driver that hands each step to its kind's handler (SAGEMAKER_STEPS) and
 * each input to its source kind's resolver (SAGEMAKER_SOURCES), and the state they share.
 */
export class SageMakerCompilation {
  public readonly problems: string[] = [];
  public readonly isUnresolved: (value: string) => boolean;
  private readonly seenProblems = new Set<string>();
  private readonly validImages = new Set<string>();
  private readonly copies = new Map<Step, Copy[]>();
  private readonly members = new Map<Step, Map<string, StepNode[]>>();
  private readonly ports = new Map<Step, { readonly [port: string]: ArtifactType }>();
  /**
   * Parts that are the same for many steps (a Code's input and entrypoint, a cluster, a retry
   * policy) are built once, frozen, and shared: a 1,000-step pipeline then allocates a fraction
   * of the objects. JSON serialisation and CDK token resolution do not care about sharing.
   */
  private readonly shared = new Map<unknown, Map<unknown, unknown>>();

  constructor(
    public readonly pipeline: Pipeline,
    public readonly graph: PipelineGraph,
    public readonly target: SageMakerTarget,
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
          branches = new Map();
          this.members.set(inner.condition, branches);
        }
        let members = branches.get(inner.branch);
        if (!members) {
          members = [];
          branches.set(inner.branch, members);
        }
        members.push(node);
      }
    }
    const definition: SageMakerPipelineDefinition = {
      Version: DEFINITION_VERSION,
      Metadata: {},
      Parameters: this.parameters(),
      Steps: this.steps(topLevel),
    };
    this.problems.push(...sageMakerRuleProblems(this.pipeline, this.graph));
    if (this.problems.length > 0) {
      throw new PipelineValidationError(`Pipeline '${this.pipeline.name}' on ${ENGINE_NAME}`, this.problems);
    }
    return definition;
  }

  /** The SageMaker steps of `nodes`, each compiled by its kind's handler. */
  public steps(nodes: readonly StepNode[]): StepDefinition[] {
    return nodes.flatMap((node) => stepHandler(SAGEMAKER_STEPS, node.step, ENGINE_NAME, this.problems)?.steps(this, node) ?? []);
  }

  /** The direct members of one branch of a condition step, in order. */
  public branch(condition: Step, branch: string): StepNode[] {
    return this.members.get(condition)?.get(branch) ?? [];
  }

  /** The handler of a step's kind, without reporting a missing one (the step itself reports it). */
  public handlerOf(step: Step): SageMakerStepHandler | undefined {
    return Object.prototype.hasOwnProperty.call(SAGEMAKER_STEPS, step.kind) ? SAGEMAKER_STEPS[step.kind] : undefined;
  }

  /** The step's output ports (memoized: every reader asks its producer). */
  public portsOf(step: Step): { readonly [port: string]: ArtifactType } {
    let ports = this.ports.get(step);
    if (ports === undefined) {
      ports = step.outputPorts();
      this.ports.set(step, ports);
    }
    return ports;
  }

  /** The SageMaker steps a model step becomes: itself, or one per forEach item. */
  public copiesOf(step: Step): Copy[] {
    return this.copies.get(step) ?? [{ name: step.name }];
  }

  /** Where input `input` of `reader` reads its data, resolved by the source kind's resolver. */
  public resolve(reader: Step, input: string, source: DataSource): ResolvedSource | undefined {
    return sourceHandler(SAGEMAKER_SOURCES, reader, input, source, ENGINE_NAME, this.problems)?.resolve(this, reader, input, source);
  }

  /**
   * Where one copy of the producer of `source` wrote the port `source` names, as its kind's handler
   * says; undefined after a problem (or when the producer's kind has no handler, which it reports).
   */
  public outputOf(reader: Step, input: string, source: DataSource & { readonly name: string }, copy: Copy): SourcePart | undefined {
    const producer = source.producer!;
    const handler = this.handlerOf(producer);
    if (handler === undefined) {
      return undefined;
    }
    const location = handler.output?.(this, producer, copy, source.name, source.type);
    if (location === undefined) {
      this.problem(reader, `input '${input}' reads ${source}, ${describeType(source.type)} that a SageMaker ${producer.kind} step cannot pass to another step; read another port of '${producer.name}'`);
    }
    return location;
  }

  /**
   * Builds a shared part once, frozen, by key and tag (what is built from the key). Most keys are
   * values the model already holds; instance clusters are keyed by a short string of their fields.
   */
  public once<T>(key: unknown, make: () => T, tag: unknown = ''): T {
    let byTag = this.shared.get(key);
    if (byTag === undefined) {
      byTag = new Map();
      this.shared.set(key, byTag);
    }
    let value = byTag.get(tag) as T | undefined;
    if (value === undefined) {
      value = deepFreeze(make());
      byTag.set(tag, value);
    }
    return value;
  }

  /** Reports a problem of `step` (once, however many copies of the step repeat it). */
  public problem(step: Step, message: string): void {
    const text = `step '${step.name}': ${message}`;
    if (!this.seenProblems.has(text)) {
      this.seenProblems.add(text);
      this.problems.push(text);
    }
  }

  /** Description and DependsOn, shared by every step type. */
  public common(step: Step): { Description?: string; DependsOn?: string[] } {
    const common: { Description?: string; DependsOn?: string[] } = {};
    if (step.description !== undefined) {
      common.Description = step.description;
    }
    if (step.dependsOn.length > 0) {
      common.DependsOn = step.dependsOn.flatMap((d) => this.copiesOf(d).map((c) => c.name));
    }
    return common;
  }

  /** A value a condition compares or a step reads. */
  public value(step: Step, value: Value): ExpressionOrScalar {
    if (isA(value, LiteralValue)) {
      return value.value;
    }
    if (isA(value, ParameterRef)) {
      return { Get: `Parameters.${value.name}` };
    }
    if (isA(value, MetricRef)) {
      const handler = this.handlerOf(value.step);
      const expression = handler?.metric?.(this, value.step, value.name);
      if (expression !== undefined) {
        return expression;
      }
      if (handler !== undefined) {
        this.problem(step, `reads metric '${value.name}' of '${value.step.name}', but SageMaker cannot read the metrics of ${value.step.kind} steps in a condition; read a metric of a script or training step`);
      }
      return '';
    }
    this.problem(step, `value ${String(value)} has no SageMaker Pipelines form`);
    return '';
  }

  /** A pipeline parameter as text, for a job's Environment (shared by every step that uses it). */
  public parameterText(name: string): PipelineExpression {
    return this.once(name, () => ({ 'Std:Join': { On: '', Values: [{ Get: `Parameters.${name}` }] } }), 'parameter-text');
  }

  /** Checks that an image is one SageMaker can run (tokens pass unchecked). */
  public image(step: Step, image: string): string {
    if (this.validImages.has(image)) {
      return image;
    }
    if (this.isUnresolved(image) || ECR_IMAGE.test(image)) {
      this.validImages.add(image);
    } else {
      this.problem(step, `image ${show(image)} is not in Amazon ECR, and SageMaker runs images only from ECR (<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>); push it to an ECR repository and use that URI, or leave image out for the region's scikit-learn image`);
    }
    return image;
  }

  /** SageMaker step names: the model's name, or one per forEach item, checked for validity and clashes. */
  private nameCopies(): void {
    const taken = new Map<string, Step>();
    for (const node of this.graph.nodes) {
      const step = node.step;
      const items = ContainerStep.isContainerStep(step) ? step.forEach : undefined;
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
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
