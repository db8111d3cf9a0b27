import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { AirflowDag, AirflowOptions, compileAirflow } from '../../../lib/compile/airflow';
import { isA } from '../../../lib/pipeline/brand';
import { Code } from '../../../lib/pipeline/code';
import { PipelineValidationError, show } from '../../../lib/pipeline/errors';
import { pipelineImageWarnings } from '../../../lib/pipeline/image-warnings';
import { imageWarnings } from '../../../lib/pipeline/images';
import type { AirflowEnvironment } from '../airflow/airflow-environment';
import { CodeAssets } from '../code-assets';
import { DefaultImage, defaultImage } from '../default-image';
import { deployDag, grantEnvironment } from './airflow-deploy';
import { AirflowDagExecutor, AirflowOrchestratorOptions } from './airflow-options';
import { DefinitionStorage } from './definition-storage-choice';
import { foreignPropProblems } from './engine-props';
import { RenderingBinding } from './rendering-binding';
import { EngineSpecificProps, OrchestratorBinding, OrchestratorContext, OrchestratorKind, OrchestratorRenderer, RenderedDocument } from './renderer';
import { grantExecution, repositoryPermissions } from './sagemaker-permissions';

/** Where the python executor keeps run data on an MWAA worker (writable, not shared between workers). */
export const MWAA_PYTHON_DATA_ROOT = '/tmp/mlops-data';

/** Stands for "the region's image" in a first compilation, to learn whether any task uses it. */
const UNSET_IMAGE = '000000000000.dkr.ecr.us-east-1.amazonaws.com/cdk-mlops-unset-default-image:unset';

/** The job role's statements that belong to SageMaker Pipelines, not to the jobs themselves. */
const PIPELINE_ONLY = new Set(['RunProcessingJobs', 'RunTrainingJobs', 'RunHyperParameterTuningJobs', 'PassThisRoleToJobs', 'RegisterModels']);

/** Which MlPipeline's DAG each DAG id of an environment is: DAG files share the environment's dags/ folder. */
const DAG_IDS = new WeakMap<object, Map<string, string>>();

function isEnvironment(x: unknown): x is AirflowEnvironment {
  const e = x as Partial<AirflowEnvironment> | undefined;
  return typeof e === 'object' && e !== null && e.dagBucket !== undefined && e.executionRole !== undefined && e.cfnEnvironment !== undefined;
}

/** Renders an MlPipeline as an Airflow DAG in an Amazon MWAA environment. @internal */
export class AirflowRenderer implements OrchestratorRenderer {
  public readonly kind = OrchestratorKind.AIRFLOW;

  constructor(public readonly environment: AirflowEnvironment, public readonly options: AirflowOrchestratorOptions) {}

  public optionProblems(): string[] {
    const problems: string[] = [];
    if (!isEnvironment(this.environment)) {
      problems.push(`Orchestrator.airflow environment is ${show(this.environment)}; pass an aws.AirflowEnvironment`);
    }
    const executor = this.options.executor;
    if (executor !== undefined && !Object.values(AirflowDagExecutor).includes(executor)) {
      problems.push(`Orchestrator.airflow executor ${show(executor)} is invalid (allowed: AirflowDagExecutor.SAGEMAKER, AirflowDagExecutor.PYTHON)`);
    }
    if (executor === AirflowDagExecutor.PYTHON) {
      for (const key of ['defaultImage', 'defaultInferenceImage', 'defaultInstanceType'] as const) {
        if (this.options[key] !== undefined) {
          problems.push(`Orchestrator.airflow ${key} applies to the SageMaker executor, but executor is AirflowDagExecutor.PYTHON (steps run on the Airflow worker); remove ${key}`);
        }
      }
    }
    return problems;
  }

  public propProblems(props: EngineSpecificProps): string[] {
    return foreignPropProblems('Orchestrator.airflow()', props, ['definitionStorage', 'createModelPackageGroups', 'alarmTopic', 'alarmEmails'],
      'remove it (see docs/airflow.md for what Airflow does instead), or use Orchestrator.sageMaker()');
  }

  public bind(context: OrchestratorContext): OrchestratorBinding {
    return new AirflowBinding(context, this.environment, this.options);
  }
}

/**
 * One MlPipeline as a DAG on MWAA: at synth time, the DAG file compiled from the pipeline as it is
 * then, the step code as assets (sagemaker executor) or next to the DAG (python executor), the
 * upload into the DAG bucket, and the grants of the job role and the environment's role.
 */
class AirflowBinding extends RenderingBinding<AirflowDag> implements OrchestratorBinding {
  public readonly resource = undefined;
  public readonly pipelineArn: string;
  public readonly startArns: string[] = [];
  public readonly eventBridgeRuns = false;
  public readonly notStartable: string;
  private readonly dagId: string;
  private readonly executor: AirflowDagExecutor;
  private readonly usedCodes = new Set<Code>();
  private readonly trialAssets = new Set<s3assets.Asset>();

  constructor(private readonly context: OrchestratorContext, private readonly environment: AirflowEnvironment, private readonly options: AirflowOrchestratorOptions) {
    super(new CodeAssets(context.scope, 'StepCode'));
    this.dagId = options.dagId ?? context.pipelineName;
    this.executor = options.executor ?? AirflowDagExecutor.SAGEMAKER;
    this.pipelineArn = environment.environmentArn;
    this.notStartable = `runs as Airflow DAG '${this.dagId}' on Amazon MWAA, which has no StartPipelineExecution: grantStart, addTrigger and the ` +
      'SageMaker execution metrics do not apply; start runs with the schedule prop, in the Airflow UI, with `airflow dags trigger` ' +
      '(MWAA CreateCliToken) or through the Airflow REST API (MWAA InvokeRestApi), and watch them with the environment\'s metrics';
    this.claimDagId();
  }

  private claimDagId(): void {
    if (Token.isUnresolved(this.dagId)) {
      return;
    }
    let ids = DAG_IDS.get(this.environment);
    if (!ids) {
      ids = new Map();
      DAG_IDS.set(this.environment, ids);
    }
    const other = ids.get(this.dagId);
    if (other !== undefined) {
      throw new PipelineValidationError(this.context.subject, [
        `DAG id '${this.dagId}' is already that of MlPipeline '${other}' in AirflowEnvironment '${this.environment.node.path}' ` +
        `(both would be dags/${this.dagId}.py); give one of them another pipelineName or Orchestrator.airflow(environment, { dagId })`,
      ]);
    }
    ids.set(this.dagId, this.context.scope.node.path);
  }

  public document(): RenderedDocument {
    const dag = this.rendered ?? this.compile(this.regionImageIfUsed());
    return { definition: dag, storage: DefinitionStorage.S3, size: Buffer.byteLength(dag.source, 'utf8') };
  }

  protected renderResources(): AirflowDag {
    const c = this.context;
    this.imageWarnings().forEach((w) => Annotations.of(c.scope).addWarningV2('cdk-mlops:UnpinnedImage', w));
    const regionImage = this.regionImageIfUsed();
    const dag = this.compile(regionImage);
    // The model is valid and the DAG compiles: from here on, resources.
    if (this.executor === AirflowDagExecutor.SAGEMAKER) {
      this.grantJobs(dag, regionImage);
    } else {
      this.warnAboutWorkers();
    }
    if (c.trackingUri !== undefined && this.executor === AirflowDagExecutor.PYTHON) {
      Annotations.of(c.scope).addWarningV2('cdk-mlops:AirflowTracking', 'tracking: the python executor runs steps as the environment\'s execution role; ' +
        'call tracking.grantAccess(environment.executionRole) so they may use the tracking server');
    }
    deployDag(c.scope, this.environment, dag);
    return dag;
  }

  /** The job role may do what the jobs do; the environment's role may run the DAG's jobs as it. */
  private grantJobs(dag: AirflowDag, regionImage: DefaultImage | undefined): void {
    const c = this.context;
    const uses = dag.sageMakerUses!;
    const images = repositoryPermissions(c.scope, uses.images, regionImage);
    grantExecution(c, {
      roleArn: c.roleArn,
      bucketArn: c.bucketArn,
      prefix: c.bucketPrefix,
      key: c.encryptionKey,
      runsProcessingJobs: uses.processingJobs,
      runsTrainingJobs: uses.trainingJobs,
      codeAssets: [...[...this.usedCodes].map((code) => this.code.asset(code)), ...this.trialAssets],
      modelPackageGroups: [],
      repositoryArns: images.repositoryArns,
      anyRepository: images.anyRepository,
      externalS3Uris: uses.externalS3Uris,
    }, (s) => !PIPELINE_ONLY.has(s.sid ?? ''));
    grantEnvironment(c, this.environment, this.dagId, uses.modelPackageGroups, uses.tuningJobs ?? false);
  }

  private warnAboutWorkers(): void {
    const env = this.environment.cfnEnvironment;
    const workers = [env.minWorkers, env.maxWorkers];
    if (workers.some((n) => typeof n !== 'number' || n > 1)) {
      Annotations.of(this.context.scope).addWarningV2('cdk-mlops:AirflowPythonWorkers', `the python executor keeps run data on the worker's disk ` +
        `(${MWAA_PYTHON_DATA_ROOT}), but AirflowEnvironment '${this.environment.node.path}' may run ${show(env.maxWorkers)} workers, so a step may ` +
        'not find its inputs; set minWorkers and maxWorkers to 1 (or use AirflowEnvironmentClass.MICRO), or use AirflowDagExecutor.SAGEMAKER');
    }
  }

  /** The region's image (and its mapping) only when a task runs it. */
  private regionImageIfUsed(): DefaultImage | undefined {
    if (this.executor !== AirflowDagExecutor.SAGEMAKER || this.options.defaultImage !== undefined) {
      return undefined;
    }
    const probe = this.compile(undefined, UNSET_IMAGE);
    return probe.sageMakerUses!.images.includes(UNSET_IMAGE) ? defaultImage(this.context.scope, this.context.subject) : undefined;
  }

  private imageWarnings(): string[] {
    const what = 'Orchestrator.airflow option';
    return [
      ...pipelineImageWarnings(this.context.pipeline, { [`${what} defaultImage`]: this.options.defaultImage }),
      ...imageWarnings(`${what} defaultInferenceImage`, this.options.defaultInferenceImage),
    ];
  }

  private compile(regionImage: DefaultImage | undefined, placeholder?: string): AirflowDag {
    const c = this.context;
    const version = this.environment.cfnEnvironment.airflowVersion;
    const sagemaker = this.executor === AirflowDagExecutor.SAGEMAKER;
    const defaultImageUri = this.options.defaultImage ?? regionImage?.uri ?? placeholder ?? UNSET_IMAGE;
    const options: AirflowOptions = {
      airflowVersion: typeof version === 'string' && version.startsWith('3') ? '3' : '2.10',
      executor: sagemaker ? 'sagemaker' : 'python',
      dagId: this.dagId,
      schedule: c.schedule,
      startDate: c.startDate,
      catchup: c.catchup,
      maxActiveRuns: c.maxActiveRuns,
      tags: this.options.tags,
      trackingUri: c.trackingUri,
      cache: this.options.runCachedStepsAlways ? 'run-always' : 'error',
      dataRoot: sagemaker ? undefined : MWAA_PYTHON_DATA_ROOT,
      sagemaker: sagemaker ? {
        roleArn: c.roleArn,
        bucketName: c.bucketName,
        prefix: c.bucketPrefix,
        region: Stack.of(c.scope).region,
        kmsKeyArn: c.encryptionKey.keyArn,
        defaultImage: defaultImageUri,
        defaultInferenceImage: this.options.defaultInferenceImage,
        defaultInstanceType: this.options.defaultInstanceType,
        codeUri: (code) => {
          this.usedCodes.add(code);
          // Spelled out so the archive's name stays literal text (the compiler checks it; s3ObjectUrl is one token).
          const asset = this.code.asset(code);
          this.code.location(code);
          return `s3://${asset.s3BucketName}/${asset.s3ObjectKey}`;
        },
        inferenceCodeUri: (code) => this.code.tarballUri(code),
        trialCodeUri: (code) => {
          const asset = this.code.trialAsset(code);
          this.trialAssets.add(asset);
          return `s3://${asset.s3BucketName}/${asset.s3ObjectKey}`;
        },
      } : undefined,
    };
    try {
      return compileAirflow(c.pipeline, options);
    } catch (e) {
      if (isA(e, PipelineValidationError)) {
        const engine = e.message.startsWith(`Pipeline '${c.pipeline.name}' on Airflow:`) ? ' on Airflow' : '';
        // The compiler names its own option; here the same choice is an option of Orchestrator.airflow.
        const problems = e.problems.map((p) => p.replace("compile with cache: 'run-always'", 'set Orchestrator.airflow(environment, { runCachedStepsAlways: true })'));
        throw new PipelineValidationError(`${c.subject}: pipeline '${c.pipeline.name}'${engine}`, problems);
      }
      throw e;
    }
  }
}
